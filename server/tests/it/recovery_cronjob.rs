//! Recovery evidence read from the topology source: a backup CronJob's last success, and GitOps
//! ownership marked by labels or annotations (Argo CD tracks by annotation by default).

use app::recovery::evidence::BackupEvidence;
use server::recovery::gather::{backup_from_cronjob, operator_evidence};

const MANIFESTS: &str = r#"
apiVersion: batch/v1
kind: CronJob
metadata: {name: registry-backup, namespace: feast-system}
spec: {schedule: "0 * * * *"}
status: {lastScheduleTime: "2026-11-26T10:00:00Z", lastSuccessfulTime: "2026-11-26T10:02:30Z"}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: never-ran, namespace: feast-system}
spec: {schedule: "0 * * * *"}
---
apiVersion: feast.dev/v1
kind: FeatureStore
metadata:
  name: tracked
  namespace: team-a
  annotations: {argocd.argoproj.io/tracking-id: "feast:feast.dev/FeatureStore:team-a/tracked"}
spec: {feastProject: tracked}
---
apiVersion: feast.dev/v1
kind: FeatureStore
metadata: {name: by-hand, namespace: team-b}
spec: {feastProject: by_hand}
"#;

fn snapshot() -> app::topology::ClusterSnapshot {
    let dir = std::env::temp_dir().join(format!("fc-recovery-cronjob-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("all.yaml"), MANIFESTS).unwrap();
    let s = server::topology::manifests::load_paths(std::slice::from_ref(&dir));
    let _ = std::fs::remove_dir_all(dir);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    s
}

#[test]
fn the_backup_cronjob_last_success_is_the_last_backup() {
    let s = snapshot();
    match backup_from_cronjob(Some(&s), "feast-system", "registry-backup") {
        BackupEvidence::At { at, source } => {
            assert_eq!(at, 1_795_687_350, "2026-11-26T10:02:30Z");
            assert_eq!(source, "CronJob feast-system/registry-backup");
        }
        other => panic!("{other:?}"),
    }
    for (name, reason) in [
        ("never-ran", "never succeeded"),
        ("missing", "not found in the topology source"),
    ] {
        match backup_from_cronjob(Some(&s), "feast-system", name) {
            BackupEvidence::Failed { reason: r, .. } => assert!(r.contains(reason), "{r}"),
            other => panic!("{name}: {other:?}"),
        }
    }
    assert!(matches!(
        backup_from_cronjob(None, "feast-system", "registry-backup"),
        BackupEvidence::Failed { .. }
    ));
}

#[test]
fn gitops_annotations_count_as_declarative_management() {
    let e = operator_evidence("manifests", &snapshot(), 0);
    assert_eq!(e.feature_stores, 2);
    assert_eq!(
        e.gitops_managed, 1,
        "the Argo CD tracking annotation marks `tracked`"
    );
}
