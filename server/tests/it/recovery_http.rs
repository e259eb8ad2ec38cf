//! The recovery area through the real router on both console DB backends: the page's table in
//! recovery order, the exports, the Prometheus gauges, samples in the console DB, and the
//! `recovery report` command line.

use std::process::Command;
use std::time::{Duration, Instant};

use app::recovery::model::ComponentId;
use server::config::recovery::RecoveryConfig;
use server::recovery::{runner::RecoveryRunner, samples, sources::Sources};

use crate::common::{self, TestApp};

/// The router starts a probe round at once; waits for it to be published.
async fn first_round(app: &TestApp) -> String {
    let start = Instant::now();
    loop {
        let r = app.ops_get("/metrics").await;
        if r.body.contains("feast_console_recovery_status") {
            return r.body;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no recovery round: {}",
            r.body
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

on_both_backends!(
    recovery_page_exports_and_gauges,
    |app: TestApp| async move {
        let metrics = first_round(&app).await;
        for c in ComponentId::ALL {
            assert!(
                metrics.contains(&format!(
                    "feast_console_recovery_status{{component=\"{}\"}}",
                    c.id()
                )),
                "{metrics}"
            );
        }
        // Operator evidence from the demo manifests: a re-apply RTO is always estimated.
        assert!(
            metrics.contains("feast_console_rto_estimate_seconds{component=\"operator_crds\"} 300"),
            "{metrics}"
        );

        let page = app.get("/recovery").await;
        assert_eq!(page.status, 200);
        let positions: Vec<usize> = ComponentId::ALL
            .iter()
            .map(|c| {
                page.body
                    .find(&format!("data-component=\"{}\"", c.id()))
                    .unwrap_or_else(|| panic!("{} missing: {}", c.id(), page.body))
            })
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
        assert!(page.body.contains("recovery-readiness"));

        let csv = app.get("/recovery/export.csv").await;
        assert_eq!(csv.status, 200);
        assert!(csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let rows: Vec<&str> = csv.body.lines().collect();
        assert_eq!(rows.len(), 5, "{}", csv.body);
        assert!(
            rows[1].starts_with("1,registry_db,critical,")
                && rows[4].starts_with("4,operator_crds,low,")
        );
        let json = app.get("/recovery/export.json").await;
        let v: serde_json::Value = serde_json::from_str(&json.body).unwrap();
        assert_eq!(v["components"][0]["component"], "registry_db");
        assert!(v["readiness"]["line"]
            .as_str()
            .is_some_and(|l| !l.is_empty()));
    }
);

on_both_backends!(recovery_rounds_store_samples, |app: TestApp| async move {
    let dir = std::env::temp_dir().join(format!(
        "fc-recovery-{}-{}",
        std::process::id(),
        app.state.db.kind() as u8
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("registry.db");
    std::fs::write(&file, b"registry").unwrap();
    let runner = RecoveryRunner::new(Sources {
        config: RecoveryConfig {
            registry_file: Some(file.clone()),
            topology: Some(app::recovery::assess::TopologyClass::Minimal),
            ..Default::default()
        },
        ..Default::default()
    });
    // Let the router's own first round land first, in an earlier second (one row per
    // component and second), so only this test's rounds are counted below.
    first_round(&app).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let s = &app.state;
    let one = runner.round(&s.db, &s.registries, &s.metrics, true).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let two = runner.round(&s.db, &s.registries, &s.metrics, true).await;
    // A file registry without a backup: breached, as the guide wants backups even for Minimal.
    assert_eq!(
        two.report.components[0].status,
        app::recovery::model::Status::Breached
    );
    let stored = samples::load_since(&s.db, one.report.generated_at)
        .await
        .unwrap();
    let registry: Vec<_> = stored
        .iter()
        .filter(|x| x.component == ComponentId::RegistryDb)
        .collect();
    assert_eq!(registry.len(), 2, "{stored:?}");
    // Operator and online: one sample each per round, figures or not.
    assert_eq!(stored.len(), 8, "{stored:?}");
    // Not leading: nothing stored, the page still gets the live round.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let three = runner.round(&s.db, &s.registries, &s.metrics, false).await;
    assert!(three.report.generated_at > two.report.generated_at);
    assert_eq!(
        samples::load_since(&s.db, one.report.generated_at)
            .await
            .unwrap()
            .len(),
        8
    );
    assert!(runner
        .latest()
        .is_some_and(|d| d.report.generated_at == three.report.generated_at));
    let _ = std::fs::remove_dir_all(dir);
});

fn console(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_feast-console"))
        .args(args)
        .env_remove("FEAST_CONSOLE_CONFIG")
        .output()
        .expect("run feast-console")
}

#[test]
fn report_exits_1_when_the_critical_component_is_breached() {
    let dir = std::env::temp_dir().join(format!("fc-recovery-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("registry.db");
    std::fs::write(&file, b"registry").unwrap();
    let file = file.to_str().unwrap();

    // No backup at all: breached, exit 1, JSON on stdout.
    let o = console(&[
        "recovery",
        "report",
        "--registry-file",
        file,
        "--topology",
        "minimal",
        "--format",
        "json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["components"][0]["status"], "breached");

    // A backup taken after the last change: met, exit 0.
    let marker = dir.join("last-backup");
    std::fs::write(&marker, format!("{}\n", server::clock::unix_now() + 1)).unwrap();
    let o = console(&[
        "recovery",
        "report",
        "--registry-file",
        file,
        "--topology",
        "minimal",
        "--backup-file",
        marker.to_str().unwrap(),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("1 Registry DB (critical): MET"), "{out}");

    // Bad input: exit 2 with the key named.
    let o = console(&["recovery", "report", "--redis-url", "http://x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("recovery_redis_url"));
    let _ = std::fs::remove_dir_all(dir);
}
