//! Minimal / Standard / Enterprise, from the guide's "Topology Comparison" table. The rows that
//! tell the topologies apart are high availability, multi-tenancy and shared registry; the
//! others (TLS, RBAC, observability, ...) are what a topology *should* have, so they are judged
//! by the checklist and the rules instead. See docs/topology-rules.md.

use serde::Serialize;

use super::cluster::{ClusterFacts, ResolvedRegistry};
use super::facts::FeatureStoreFacts;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TopologyKind {
    Minimal,
    Standard,
    EnterpriseIsolated,
    EnterpriseShared,
}

impl TopologyKind {
    /// Stable identifier used in JSON output.
    pub fn id(self) -> &'static str {
        match self {
            TopologyKind::Minimal => "minimal",
            TopologyKind::Standard => "standard",
            TopologyKind::EnterpriseIsolated => "enterprise_isolated",
            TopologyKind::EnterpriseShared => "enterprise_shared",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TopologyKind::Minimal => "Minimal",
            TopologyKind::Standard => "Standard",
            TopologyKind::EnterpriseIsolated => "Enterprise (isolated registries)",
            TopologyKind::EnterpriseShared => "Enterprise (shared registry)",
        }
    }

    /// For diagrams, whose labels keep to a plain alphabet.
    pub fn short_label(self) -> &'static str {
        match self {
            TopologyKind::Minimal => "Minimal",
            TopologyKind::Standard => "Standard",
            TopologyKind::EnterpriseIsolated => "Enterprise, isolated registries",
            TopologyKind::EnterpriseShared => "Enterprise, shared registry",
        }
    }

    pub fn is_enterprise(self) -> bool {
        matches!(
            self,
            TopologyKind::EnterpriseIsolated | TopologyKind::EnterpriseShared
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Classification {
    pub kind: TopologyKind,
    pub reasons: Vec<String>,
}

pub fn classify(fs: &FeatureStoreFacts, cluster: &ClusterFacts) -> Classification {
    let scaling = &fs.scaling;
    if !scaling.is_highly_available() {
        let mut reasons = vec![format!(
            "{}: fewer than 2 pods at all times, so no high availability (Minimal row of the comparison table)",
            scaling.describe()
        )];
        if !scaling.hpa_objects.is_empty() || scaling.autoscaling.is_some() {
            reasons.push(
                "autoscaling may drop to 1 replica; raise minReplicas to 2 for high availability"
                    .into(),
            );
        }
        return Classification {
            kind: TopologyKind::Minimal,
            reasons,
        };
    }
    let ha = format!(
        "{}: at least 2 pods, so highly available",
        scaling.describe()
    );

    let key = fs.key();
    let cross: Vec<String> = cluster
        .shared_registries_of(&key)
        .into_iter()
        .filter(|s| s.cross_namespace)
        .map(|s| {
            if s.provider_key.as_ref() == Some(&key) {
                let users: Vec<String> =
                    s.users.iter().map(|(ns, n)| format!("{ns}/{n}")).collect();
                format!(
                    "serves its registry to FeatureStores in other namespaces: {}",
                    users.join(", ")
                )
            } else {
                format!(
                    "uses the shared registry {} (remote registry across namespaces)",
                    s.provider
                )
            }
        })
        .collect();
    if !cross.is_empty() {
        let mut reasons = vec![ha];
        reasons.extend(cross);
        return Classification {
            kind: TopologyKind::EnterpriseShared,
            reasons,
        };
    }

    if cluster.tenants.len() >= 2 && cluster.tenants.contains(&fs.namespace) {
        let registry = match cluster.resolved.get(&key) {
            Some(ResolvedRegistry::FeatureStore { namespace, name }) => {
                format!("registry from {namespace}/{name} in the same namespace")
            }
            Some(ResolvedRegistry::External { hostname }) => {
                format!("registry at {hostname}, not shared across namespaces")
            }
            _ => "its own registry".into(),
        };
        let reasons = vec![
            ha,
            format!(
                "highly available FeatureStores in {} namespaces ({}): namespace-per-team multi-tenancy",
                cluster.tenants.len(),
                cluster.tenants.join(", ")
            ),
            registry,
        ];
        return Classification {
            kind: TopologyKind::EnterpriseIsolated,
            reasons,
        };
    }

    // This store is highly available, so its namespace is the only tenant.
    let tenancy = format!(
        "{} is the only namespace with a highly available FeatureStore: no multi-tenancy",
        fs.namespace
    );
    Classification {
        kind: TopologyKind::Standard,
        reasons: vec![ha, tenancy],
    }
}
