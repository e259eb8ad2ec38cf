//! `feast-console cache report`, driven as a user runs it.

use std::process::Command;

use crate::registry::fixtures::{feast_fixtures, workspace_root};

fn console() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_feast-console"));
    c.current_dir(workspace_root());
    c
}

#[test]
fn json_report_on_the_demo_registry_and_manifests() {
    let out = console()
        .args(["cache", "report", "--format", "json"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let reg = &v["registries"][0];
    assert_eq!(reg["name"], "demo");
    assert_eq!(reg["ok"], true);
    assert!(reg["load_ms"].as_f64().is_some_and(|ms| ms > 0.0));
    assert_eq!(reg["projects"], 3);
    let deployments = v["deployments"].as_array().expect("deployments");
    let names: Vec<String> = deployments
        .iter()
        .map(|d| {
            format!(
                "{}/{}",
                d["namespace"].as_str().unwrap(),
                d["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            "feast-system/shared-registry",
            "team-a/team-a",
            "team-b/team-b"
        ]
    );
    let shared = &deployments[0];
    assert!(shared["copies"]["current"].as_i64().unwrap() >= 1);
    assert_eq!(shared["settings"]["registry_ttl_seconds"]["value"], 60);
    assert_eq!(
        shared["settings"]["registry_ttl_seconds"]["source"]["kind"],
        "default"
    );
    assert!(shared["measure"]["bytes"].as_u64().is_some_and(|b| b > 0));
    assert!(shared["row"]["recommendation"].as_str().is_some());
    assert_eq!(
        deployments[1]["copies"]["current"], 0,
        "team-a reads a remote registry"
    );
}

#[test]
fn text_report_with_explicit_sources_and_a_failing_registry() {
    let dir = feast_fixtures();
    let sqlite = format!(
        "fixture=sqlite:///{}",
        dir.join("sqlite/registry.sqlite").display()
    );
    let out = console()
        .args([
            "cache",
            "report",
            "--registry",
            &sqlite,
            "--registry",
            "gone=sqlite:////nonexistent/registry.sqlite",
        ])
        .args(["--manifests", "server/demo/manifests/standard"])
        .output()
        .expect("run");
    // One registry could not be read: exit 1, the report still printed with the reason.
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("fixture (sqlite:///"), "{text}");
    assert!(
        text.contains("gone (sqlite:////nonexistent/registry.sqlite): FAILED"),
        "{text}"
    );
    assert!(text.contains("ml-prod/standard-production"), "{text}");
    // HPA 2–10 × (online, offline, registry gRPC, registry REST): 8 copies now, 8–40.
    assert!(text.contains("copies: 8 (HPA 8–40)"), "{text}");
    assert!(
        text.contains("storm risk:") && text.contains("recommendation: Production (low-latency)"),
        "{text}"
    );
}

#[test]
fn bad_arguments_exit_2() {
    let out = console()
        .args(["cache", "report", "--manifests", "/no/such/folder"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such file or folder"));
}

/// The guide's example end to end: 5 replicas × 4 workers, the registry settings read from the
/// operator-rendered `feature_store.yaml` (client ConfigMap) in the manifests.
#[test]
fn guide_example_with_settings_from_the_client_config_map() {
    let dir = std::env::temp_dir().join(format!("fc-cache-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("store.yaml"),
        r#"apiVersion: feast.dev/v1
kind: FeatureStore
metadata: {name: big, namespace: ml}
spec:
  feastProject: driver_ranking
  replicas: 5
  services:
    onlineStore:
      server:
        workerConfigs: {workers: 4, registryTTLSeconds: 300}
        resources: {limits: {memory: 1Gi}}
    registry:
      local:
        persistence:
          store: {type: sql, secretRef: {name: feast-data-stores}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: feast-big-client, namespace: ml}
data:
  feature_store.yaml: |
    project: driver_ranking
    registry:
      registry_type: sql
      path: postgresql://feast@db/feast
      cache_mode: thread
      cache_ttl_seconds: 300
"#,
    )
    .unwrap();
    let out = console()
        .args(["cache", "report", "--format", "json", "--manifests"])
        .arg(&dir)
        .output()
        .expect("run");
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let d = &v["deployments"][0];
    assert_eq!(d["servers"][0]["kind"], "online feature server");
    assert_eq!(
        d["servers"][0]["copies"]["current"], 20,
        "5 replicas × 4 workers"
    );
    assert_eq!(
        d["copies"]["current"], 25,
        "plus one registry server per pod"
    );
    assert_eq!(d["settings"]["cache_mode"]["value"], "thread");
    assert_eq!(
        d["settings"]["cache_mode"]["source"]["kind"],
        "feature_store_yaml"
    );
    assert!(d["settings"]["cache_mode"]["source"]["detail"]
        .as_str()
        .unwrap()
        .contains("ConfigMap ml/feast-big-client"));
    assert_eq!(
        d["settings"]["registry_ttl_seconds"]["source"]["kind"],
        "cr_field"
    );
    assert_eq!(d["storm"]["level"], "none");
    // Thread mode, 300 s and 300 s: the guide's production (low-latency) row, already met.
    let primary = d["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["primary"] == true)
        .unwrap();
    assert_eq!(primary["scenario"], "production_low_latency");
    assert_eq!(primary["changes"].as_array().unwrap().len(), 0);
    assert_eq!(
        d["row"]["recommendation"],
        "matches Production (low-latency)"
    );
}
