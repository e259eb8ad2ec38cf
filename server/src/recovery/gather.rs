//! One probe round: runs every configured probe and assembles the assessment's inputs. Probes
//! run concurrently; each one turns its own failure into evidence, so a round never fails.

use std::sync::Arc;

use app::catalog::model::Detail;
use app::recovery::assess::{Inputs, TopologyClass};
pub use app::recovery::deployment::is_gitops_key;
use app::recovery::deployment::{assess_deployments, DeploymentRecovery};
use app::recovery::evidence::{
    materialization_history, BackupEvidence, ByProject, OfflineEvidence, OnlineEvidence,
    OperatorEvidence, RedisEvidence, RegistryEvidence,
};
use app::recovery::probe_scope::{ProbeAttachments, RegistryProbeKind};
use app::topology::{analyze, ClusterSnapshot, TopologyKind};

use super::sources::{registry_target, RegistryTarget, Sources};
use super::{redis, registry_probe};
use crate::config::recovery::RecoveryConfig;
use crate::registry::snapshot::RegistrySnapshot;

async fn backup(
    config: &RecoveryConfig,
    topology: Option<&ClusterSnapshot>,
) -> Option<BackupEvidence> {
    if let Some((ns, name)) = &config.backup_cronjob {
        return Some(backup_from_cronjob(topology, ns, name));
    }
    if let Some(cmd) = &config.backup_command {
        return Some(registry_probe::backup_from_command(cmd).await);
    }
    config
        .backup_file
        .as_deref()
        .map(registry_probe::backup_from_file)
}

/// The last success of the backup CronJob `namespace/name`, as the topology source read it.
pub fn backup_from_cronjob(
    topology: Option<&ClusterSnapshot>,
    namespace: &str,
    name: &str,
) -> BackupEvidence {
    let source = format!("CronJob {namespace}/{name}");
    let Some(snapshot) = topology else {
        return BackupEvidence::Failed {
            source,
            reason: "no topology source to read the CronJob from".into(),
        };
    };
    let found = snapshot
        .cron_jobs
        .iter()
        .find(|c| c.metadata.name == name && c.metadata.namespace_or_default() == namespace);
    match found {
        None => BackupEvidence::Failed {
            source,
            reason: "not found in the topology source (is it in the cluster or the manifests?)"
                .into(),
        },
        Some(c) => match c.status.last_successful_time.as_deref() {
            None => BackupEvidence::Failed {
                source,
                reason: "it has never succeeded (no status.lastSuccessfulTime)".into(),
            },
            Some(t) => match registry_probe::parse_time(t) {
                Some(at) => BackupEvidence::At { at, source },
                None => BackupEvidence::Failed {
                    source,
                    reason: format!("status.lastSuccessfulTime `{t}` is not a time"),
                },
            },
        },
    }
}

/// The operator and CRD evidence from a topology snapshot (GitOps marks in labels or
/// annotations).
pub fn operator_evidence(source: &str, snapshot: &ClusterSnapshot, now: i64) -> OperatorEvidence {
    let operator = snapshot.deployments.iter().find(|d| {
        d.metadata.name.contains("feast-operator")
            || d.metadata
                .labels
                .get("app.kubernetes.io/name")
                .is_some_and(|v| v == "feast-operator")
    });
    OperatorEvidence {
        observed_at: now,
        source: source.to_string(),
        feature_stores: snapshot.feature_stores.len(),
        crd_v1: snapshot
            .feature_stores
            .iter()
            .filter(|f| f.api_version == "feast.dev/v1")
            .count(),
        operator_deployment: operator.map(|d| {
            let desired = d.spec.replicas.unwrap_or(1);
            let ready = d
                .status
                .as_ref()
                .and_then(|s| s.ready_replicas)
                .unwrap_or(0);
            (d.metadata.name.clone(), ready, desired)
        }),
        gitops_managed: snapshot
            .feature_stores
            .iter()
            .filter(|f| {
                f.metadata
                    .labels
                    .keys()
                    .chain(f.metadata.annotations.keys())
                    .any(|k| is_gitops_key(k))
            })
            .count(),
        source_errors: snapshot.errors.len(),
    }
}

/// The most demanding class in the topology: a Minimal store among Standard ones does not
/// make manual backups acceptable for the others.
pub fn topology_class(snapshot: &ClusterSnapshot) -> Option<TopologyClass> {
    analyze(snapshot)
        .feature_stores
        .iter()
        .map(|f| match f.kind {
            TopologyKind::Minimal => TopologyClass::Minimal,
            TopologyKind::Standard => TopologyClass::Standard,
            TopologyKind::EnterpriseIsolated | TopologyKind::EnterpriseShared => {
                TopologyClass::Enterprise
            }
        })
        .max_by_key(|c| match c {
            TopologyClass::Minimal => 0,
            TopologyClass::Standard => 1,
            TopologyClass::Enterprise => 2,
        })
}

pub async fn gather(
    sources: &Sources,
    registry: Option<Arc<RegistrySnapshot>>,
    now: i64,
) -> Inputs {
    let c = &sources.config;
    let topology = sources.topology.as_ref().and_then(|(_, h)| h.snapshot());
    let topology = topology.as_deref();
    let demo = sources.demo.as_deref();
    let registry_evidence = async {
        match registry_target(c, &sources.registries) {
            RegistryTarget::Postgres(url) => {
                let url = url
                    .replacen("postgresql+psycopg2://", "postgresql://", 1)
                    .replacen("postgresql+psycopg://", "postgresql://", 1);
                registry_probe::probe_postgres(&url, backup(c, topology).await, now).await
            }
            RegistryTarget::File(p) => {
                let backup = match backup(c, topology).await {
                    Some(b) => Some(b),
                    None => demo.and_then(|d| super::demo::backup(d, &p)),
                };
                registry_probe::probe_file(&p, backup, now)
            }
            RegistryTarget::None => RegistryEvidence::NotConfigured,
        }
    };
    let redis_evidence = async {
        match c.redis_url.as_deref().map(redis::RedisTarget::parse) {
            None if demo.is_some() => super::demo::redis(now),
            None => RedisEvidence::NotConfigured,
            Some(Ok(t)) => redis::probe(&t, now).await,
            Some(Err(reason)) => RedisEvidence::Unreachable {
                observed_at: now,
                reason,
            },
        }
    };
    let (registry_evidence, redis_evidence) = tokio::join!(registry_evidence, redis_evidence);
    let materialization = registry.map(|s| {
        materialization_history(s.objects.iter().filter_map(|o| match &o.detail {
            Detail::View(v) => Some(v),
            _ => None,
        }))
    });
    Inputs {
        now,
        objectives: c.objectives.clone(),
        topology: c.topology.or_else(|| {
            sources
                .topology
                .as_ref()
                .and_then(|(_, h)| h.snapshot())
                .and_then(|s| topology_class(&s))
        }),
        // Three missed rounds (at least five minutes) before evidence counts as stale.
        stale_after_seconds: (c.probe_seconds * 3).max(300),
        registry: registry_evidence,
        online: OnlineEvidence {
            redis: redis_evidence,
            materialization,
            seconds_per_day_of_data: c.materialization_seconds_per_day as f64,
        },
        offline: OfflineEvidence {
            sla: c
                .offline_sla
                .clone()
                .or_else(|| demo.is_some().then(|| super::demo::OFFLINE_SLA.to_string())),
        },
        operator: sources
            .topology
            .as_ref()
            .and_then(|(name, h)| h.snapshot().map(|s| operator_evidence(name, &s, now))),
    }
}

/// How the configured probes attach to deployments (see `app::recovery::deployment`).
pub fn attachments(sources: &Sources) -> ProbeAttachments {
    let c = &sources.config;
    ProbeAttachments {
        registry_probe: match registry_target(c, &sources.registries) {
            RegistryTarget::Postgres(_) => Some(RegistryProbeKind::Postgres),
            RegistryTarget::File(_) => Some(RegistryProbeKind::File),
            RegistryTarget::None => None,
        },
        registry: c.registry_deployments.clone(),
        redis: c.redis_deployments.clone(),
        offline_sla: c.offline_sla_deployments.clone(),
    }
}

/// Materialization history per Feast project of the loaded registry.
pub fn materialization_by_project(registry: Option<&RegistrySnapshot>) -> ByProject {
    let registry = registry?;
    let mut views: std::collections::BTreeMap<&str, Vec<&app::catalog::model::ViewDetail>> =
        Default::default();
    for o in &registry.objects {
        if let Detail::View(v) = &o.detail {
            views.entry(o.project.as_str()).or_default().push(v);
        }
    }
    Some(
        views
            .into_iter()
            .map(|(p, v)| (p.to_string(), materialization_history(v)))
            .collect(),
    )
}

/// One table per FeatureStore in the topology source; none without a source.
pub fn gather_deployments(
    sources: &Sources,
    inputs: &Inputs,
    registry: Option<&RegistrySnapshot>,
) -> Vec<DeploymentRecovery> {
    let Some(snapshot) = sources.topology.as_ref().and_then(|(_, h)| h.snapshot()) else {
        return Vec::new();
    };
    let (inputs, attach) = super::demo::without_demo(sources, inputs, attachments(sources));
    assess_deployments(
        &inputs,
        &snapshot,
        &attach,
        &materialization_by_project(registry),
    )
}
