//! `feast-console topology check` and the API server's verdict: what the CRD forbids is refused
//! with its messages, a newer CRD (`--crd`) applies, the operator's status is in the JSON, and
//! kustomize folders are recognised.

use std::path::PathBuf;

use serde_json::Value;

use crate::topology_check::{check_json, classes, fixtures, located, run};

/// The fixtures of what the CRD forbids are refused by the CRD's own rules, with its messages.
#[test]
fn crd_fixtures_are_refused_as_the_api_server_refuses_them() {
    let cases = [
        (
            "crd-replicas-and-autoscaling",
            "replicas > 1 and services.scaling.autoscaling are mutually exclusive.",
        ),
        (
            "crd-scaling-file-online-store",
            "Scaling requires DB-backed persistence for the online store.",
        ),
        (
            "crd-scaling-file-offline-store",
            "Scaling requires DB-backed persistence for the offline store.",
        ),
        (
            "crd-scaling-file-registry",
            "Scaling requires DB-backed or remote registry.",
        ),
        (
            "crd-pdb-exactly-one",
            "Exactly one of minAvailable or maxUnavailable must be set.",
        ),
    ];
    for (fixture, message) in cases {
        let (code, json) = check_json(&format!("rules/{fixture}.yaml"));
        assert_eq!(code, 1, "{fixture}: exit code");
        let refusals: Vec<String> = json["feature_stores"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["admission"]["message"].as_str().map(str::to_string))
            .collect();
        assert!(
            refusals
                .iter()
                .any(|r| r.starts_with("FeatureStore.feast.dev \"") && r.contains(message)),
            "{fixture}: {refusals:#?}"
        );
    }
}

/// A kustomize folder: kustomizations are recognised (no "not a Kubernetes object"), noted as
/// not rendered, their listed resources checked (inside the folder, present, local), patch
/// files not read as objects, and the plain manifests read and checked.
#[test]
fn kustomize_folders_are_recognised_and_their_resources_checked() {
    let (code, json) = check_json("kustomize");
    let (errors, notes) = (located(&json, "errors"), located(&json, "notes"));
    assert!(
        !errors.iter().any(|e| e.contains("not a Kubernetes object")),
        "{errors:#?}"
    );
    let expected_errors = [
        "base/kustomization.yaml | resources: missing.yaml: does not exist",
        "base/kustomization.yaml | resources: ../../../../../../etc: outside the folder checked",
        "base/kustomization.yaml | resources: https://github.com/feast-dev/feast//infra/feast-operator/config/samples: a remote resource",
    ];
    for e in expected_errors {
        assert!(errors.iter().any(|x| x.contains(e)), "{e} in {errors:#?}");
    }
    assert_eq!(errors.len(), expected_errors.len(), "{errors:#?}");
    assert_eq!(
        notes
            .iter()
            .filter(|n| n.contains("kustomization not rendered"))
            .count(),
        2,
        "{notes:#?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("overlays/prod/replicas.yaml | a kustomize patch")),
        "{notes:#?}"
    );
    assert_eq!(
        classes(&json),
        [("ml/kustomized".to_string(), "minimal".to_string())]
    );
    assert_eq!(code, 1, "listed resources that do not exist are errors");
}

/// The operator's status (phase, conditions, service hostnames, replicas) is in the JSON, beside
/// the API server's verdict.
#[test]
fn json_carries_the_operators_status_and_the_api_servers_verdict() {
    let (_, json) = check_json("enterprise-shared");
    let store = json["feature_stores"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["name"] == "shared-registry")
        .cloned()
        .unwrap_or_default();
    let status = &store["status"];
    assert_eq!(status["phase"], "Ready", "{store:#}");
    assert_eq!(
        status["conditions"][0]["condition_type"],
        "FeatureStoreReady"
    );
    assert_eq!(status["conditions"][0]["status"], "True");
    assert!(status["service_hostnames"]
        .as_array()
        .is_some_and(|h| h.iter().any(|p| p[0] == "registry"
            && p[1] == "feast-shared-registry-registry.feast-system.svc.cluster.local:443")));
    assert!(status.get("current_replicas").is_some());
    assert_eq!(store["admission"]["refused"], false);
    assert_eq!(
        json["crd_source"],
        "the Feast operator's CRD bundled with the console"
    );
}

/// `--crd FILE`: a newer operator's CRD (here the bundled one with one more rule) is what the
/// manifests are checked against; a file that is not a CRD stops the command (exit 2).
#[test]
fn check_against_a_crd_file() {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/topology/feast.dev_featurestores.yaml"),
    )
    .expect("bundled CRD");
    let mut crd: Value = serde_norway::from_str(&text).expect("CRD YAML");
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
        ["x-kubernetes-validations"]
        .as_array_mut()
        .expect("spec rules")
        .push(serde_json::json!({"rule": "self.feastProject.size() <= 8", "message": "feastProject must be at most 8 characters."}));
    let file = std::env::temp_dir().join(format!("fc-crd-{}.json", std::process::id()));
    std::fs::write(&file, crd.to_string()).expect("write CRD");
    let minimal = fixtures().join("minimal");
    let (code, stdout, _) = run(&[
        "check",
        minimal.to_str().unwrap_or(""),
        "--crd",
        file.to_str().unwrap_or(""),
        "--format",
        "json",
    ]);
    let json: Value = serde_json::from_str(&stdout).unwrap_or_default();
    assert_eq!(code, 1, "{stdout}");
    assert!(json["crd_source"]
        .as_str()
        .is_some_and(|s| s.starts_with("the CRD in ")));
    assert!(
        stdout.contains(
            r#"spec: Invalid value: \"object\": feastProject must be at most 8 characters."#
        ),
        "{stdout}"
    );

    std::fs::write(&file, "kind: ConfigMap\n").expect("write");
    let (code, _, stderr) = run(&[
        "check",
        minimal.to_str().unwrap_or(""),
        "--crd",
        file.to_str().unwrap_or(""),
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("not a CustomResourceDefinition"),
        "{stderr}"
    );
    let _ = std::fs::remove_file(file);
}
