//! Per-deployment tables: the spec's persistence combined with the probes that apply.

use std::collections::BTreeMap;

use serde_json::json;

use super::assess::*;
use super::deployment::*;
use super::evidence::*;
use super::model::*;
use super::probe_scope::*;
use crate::topology::crd::FeatureStore;
use crate::topology::ClusterSnapshot;

const NOW: i64 = 1_000_000;

fn inputs() -> Inputs {
    Inputs {
        now: NOW,
        objectives: Objectives::default(),
        topology: None,
        stale_after_seconds: 600,
        registry: RegistryEvidence::NotConfigured,
        online: OnlineEvidence {
            redis: RedisEvidence::NotConfigured,
            materialization: None,
            seconds_per_day_of_data: 60.0,
        },
        offline: OfflineEvidence { sla: None },
        operator: Some(OperatorEvidence {
            observed_at: NOW,
            source: "manifests".into(),
            feature_stores: 3,
            crd_v1: 3,
            operator_deployment: None,
            gitops_managed: 1,
            source_errors: 0,
        }),
    }
}

fn fs(namespace: &str, name: &str, spec: serde_json::Value) -> FeatureStore {
    serde_json::from_value(json!({
        "apiVersion": "feast.dev/v1",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }))
    .expect("a FeatureStore")
}

/// A highly available store (2+ replicas) on PostgreSQL and Redis; an ephemeral Minimal store; a
/// store whose registry is the first one's.
fn snapshot() -> ClusterSnapshot {
    let standard = json!({
        "feastProject": "prod",
        "replicas": 2,
        "services": {
            "registry": {"local": {"persistence": {"store": {"type": "sql", "secretRef": {"name": "registry-secret"}}}}},
            "onlineStore": {"persistence": {"store": {"type": "redis", "secretRef": {"name": "online-secret"}}}},
            "offlineStore": {"persistence": {"store": {"type": "bigquery", "secretRef": {"name": "offline-secret"}}}}
        }
    });
    let mut gitops = fs("ml-prod", "standard", standard);
    gitops
        .metadata
        .labels
        .insert("app.kubernetes.io/managed-by".into(), "argocd".into());
    ClusterSnapshot {
        feature_stores: vec![
            gitops,
            fs("ml", "minimal", json!({"feastProject": "dev"})),
            fs(
                "team",
                "client",
                json!({
                    "replicas": 2,
                    "services": {"registry": {"remote": {"feastRef": {"name": "standard", "namespace": "ml-prod"}}}}
                }),
            ),
        ],
        ..Default::default()
    }
}

fn pg() -> RegistryEvidence {
    RegistryEvidence::Postgres(PgRegistry {
        observed_at: NOW - 5,
        in_recovery: false,
        standbys: vec![],
        archive_mode: true,
        archived_count: 10,
        last_archived_at: Some(NOW - 120),
        last_archived_wal: None,
        failed_count: 0,
        last_failed_at: None,
        last_failed_wal: None,
        pending_wal_bytes: None,
        database_bytes: 0,
        last_backup: None,
    })
}

fn redis() -> RedisEvidence {
    RedisEvidence::Info(RedisInfo {
        observed_at: NOW - 1,
        rdb_last_save_at: Some(NOW - 30),
        rdb_last_bgsave_ok: true,
        rdb_save_points: Some(true),
        aof_enabled: false,
        role: "master".into(),
        connected_replicas: 0,
        master_link_up: None,
    })
}

fn run(i: &Inputs, attach: &ProbeAttachments) -> Vec<DeploymentRecovery> {
    assess_deployments(i, &snapshot(), attach, &None)
}

fn get<'a>(d: &'a [DeploymentRecovery], ns: &str, name: &str) -> &'a DeploymentRecovery {
    find(d, ns, name).unwrap_or_else(|| panic!("{ns}/{name} in {d:?}"))
}

#[test]
fn every_deployment_gets_the_four_rows_in_recovery_order() {
    let d = run(&inputs(), &ProbeAttachments::default());
    assert_eq!(d.len(), 3);
    for dep in &d {
        let order: Vec<_> = dep.components.iter().map(|a| a.component).collect();
        assert_eq!(order, ComponentId::ALL.to_vec(), "{}", dep.key());
    }
}

#[test]
fn without_probes_the_spec_alone_decides_and_says_why() {
    let d = run(&inputs(), &ProbeAttachments::default());
    let standard = get(&d, "ml-prod", "standard");
    // It serves another store's registry: Enterprise (shared registry).
    assert_eq!(standard.topology, TopologyClass::Enterprise);
    let registry = &standard.components[0];
    assert_eq!(registry.status, Status::Unknown);
    assert!(
        registry.reason.contains("no probe configured"),
        "{}",
        registry.reason
    );
    // The Secret is named, never read.
    assert!(
        registry.evidence[0].contains("Secret `registry-secret`, not read"),
        "{:?}",
        registry.evidence
    );
    let online = &standard.components[1];
    assert_eq!(online.status, Status::Unknown);
    assert_eq!(
        online.reason,
        "no probe configured for this deployment's Redis online store"
    );
    let offline = &standard.components[2];
    assert!(
        offline.reason.contains("`bigquery` offline store"),
        "{}",
        offline.reason
    );
    // Operator: this store is GitOps-managed, so it can be re-applied from Git.
    assert_eq!(standard.components[3].achieved_rpo_seconds, Some(0));

    // The operator's default registry is an ephemeral file: lost on restart, breached.
    let minimal = get(&d, "ml", "minimal");
    assert_eq!(minimal.topology, TopologyClass::Minimal);
    assert_eq!(minimal.components[0].status, Status::Breached);
    assert!(minimal.components[0]
        .reason
        .starts_with("ephemeral registry file"));
    assert!(minimal.components[0].evidence[0].contains("/feast-data/registry.db"));
    assert!(
        minimal.readiness.line.starts_with("Not ready"),
        "{}",
        minimal.readiness.line
    );
    // Not in Git: at risk.
    assert_eq!(minimal.components[3].status, Status::AtRisk);
    assert_eq!(
        minimal.components[2].reason,
        "no offline store in this deployment's spec"
    );
}

#[test]
fn probes_apply_by_kind_by_default() {
    let mut i = inputs();
    i.registry = pg();
    i.online.redis = redis();
    i.offline.sla = Some("BigQuery 99.99 %".into());
    let attach = ProbeAttachments {
        registry_probe: Some(RegistryProbeKind::Postgres),
        ..Default::default()
    };
    let d = run(&i, &attach);
    let standard = get(&d, "ml-prod", "standard");
    // RPO 120 s (last archived segment) against 900 s: met; Redis persistent: met.
    let registry = &standard.components[0];
    assert_eq!(
        (registry.status, registry.achieved_rpo_seconds),
        (Status::Met, Some(120))
    );
    assert!(registry.evidence[0].starts_with("spec: registry DB: sql"));
    assert_eq!(
        standard.components[1].rto_estimate_seconds,
        Some(REDIS_RELOAD_SECONDS)
    );
    assert_eq!(standard.components[2].status, Status::Met);
    // The Minimal store has no Redis and no sql registry: the probes do not speak for it.
    let minimal = get(&d, "ml", "minimal");
    assert_eq!(minimal.components[0].status, Status::Breached);
    assert!(!minimal.components[1]
        .evidence
        .iter()
        .any(|e| e.contains("Redis role")));
    // The remote registry is the serving deployment's row.
    let client = get(&d, "team", "client");
    assert_eq!(client.components[0].achieved_rpo_seconds, Some(120));
    assert!(client.components[0].evidence[0].contains("served by FeatureStore ml-prod/standard"));
    assert!(client.components[0]
        .reason
        .starts_with("as the registry of ml-prod/standard"));
}

#[test]
fn an_explicit_list_limits_a_probe_to_the_named_deployments() {
    let mut i = inputs();
    i.registry = pg();
    i.online.redis = redis();
    let attach = ProbeAttachments {
        registry_probe: Some(RegistryProbeKind::Postgres),
        registry: ProbeScope::Only(vec!["ml/minimal".into()]),
        redis: ProbeScope::Only(vec!["team/client".into()]),
        offline_sla: ProbeScope::ByKind,
    };
    let d = run(&i, &attach);
    let standard = get(&d, "ml-prod", "standard");
    assert_eq!(standard.components[0].status, Status::Unknown);
    assert_eq!(standard.components[1].status, Status::Unknown);
    // Listed: the ephemeral file still loses data, whatever a probe says elsewhere.
    assert_eq!(
        get(&d, "ml", "minimal").components[0].status,
        Status::Breached
    );
    let client = get(&d, "team", "client");
    assert!(client.components[1]
        .evidence
        .iter()
        .any(|e| e.contains("Redis role master")));
}

#[test]
fn materialization_is_counted_per_project() {
    let mut by_project = BTreeMap::new();
    by_project.insert(
        "prod".to_string(),
        MaterializationHistory {
            online_views: 2,
            materialized_views: 2,
            days_to_rebuild: 10.0,
            last_materialized_at: Some(NOW - 60),
        },
    );
    let d = assess_deployments(
        &inputs(),
        &snapshot(),
        &ProbeAttachments::default(),
        &Some(by_project),
    );
    // 10 days × 60 s/day = 600 s to re-materialize.
    assert_eq!(
        get(&d, "ml-prod", "standard").components[1].rto_estimate_seconds,
        Some(600)
    );
    let minimal = get(&d, "ml", "minimal");
    assert!(minimal.components[1]
        .evidence
        .iter()
        .any(|e| e.contains("project `dev` is not in the loaded registry")));
    // A Minimal store's ephemeral SQLite online store is rebuilt by materializing.
    assert!(minimal.components[1]
        .evidence
        .iter()
        .any(|e| e.starts_with("ephemeral")));
}

#[test]
fn keys_parse_strictly() {
    assert_eq!(parse_key("ns/name"), Ok(("ns".into(), "name".into())));
    for bad in ["ns", "/name", "ns/", "a/b/c"] {
        assert!(parse_key(bad).is_err(), "{bad}");
    }
}
