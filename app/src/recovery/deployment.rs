//! The recovery-priority table per deployment: each FeatureStore's spec (registry, online and
//! offline persistence) combined with the configured probes that apply to it.
//!
//! A probe applies to a deployment when its scope says so ([`ProbeScope`]): by default
//! ([`ProbeScope::ByKind`]) to every deployment whose spec declares a store of the probe's
//! kind (the PostgreSQL registry probe to `sql` registry DBs, the registry file probe to file
//! registries on a PVC, the Redis probe to Redis online stores, the warehouse SLA to DB
//! offline stores); with an explicit list (`recovery_*_deployments` keys) only to the listed
//! `namespace/name`s. Where no probe applies, the row says so and keeps what the spec alone
//! tells (an ephemeral registry file loses every change on restart: breached). Secrets are
//! never read: only the name of the referenced Secret is shown.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::assess::{assess_operator, readiness, Assessment, Inputs, Readiness, TopologyClass};
use super::evidence::ByProject;
use super::probe_scope::ProbeAttachments;
use crate::topology::cluster::ResolvedRegistry;
use crate::topology::crd::{DbStore, FeatureStore};
use crate::topology::{analyze, ClusterSnapshot, TopologyKind};

/// One deployment's table, in recovery order, with its readiness line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeploymentRecovery {
    pub namespace: String,
    pub name: String,
    pub project: Option<String>,
    /// From the deployment's own classification in the topology source.
    pub topology: TopologyClass,
    pub readiness: Readiness,
    pub components: Vec<Assessment>,
}

impl DeploymentRecovery {
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// GitOps ownership marks the guide's "declarative, stored in Git" relies on.
pub fn is_gitops_key(key: &str) -> bool {
    key.starts_with("argocd.argoproj.io/")
        || key.starts_with("kustomize.toolkit.fluxcd.io/")
        || key.starts_with("helm.toolkit.fluxcd.io/")
        || key == "app.kubernetes.io/managed-by"
}

pub fn is_gitops_managed(fs: &FeatureStore) -> bool {
    fs.metadata
        .labels
        .keys()
        .chain(fs.metadata.annotations.keys())
        .any(|k| is_gitops_key(k))
}

pub fn class_of(kind: TopologyKind) -> TopologyClass {
    match kind {
        TopologyKind::Minimal => TopologyClass::Minimal,
        TopologyKind::Standard => TopologyClass::Standard,
        TopologyKind::EnterpriseIsolated | TopologyKind::EnterpriseShared => {
            TopologyClass::Enterprise
        }
    }
}

/// The Secret names a FeatureStore's stores refer to (registry, online, offline); the
/// Secrets themselves are never read.
fn secret_names(fs: &FeatureStore) -> [Option<String>; 3] {
    let spec = fs
        .status
        .as_ref()
        .and_then(|s| s.applied.as_ref())
        .unwrap_or(&fs.spec);
    let services = spec.services.as_ref();
    let name = |s: Option<&DbStore>| s.and_then(|s| s.secret_ref.as_ref()?.name.clone());
    [
        name(
            services
                .and_then(|s| s.registry.as_ref()?.local.as_ref()?.persistence.as_ref())
                .and_then(|p| p.store.as_ref()),
        ),
        name(
            services
                .and_then(|s| s.online_store.as_ref()?.persistence.as_ref())
                .and_then(|p| p.store.as_ref()),
        ),
        name(
            services
                .and_then(|s| s.offline_store.as_ref()?.persistence.as_ref())
                .and_then(|p| p.store.as_ref()),
        ),
    ]
}

/// Every FeatureStore in the snapshot, in the topology's order.
pub fn assess_deployments(
    i: &Inputs,
    snapshot: &ClusterSnapshot,
    attach: &ProbeAttachments,
    by_project: &ByProject,
) -> Vec<DeploymentRecovery> {
    let topology = analyze(snapshot);
    let mut out: Vec<DeploymentRecovery> = topology
        .feature_stores
        .iter()
        .map(|f| {
            let facts = &f.facts;
            let key = format!("{}/{}", facts.namespace, facts.name);
            let store = snapshot.feature_stores.iter().find(|s| {
                s.metadata.name == facts.name
                    && s.metadata.namespace_or_default() == facts.namespace
            });
            let secrets = store.map(secret_names).unwrap_or_default();
            let class = class_of(f.kind);
            let mut di = i.clone();
            di.topology = Some(class);
            let registry = super::deployment_stores::registry_row(
                &di,
                &facts.registry,
                secrets[0].as_deref(),
                attach,
                &key,
            );
            let online = super::deployment_stores::online_row(
                &mut di,
                facts.online_store.as_ref(),
                secrets[1].as_deref(),
                attach,
                &key,
                facts.project.as_deref(),
                by_project,
            );
            let offline = super::deployment_stores::offline_row(
                &di,
                facts.offline_store.as_ref(),
                secrets[2].as_deref(),
                attach,
                &key,
            );
            let operator = operator_row(&mut di, store);
            let components = vec![registry, online, offline, operator];
            DeploymentRecovery {
                namespace: facts.namespace.clone(),
                name: facts.name.clone(),
                project: facts.project.clone(),
                topology: class,
                readiness: readiness(&components),
                components,
            }
        })
        .collect();
    // A remote registry (by feastRef, or by the operator Service hostname of a known store) is
    // only as recoverable as the deployment that serves it.
    let served: BTreeMap<String, Assessment> = out
        .iter()
        .map(|d| (d.key(), d.components[0].clone()))
        .collect();
    for d in out.iter_mut() {
        let resolved = topology
            .cluster
            .resolved
            .get(&(d.namespace.clone(), d.name.clone()));
        let Some(ResolvedRegistry::FeatureStore { namespace, name }) = resolved else {
            continue;
        };
        let target = format!("{namespace}/{name}");
        if let Some(row) = served.get(&target).filter(|_| target != d.key()) {
            let mut row = row.clone();
            row.evidence.insert(
                0,
                format!("spec: remote registry served by FeatureStore {target}; its row follows"),
            );
            row.reason = format!("as the registry of {target}: {}", row.reason);
            d.components[0] = row;
            d.readiness = readiness(&d.components);
        }
    }
    out
}

/// The operator and CRDs are shared; this deployment's part is whether its own FeatureStore
/// can be re-applied from Git.
fn operator_row(di: &mut Inputs, store: Option<&FeatureStore>) -> Assessment {
    if let (Some(op), Some(fs)) = (di.operator.as_mut(), store) {
        op.feature_stores = 1;
        op.crd_v1 = usize::from(fs.api_version == "feast.dev/v1");
        op.gitops_managed = usize::from(is_gitops_managed(fs));
        op.source_errors = 0;
    }
    let mut a = assess_operator(di);
    if let Some(op) = &di.operator {
        a.evidence.insert(
            0,
            format!("shared by every deployment; read from {}", op.source),
        );
    }
    a
}

/// The deployment with this key, from a list of results.
pub fn find<'a>(
    deployments: &'a [DeploymentRecovery],
    namespace: &str,
    name: &str,
) -> Option<&'a DeploymentRecovery> {
    deployments
        .iter()
        .find(|d| d.namespace == namespace && d.name == name)
}

/// Parses `namespace/name` (the CLI's `--deployment`, the config's lists).
pub fn parse_key(text: &str) -> Result<(String, String), String> {
    match text.trim().split_once('/') {
        Some((ns, name)) if !ns.is_empty() && !name.is_empty() && !name.contains('/') => {
            Ok((ns.to_string(), name.to_string()))
        }
        _ => Err(format!("`{}` is not NAMESPACE/NAME", text.trim())),
    }
}
