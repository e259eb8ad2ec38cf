//! `feast-console topology check` run as a real process on the manifest fixtures.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/topology")
}

/// Runs the binary; returns (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_feast-console"))
        .arg("topology")
        .args(args)
        .output()
        .expect("run feast-console");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn check_json(path: &str) -> (i32, Value) {
    let full = fixtures().join(path);
    let (code, stdout, stderr) = run(&[
        "check",
        full.to_str().expect("utf-8 path"),
        "--format",
        "json",
    ]);
    let json: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("JSON from {path}: {e}\n{stdout}\n{stderr}"));
    (code, json)
}

/// `location | message` of each entry of a list of source errors or notes.
pub fn located(json: &Value, key: &str) -> Vec<String> {
    json[key]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            format!(
                "{} | {}",
                e["location"].as_str().unwrap_or(""),
                e["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}

pub fn classes(json: &Value) -> Vec<(String, String)> {
    json["feature_stores"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        format!(
                            "{}/{}",
                            f["namespace"].as_str().unwrap_or(""),
                            f["name"].as_str().unwrap_or("")
                        ),
                        f["class"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn rules(json: &Value) -> Vec<(String, String)> {
    json["feature_stores"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|f| f["violations"].as_array().cloned().unwrap_or_default())
        .map(|v| {
            (
                v["rule"].as_str().unwrap_or("").to_string(),
                v["severity"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn every_class_fixture_is_classified() {
    let cases = [
        ("minimal", vec![("ml/minimal-production", "minimal")]),
        (
            "standard",
            vec![("ml-prod/standard-production", "standard")],
        ),
        (
            "enterprise-isolated",
            vec![
                ("team-a/team-a-production", "enterprise_isolated"),
                ("team-b/team-b-production", "enterprise_isolated"),
            ],
        ),
        (
            "enterprise-shared",
            vec![
                ("feast-system/shared-registry", "enterprise_shared"),
                ("team-a/team-a", "enterprise_shared"),
                ("team-b/team-b", "enterprise_shared"),
            ],
        ),
    ];
    for (folder, expected) in cases {
        let (code, json) = check_json(folder);
        let expected: Vec<(String, String)> = expected
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(classes(&json), expected, "{folder}");
        assert_eq!(code, 0, "{folder}: {json}");
        assert_eq!(json["errors"], serde_json::json!([]), "{folder}");
        for f in json["feature_stores"].as_array().into_iter().flatten() {
            assert!(
                !f["reasons"].as_array().map(Vec::is_empty).unwrap_or(true),
                "{folder}: reasons"
            );
            assert_eq!(
                f["checklist"].as_array().map(Vec::len),
                Some(10),
                "{folder}: checklist rows"
            );
            for item in f["checklist"].as_array().into_iter().flatten() {
                assert!(
                    item["status"].is_string()
                        && item["evidence"].is_string()
                        && item["expected"].is_string()
                );
            }
        }
    }
}

#[test]
fn every_rule_fixture_triggers_its_rule() {
    let cases = [
        ("registry-cache-sync-many-copies", "warning"),
        ("hpa-without-pdb", "warning"),
        ("file-registry-in-production", "warning"),
        ("no-tls", "warning"),
        ("remote-registry-missing", "error"),
        ("shared-registry-without-auth", "error"),
        ("enterprise-without-network-policy", "warning"),
    ];
    for (rule, severity) in cases {
        let (code, json) = check_json(&format!("rules/{rule}.yaml"));
        let found = rules(&json);
        assert!(
            found.contains(&(rule.to_string(), severity.to_string())),
            "{rule}: {found:?}"
        );
        let has_error = found.iter().any(|(_, s)| s == "error");
        assert_eq!(code, if has_error { 1 } else { 0 }, "{rule}: exit code");
        for v in json["feature_stores"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|f| f["violations"].as_array().cloned().unwrap_or_default())
        {
            assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()) && v["fix"].is_string());
        }
    }
}

#[test]
fn class_fixtures_break_no_rule_of_error_severity() {
    let (code, json) = check_json("");
    // The whole fixture tree at once: reading errors (malformed/) make it exit 1, so check
    // only that the class folders themselves are clean.
    assert_eq!(code, 1);
    let _ = json;
    for folder in [
        "minimal",
        "standard",
        "enterprise-isolated",
        "enterprise-shared",
    ] {
        let (_, json) = check_json(folder);
        assert!(!rules(&json).iter().any(|(_, s)| s == "error"), "{folder}");
    }
}

#[test]
fn malformed_input_is_reported_by_file_and_document() {
    let (code, json) = check_json("malformed");
    assert_eq!(code, 1);
    let errors = located(&json, "errors");
    let expect = [
        ("bad-syntax.yaml#2 ", "malformed YAML at line 10"),
        ("bad-type.yaml#2 ", "wrong-type"),
        ("bad-type.yaml#3 ", "not a Kubernetes object"),
        (
            "bad-type.yaml#4 ",
            r#"no matches for kind "FeatureStore" in version "feast.dev/v2""#,
        ),
        ("binary.yaml ", "not UTF-8"),
        ("notes.yml#1 ", "malformed YAML"),
        ("truncated.json#1 ", "malformed JSON"),
    ];
    for (location, message) in expect {
        assert!(
            errors
                .iter()
                .any(|e| e.contains(location) && e.contains(message)),
            "{location} {message} in {errors:#?}"
        );
    }
    // Unknown fields are what the API server would prune: a warning on the FeatureStore.
    let pruned = |name: &str| -> Vec<String> {
        json["feature_stores"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["name"] == name)
            .flat_map(|f| {
                f["admission"]["pruned"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .filter_map(|p| p.as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(
        pruned("typo"),
        [
            "spec.services.onlineStore.persistance",
            "spec.services.registry.local.server.restApi"
        ]
    );
    // v1alpha1 has no spec.replicas.
    assert_eq!(pruned("old"), ["spec.replicas"]);
    // Documents before a syntax error, and objects with only unknown fields, are still read.
    let names: Vec<String> = classes(&json).into_iter().map(|(n, _)| n).collect();
    assert!(
        names.contains(&"ml/before-the-error".to_string())
            && names.contains(&"ml/typo".to_string()),
        "{names:?}"
    );
    assert!(!names.contains(&"ml/wrong-type".to_string()));
}

#[test]
fn text_output_and_exit_codes() {
    let minimal = fixtures().join("minimal");
    let (code, stdout, _) = run(&["check", minimal.to_str().unwrap_or("")]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("ml/minimal-production: Minimal"),
        "{stdout}"
    );
    assert!(stdout.contains("[missing] High availability"), "{stdout}");

    let rule = fixtures().join("rules/crd-pdb-exactly-one.yaml");
    let (code, stdout, _) = run(&["check", rule.to_str().unwrap_or("")]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("refused the API server would refuse it: FeatureStore.feast.dev")
            && stdout.contains("Exactly one of minAvailable or maxUnavailable must be set."),
        "{stdout}"
    );

    let (code, stdout, _) = run(&["check", "/definitely/not/here"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("/definitely/not/here: cannot read"));

    let (code, _, stderr) = run(&["check"]);
    assert_eq!(code, 2, "missing PATH is a usage error");
    assert!(stderr.contains("PATH"));
}

#[test]
fn several_paths_make_one_cluster() {
    let a = fixtures().join("enterprise-shared/shared-registry.yaml");
    let b = fixtures().join("enterprise-shared/team-a.yaml");
    let (code, stdout, _) = run(&[
        "check",
        a.to_str().unwrap_or(""),
        b.to_str().unwrap_or(""),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{stdout}");
    let json: Value = serde_json::from_str(&stdout).unwrap_or_default();
    assert_eq!(
        classes(&json)
            .iter()
            .filter(|(_, c)| c == "enterprise_shared")
            .count(),
        2
    );
    assert_eq!(
        json["shared_registries"][0]["provider"],
        "feast-system/shared-registry"
    );
}

#[test]
fn demo_manifests_show_each_class() {
    let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("demo/manifests");
    for (folder, class) in [
        ("minimal", "minimal"),
        ("standard", "standard"),
        ("enterprise-isolated", "enterprise_isolated"),
        ("enterprise-shared", "enterprise_shared"),
    ] {
        let path = demo.join(folder);
        let (code, stdout, _) = run(&["check", path.to_str().unwrap_or(""), "--format", "json"]);
        assert_eq!(code, 0, "{folder}: {stdout}");
        let json: Value = serde_json::from_str(&stdout).unwrap_or_default();
        let found = classes(&json);
        assert!(
            !found.is_empty() && found.iter().all(|(_, c)| c == class),
            "{folder}: {found:?}"
        );
    }
}
