//! The capability rows of the guide's "Topology Comparison" table, each with what the
//! FeatureStore's class expects, what it has, and the evidence.

use serde::Serialize;

use super::classify::TopologyKind;
use super::cluster::ClusterFacts;
use super::facts::{Authz, FeatureStoreFacts, Persistence, RegistryFacts};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    HighAvailability,
    Autoscaling,
    TlsIngress,
    Rbac,
    MultiTenancy,
    SharedRegistry,
    HybridStores,
    Observability,
    DisasterRecovery,
    NetworkPolicies,
}

impl Capability {
    pub const ALL: [Capability; 10] = [
        Capability::HighAvailability,
        Capability::Autoscaling,
        Capability::TlsIngress,
        Capability::Rbac,
        Capability::MultiTenancy,
        Capability::SharedRegistry,
        Capability::HybridStores,
        Capability::Observability,
        Capability::DisasterRecovery,
        Capability::NetworkPolicies,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Capability::HighAvailability => "High availability",
            Capability::Autoscaling => "Autoscaling",
            Capability::TlsIngress => "TLS / Ingress",
            Capability::Rbac => "RBAC",
            Capability::MultiTenancy => "Multi-tenancy",
            Capability::SharedRegistry => "Shared registry",
            Capability::HybridStores => "Hybrid stores",
            Capability::Observability => "Observability",
            Capability::DisasterRecovery => "Disaster recovery",
            Capability::NetworkPolicies => "Network policies",
        }
    }

    /// The table's cell for a class, verbatim.
    pub fn expected(self, kind: TopologyKind) -> &'static str {
        use Capability::*;
        let col = match kind {
            TopologyKind::Minimal => 0,
            TopologyKind::Standard => 1,
            TopologyKind::EnterpriseIsolated | TopologyKind::EnterpriseShared => 2,
        };
        let row: [&'static str; 3] = match self {
            HighAvailability => ["No", "Yes", "Yes"],
            Autoscaling => ["No", "HPA", "HPA + Cluster Autoscaler"],
            TlsIngress => ["No", "Yes", "Yes + API Gateway"],
            Rbac => ["No", "Kubernetes RBAC", "OIDC + fine-grained RBAC"],
            MultiTenancy => ["No", "No", "Namespace-per-team"],
            SharedRegistry => ["N/A", "N/A", "Optional (remote registry)"],
            HybridStores => ["No", "Optional", "Recommended for mixed backends"],
            Observability => [
                "Logs only",
                "Basic metrics",
                "OpenTelemetry + Prometheus + Grafana + Jaeger",
            ],
            DisasterRecovery => ["No", "Partial", "Full backup/restore"],
            NetworkPolicies => ["No", "Optional", "Enforced"],
        };
        row[col]
    }

    /// Whether the class requires it (a required capability not fully met is a gap).
    pub fn required(self, kind: TopologyKind) -> bool {
        use Capability::*;
        match kind {
            TopologyKind::Minimal => false,
            TopologyKind::Standard => {
                matches!(
                    self,
                    HighAvailability
                        | Autoscaling
                        | TlsIngress
                        | Rbac
                        | Observability
                        | DisasterRecovery
                )
            }
            TopologyKind::EnterpriseIsolated | TopologyKind::EnterpriseShared => {
                !matches!(self, SharedRegistry | HybridStores)
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Met,
    Partial,
    Missing,
    NotApplicable,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChecklistItem {
    pub capability: Capability,
    pub label: &'static str,
    pub expected: &'static str,
    pub status: CheckStatus,
    /// Required by the class and not fully met.
    pub gap: bool,
    pub evidence: String,
}

pub fn checklist(
    fs: &FeatureStoreFacts,
    kind: TopologyKind,
    cluster: &ClusterFacts,
) -> Vec<ChecklistItem> {
    Capability::ALL
        .iter()
        .map(|&capability| {
            let (status, evidence) = assess(capability, fs, kind, cluster);
            ChecklistItem {
                capability,
                label: capability.label(),
                expected: capability.expected(kind),
                gap: capability.required(kind) && !meets(capability, kind, status),
                status,
                evidence,
            }
        })
        .collect()
}

/// Whether a status satisfies the class: Standard asks only "Partial" disaster recovery.
fn meets(c: Capability, kind: TopologyKind, status: CheckStatus) -> bool {
    match status {
        CheckStatus::Met | CheckStatus::NotApplicable => true,
        CheckStatus::Partial => c == Capability::DisasterRecovery && kind == TopologyKind::Standard,
        CheckStatus::Missing => false,
    }
}

fn assess(
    c: Capability,
    fs: &FeatureStoreFacts,
    kind: TopologyKind,
    cluster: &ClusterFacts,
) -> (CheckStatus, String) {
    use CheckStatus::*;
    let s = &fs.scaling;
    match c {
        Capability::HighAvailability => match (s.is_highly_available(), fs.pdb.exists()) {
            (true, true) => (Met, format!("{}; disruption budget set", s.describe())),
            (true, false) => (Partial, format!("{}; no disruption budget", s.describe())),
            (false, _) => (Missing, s.describe()),
        },
        Capability::Autoscaling => match (s.autoscaling, s.hpa_objects.is_empty()) {
            (Some((min, max)), _) => (
                Met,
                format!("services.scaling.autoscaling: {min}-{max} replicas"),
            ),
            (None, false) => (
                Met,
                format!("HorizontalPodAutoscaler {}", s.hpa_objects.join(", ")),
            ),
            (None, true) => (Missing, format!("{} fixed replica(s)", s.replicas)),
        },
        Capability::TlsIngress => tls_ingress(fs),
        Capability::Rbac => match &fs.authz {
            Authz::Oidc => (Met, "authz: oidc".into()),
            // The guide's RBAC table recommends kubernetes for a shared registry, OIDC when isolated.
            Authz::Kubernetes { .. } if kind == TopologyKind::EnterpriseIsolated => (
                Partial,
                format!(
                    "authz: {} (the guide asks OIDC and per-team groups for isolated Enterprise)",
                    fs.authz.describe()
                ),
            ),
            Authz::Kubernetes { .. } => (Met, format!("authz: {}", fs.authz.describe())),
            Authz::None => (Missing, "no authz: every caller may do everything".into()),
        },
        Capability::MultiTenancy => {
            if cluster.tenants.len() >= 2 {
                (
                    Met,
                    format!(
                        "{} tenant namespaces: {}",
                        cluster.tenants.len(),
                        cluster.tenants.join(", ")
                    ),
                )
            } else {
                (
                    Missing,
                    format!(
                        "FeatureStores in {} namespace(s), {} with high availability",
                        cluster.namespaces.len(),
                        cluster.tenants.len()
                    ),
                )
            }
        }
        Capability::SharedRegistry => {
            let shared = cluster.shared_registries_of(&fs.key());
            match (&fs.registry, shared.first()) {
                (_, Some(s)) => (
                    Met,
                    format!(
                        "registry {} used by {} FeatureStore(s)",
                        s.provider,
                        s.users.len()
                    ),
                ),
                (RegistryFacts::Remote { .. }, None) => (
                    Partial,
                    "remote registry, not shared with another FeatureStore here".into(),
                ),
                (RegistryFacts::Local { .. }, None) => {
                    (NotApplicable, "isolated: its own local registry".into())
                }
            }
        }
        Capability::HybridStores => {
            if fs.uses_hybrid_store() {
                (Met, "online or offline store of type hybrid".into())
            } else {
                (NotApplicable, "one backend per store".into())
            }
        }
        Capability::Observability => {
            let m = fs.metrics_servers();
            if m.is_empty() {
                (Missing, "no server exposes metrics: logs only".into())
            } else {
                let names: Vec<&str> = m.iter().map(|k| k.label()).collect();
                // Tracing (OpenTelemetry, Jaeger) is set up outside the CR: never "met" for Enterprise from here.
                let status = if kind.is_enterprise() { Partial } else { Met };
                (
                    status,
                    format!("Prometheus metrics on {}", names.join(", ")),
                )
            }
        }
        Capability::DisasterRecovery => {
            let registry_db = matches!(
                &fs.registry,
                RegistryFacts::Local {
                    persistence: Persistence::Db { .. },
                    ..
                } | RegistryFacts::Remote { .. }
            );
            let online_db = fs.online_store.as_ref().is_none_or(|p| !p.is_file());
            match (registry_db, online_db) {
                (true, true) => (Partial, "registry and online store are DB-backed; backups are the databases' (see Recovery)".into()),
                (true, false) => (Partial, "registry DB-backed; online store is a file (rebuilt by materialization)".into()),
                (false, _) => (Missing, "file registry: manual file backups only".into()),
            }
        }
        Capability::NetworkPolicies => {
            if fs.network_policies.is_empty() {
                (
                    Missing,
                    format!(
                        "no NetworkPolicy in {} selects the FeatureStore's pods",
                        fs.namespace
                    ),
                )
            } else {
                (
                    Met,
                    format!("NetworkPolicy {}", fs.network_policies.join(", ")),
                )
            }
        }
    }
}

fn tls_ingress(fs: &FeatureStoreFacts) -> (CheckStatus, String) {
    let tls_servers = fs.servers_with_tls();
    let ways_in: Vec<String> = fs
        .exposures
        .iter()
        .map(|e| {
            format!(
                "{:?} {}{}",
                e.kind,
                e.name,
                if e.tls { " (TLS)" } else { " (no TLS)" }
            )
        })
        .collect();
    let evidence = format!(
        "server TLS on {} of {} servers; {}",
        tls_servers.len(),
        fs.servers.len(),
        if ways_in.is_empty() {
            "no Ingress or Route".to_string()
        } else {
            ways_in.join(", ")
        }
    );
    let all_servers_tls = !fs.servers.is_empty() && tls_servers.len() == fs.servers.len();
    if all_servers_tls || fs.has_tls_ingress() {
        (CheckStatus::Met, evidence)
    } else if !tls_servers.is_empty() || !fs.exposures.is_empty() {
        (CheckStatus::Partial, evidence)
    } else {
        (CheckStatus::Missing, evidence)
    }
}
