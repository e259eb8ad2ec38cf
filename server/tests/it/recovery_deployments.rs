//! One recovery table per deployment: the `/recovery` list and `/recovery/{namespace}/{name}`
//! pages against the bundled demo manifests (both console DB backends), the JSON export's
//! per-deployment results, and `recovery report --deployment` (its table, JSON and exit
//! status), with probes attached by kind or by an explicit list.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use app::recovery::model::ComponentId;

use crate::common::{self, TestApp};

/// The router starts a probe round at once; waits until the page shows it.
async fn recovery_page(app: &TestApp) -> String {
    let start = Instant::now();
    loop {
        let r = app.get("/recovery").await;
        if r.body.contains("data-deployment=") {
            return r.body;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no recovery round: {}",
            r.body
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn in_order(body: &str) -> bool {
    let positions: Vec<usize> = ComponentId::ALL
        .iter()
        .map(|c| {
            body.find(&format!("data-component=\"{}\"", c.id()))
                .unwrap_or_else(|| panic!("{} missing: {body}", c.id()))
        })
        .collect();
    positions.windows(2).all(|w| w[0] < w[1])
}

/// A console reading every demo manifest (the default test console reads one folder). The
/// first console gives the probes lease up, so on PostgreSQL the new one probes.
async fn console_on_all_demo_manifests(app: TestApp) -> TestApp {
    app.state.lease.stop().await;
    let mut config = (*app.state.config).clone();
    config.manifests = vec![manifests()];
    let state = server::http::serve::build_state(config)
        .await
        .expect("build state");
    state.lifecycle.mark_started();
    let router = server::http::router(state.clone());
    TestApp { state, router }
}

on_both_backends!(recovery_pages_per_deployment, |app: TestApp| async move {
    let app = console_on_all_demo_manifests(app).await;
    let list = recovery_page(&app).await;
    // The cluster table stays at the top, the deployments follow, each linked.
    let cluster = list.find("data-component=\"registry_db\"").unwrap();
    let deployments = list.find("recovery-deployment-list").unwrap();
    assert!(cluster < deployments);
    for key in [
        "ml/minimal-production",
        "ml-prod/standard-production",
        "feast-system/shared-registry",
    ] {
        assert!(
            list.contains(&format!("data-deployment=\"{key}\"")),
            "{key}: {list}"
        );
        assert!(list.contains(&format!("href=\"/recovery/{key}\"")), "{key}");
    }

    // The Minimal demo store keeps its registry in the pod: breached, and said why.
    let page = app.get("/recovery/ml/minimal-production").await;
    assert_eq!(page.status, 200);
    assert!(in_order(&page.body), "{}", page.body);
    assert!(
        page.body.contains("ephemeral registry file"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Not ready"), "{}", page.body);
    // Its online store is Redis, and no Redis probe is configured.
    assert!(
        page.body
            .contains("no probe configured for this deployment&#x27;s Redis online store")
            || page
                .body
                .contains("no probe configured for this deployment's Redis online store")
    );
    // A Secret is named, never read.
    assert!(page.body.contains("Secret `feast-online-store`, not read"));

    // Tenants with a remote registry (by feastRef; by the operator Service hostname) show
    // the serving deployment's row.
    for tenant in ["team-a/team-a", "team-b/team-b"] {
        let page = app.get(&format!("/recovery/{tenant}")).await;
        assert_eq!(page.status, 200);
        assert!(
            page.body
                .contains("served by FeatureStore feast-system/shared-registry"),
            "{tenant}: {}",
            page.body
        );
    }

    // An unknown deployment: a clear empty state and a 404.
    let missing = app.get("/recovery/nowhere/nothing").await;
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("No such deployment"),
        "{}",
        missing.body
    );
    assert!(missing.body.contains("nowhere/nothing"));

    // The JSON export carries every deployment's table.
    let json = app.get("/recovery/export.json").await;
    let v: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    let d = v["deployments"].as_array().expect("deployments");
    let minimal = d
        .iter()
        .find(|d| d["name"] == "minimal-production")
        .expect("minimal");
    assert_eq!(minimal["components"][0]["status"], "breached");
    assert_eq!(minimal["topology"], "minimal");
    assert!(v["probed_by"].as_str().is_some_and(|p| !p.is_empty()));
});

fn manifests() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/manifests")
}

fn report(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_feast-console"));
    cmd.args(["recovery", "report"])
        .args(args)
        .env_remove("FEAST_CONSOLE_CONFIG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run feast-console")
}

#[test]
fn report_for_one_deployment_uses_its_exit_status() {
    let m = manifests();
    let m = m.to_str().unwrap();
    // The cluster table has no probe: unknown, exit 0; the deployments are listed below it.
    let o = report(&["--manifests", m], &[]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("ml/minimal-production (Minimal): Not ready"),
        "{out}"
    );

    // The Minimal store's registry is ephemeral: breached, so exit 1 for that deployment.
    let o = report(
        &["--manifests", m, "--deployment", "ml/minimal-production"],
        &[],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.starts_with("ml/minimal-production (Minimal)"), "{out}");
    assert!(out.contains("1 Registry DB (critical): BREACHED"), "{out}");

    // JSON: the deployment's table in the report's shape.
    let o = report(
        &[
            "--manifests",
            m,
            "--deployment",
            "ml-prod/standard-production",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["components"][0]["status"], "unknown");
    assert_eq!(v["deployments"][0]["name"], "standard-production");

    // The whole report's JSON has every deployment.
    let o = report(&["--manifests", m, "--format", "json"], &[]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["deployments"].as_array().is_some_and(|d| d.len() >= 5),
        "{v}"
    );

    // Unknown or malformed deployments: exit 2, named.
    let o = report(&["--manifests", m, "--deployment", "ml/nothing"], &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("ml/nothing") && err.contains("ml/minimal-production"),
        "{err}"
    );
    let o = report(&["--manifests", m, "--deployment", "nothing"], &[]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_registry_file_probe_attaches_by_kind_or_by_list() {
    let dir = std::env::temp_dir().join(format!("fc-recovery-dep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A Minimal store whose registry file is on a PVC: the file probe's kind.
    std::fs::write(
        dir.join("store.yaml"),
        "apiVersion: feast.dev/v1\nkind: FeatureStore\nmetadata: {name: files, namespace: ml}\n\
         spec:\n  services:\n    registry:\n      local:\n        persistence:\n          file:\n            path: registry.db\n            pvc: {create: {}, mountPath: /data}\n",
    )
    .unwrap();
    let file = dir.join("registry.db");
    std::fs::write(&file, b"registry").unwrap();
    let (d, f) = (dir.to_str().unwrap(), file.to_str().unwrap());
    let args = [
        "--manifests",
        d,
        "--registry-file",
        f,
        "--deployment",
        "ml/files",
    ];
    // By kind: the probe speaks for it, and no backup is configured: breached, exit 1.
    let o = report(&args, &[]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("file registry without any configured backup"),
        "{out}"
    );
    assert!(
        out.contains("spec: registry file: registry.db on a PVC"),
        "{out}"
    );

    // Listed for another deployment only: this one has no probe (unknown, exit 0).
    let o = report(
        &args,
        &[("FEAST_CONSOLE_RECOVERY_REGISTRY_DEPLOYMENTS", "other/store")],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("no probe configured for this deployment's registry file"),
        "{out}"
    );

    // A malformed list is refused with the key named.
    let o = report(
        &args,
        &[("FEAST_CONSOLE_RECOVERY_REGISTRY_DEPLOYMENTS", "just-a-name")],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("recovery_registry_deployments"));
    let _ = std::fs::remove_dir_all(dir);
}

/// With the test Redis (scripts/lib/recovery-servers.sh): the Redis probe speaks for the
/// deployments with a Redis online store, not for the DynamoDB one.
#[test]
fn the_redis_probe_speaks_for_redis_deployments_only() {
    let redis = common::required_env(
        "FC_TEST_REDIS_URL",
        "the test Redis",
        "scripts/test.sh starts it (scripts/lib/recovery-servers.sh)",
    );
    let m = manifests();
    let o = report(
        &[
            "--manifests",
            m.to_str().unwrap(),
            "--redis-url",
            &redis,
            "--format",
            "json",
        ],
        &[],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let online = |name: &str| {
        let d = v["deployments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == name)
            .unwrap_or_else(|| panic!("{name}"));
        d["components"][1].clone()
    };
    let standard = online("standard-production");
    assert!(
        standard["evidence"].to_string().contains("Redis role"),
        "{standard}"
    );
    let dynamo = online("team-b-production");
    assert!(
        dynamo["reason"]
            .as_str()
            .unwrap()
            .contains("`dynamodb` online stores"),
        "{dynamo}"
    );
}
