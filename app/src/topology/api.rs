//! The topology area's API: its server functions, the `TopologyBackend` the server implements
//! for them, and what the pages receive (plain data, built from a report).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::checklist::CheckStatus;
use super::report::{FeatureStoreReport, TopologyReport};
use crate::util::severity::Severity;

/// A rendered diagram: the SVG to show and the Mermaid source to copy.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagramView {
    pub svg: Option<String>,
    pub mermaid: String,
    /// Why there is no SVG, when there is none.
    pub error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreRow {
    pub namespace: String,
    pub name: String,
    pub class_id: String,
    pub class_label: String,
    pub phase: Option<String>,
    pub replicas: String,
    /// Short capability badges: "HA", "HPA", "TLS", "authz: oidc", "shared registry", ...
    pub badges: Vec<String>,
    pub errors: usize,
    pub warnings: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopologyOverview {
    /// Where the snapshot came from (a folder, a cluster).
    pub source: String,
    /// Seconds since the snapshot was last confirmed current; None before the first read.
    pub age_seconds: Option<u64>,
    /// The last refresh error; the previous snapshot stays in use.
    pub refresh_error: Option<String>,
    pub stores: Vec<StoreRow>,
    pub tenants: Vec<String>,
    pub shared_registries: Vec<String>,
    /// Reading problems, as `location: message`.
    pub errors: Vec<String>,
    pub diagram: DiagramView,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRow {
    pub label: String,
    pub expected: String,
    pub status: String,
    pub gap: bool,
    pub evidence: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViolationRow {
    pub rule: String,
    pub severity: String,
    pub message: String,
    pub fix: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureStoreDetail {
    pub row: StoreRow,
    pub reasons: Vec<String>,
    pub checklist: Vec<CheckRow>,
    /// Why the API server would refuse the object as written (its CRD's schema and rules),
    /// each as `field: reason` in the API server's words.
    pub refusal: Vec<String>,
    /// Warnings from the CRD: pruned fields, rules the console could not evaluate.
    pub crd_warnings: Vec<String>,
    pub violations: Vec<ViolationRow>,
    /// (type, status, reason, message)
    pub conditions: Vec<(String, String, String, String)>,
    pub service_hostnames: Vec<(String, String)>,
    pub diagram: DiagramView,
}

/// How server functions reach the topology: the server puts one in the request context (the
/// sources and the SVG renderer live in the server crate, which this crate cannot name).
#[cfg(feature = "ssr")]
#[crate::backend::async_trait]
pub trait TopologyBackend: Send + Sync {
    /// The last snapshot read; a failed refresh is shown in the overview, not as an error.
    async fn overview(&self) -> TopologyOverview;
    async fn feature_store(&self, namespace: &str, name: &str) -> Option<FeatureStoreDetail>;
}

pub fn store_row(f: &FeatureStoreReport, report: &TopologyReport) -> StoreRow {
    let facts = &f.facts;
    let mut badges = Vec::new();
    if facts.scaling.is_highly_available() {
        badges.push("HA".to_string());
    }
    if facts.scaling.has_autoscaling() {
        badges.push("HPA".into());
    }
    if facts.pdb.exists() {
        badges.push("PDB".into());
    }
    if !facts.servers_with_tls().is_empty() || facts.has_tls_ingress() {
        badges.push("TLS".into());
    }
    badges.push(format!(
        "authz: {}",
        match facts.authz {
            super::facts::Authz::None => "none",
            super::facts::Authz::Kubernetes { .. } => "kubernetes",
            super::facts::Authz::Oidc => "oidc",
        }
    ));
    if !report.cluster.shared_registries_of(&facts.key()).is_empty() {
        badges.push("shared registry".into());
    }
    if !facts.network_policies.is_empty() {
        badges.push("NetworkPolicy".into());
    }
    if !facts.metrics_servers().is_empty() {
        badges.push("metrics".into());
    }
    let count = |s| f.violations.iter().filter(|v| v.severity == s).count();
    let replicas = match (facts.status.current_replicas, facts.status.desired_replicas) {
        (Some(c), Some(d)) => format!("{c}/{d} ({})", facts.scaling.describe()),
        (Some(c), None) => format!("{c} ({})", facts.scaling.describe()),
        _ => facts.scaling.describe(),
    };
    StoreRow {
        namespace: facts.namespace.clone(),
        name: facts.name.clone(),
        class_id: f.kind.id().to_string(),
        class_label: f.kind.label().to_string(),
        phase: facts.status.phase.clone(),
        replicas,
        badges,
        errors: count(Severity::Error) + f.admission.errors.len(),
        warnings: count(Severity::Warning),
    }
}

pub fn overview(report: &TopologyReport, source: &str, diagram: DiagramView) -> TopologyOverview {
    TopologyOverview {
        source: source.to_string(),
        age_seconds: None,
        refresh_error: None,
        stores: report
            .feature_stores
            .iter()
            .map(|f| store_row(f, report))
            .collect(),
        tenants: report.cluster.tenants.clone(),
        shared_registries: report
            .cluster
            .shared_registries
            .iter()
            .map(|s| {
                let users: Vec<String> =
                    s.users.iter().map(|(ns, n)| format!("{ns}/{n}")).collect();
                format!("{} used by {}", s.provider, users.join(", "))
            })
            .collect(),
        errors: report
            .errors
            .iter()
            .map(|e| format!("{}: {}", e.location, e.message))
            .collect(),
        diagram,
    }
}

pub fn detail(
    f: &FeatureStoreReport,
    report: &TopologyReport,
    diagram: DiagramView,
) -> FeatureStoreDetail {
    FeatureStoreDetail {
        row: store_row(f, report),
        reasons: f.reasons.clone(),
        checklist: f
            .checklist
            .iter()
            .map(|c| CheckRow {
                label: c.label.to_string(),
                expected: c.expected.to_string(),
                status: match c.status {
                    CheckStatus::Met => "met",
                    CheckStatus::Partial => "partial",
                    CheckStatus::Missing => "missing",
                    CheckStatus::NotApplicable => "n/a",
                }
                .to_string(),
                gap: c.gap,
                evidence: c.evidence.clone(),
            })
            .collect(),
        refusal: f.admission.errors.iter().map(ToString::to_string).collect(),
        crd_warnings: f
            .admission
            .pruning_warnings()
            .into_iter()
            .chain(
                f.admission
                    .unevaluated
                    .iter()
                    .map(|u| format!("CEL rule not evaluated: {u}")),
            )
            .collect(),
        violations: f
            .violations
            .iter()
            .map(|v| ViolationRow {
                rule: v.rule.to_string(),
                severity: v.severity.word().to_string(),
                message: v.message.clone(),
                fix: v.fix.clone(),
            })
            .collect(),
        conditions: f
            .facts
            .status
            .conditions
            .iter()
            .map(|c| {
                (
                    c.condition_type.clone(),
                    c.status.clone(),
                    c.reason.clone().unwrap_or_default(),
                    c.message.clone().unwrap_or_default(),
                )
            })
            .collect(),
        service_hostnames: f.facts.status.service_hostnames.clone(),
        diagram,
    }
}

#[cfg(feature = "ssr")]
const NOT_CONNECTED: &str = "no cluster or manifests folder is connected";

#[server(prefix = "/api/viewer")]
pub async fn load_topology_overview() -> Result<TopologyOverview, ServerFnError> {
    crate::auth::require(crate::auth::ConsoleRole::Viewer)?;
    let backend = crate::backend::from_context::<dyn TopologyBackend>(NOT_CONNECTED)?;
    Ok(backend.overview().await)
}

#[server(prefix = "/api/viewer")]
pub async fn load_topology_feature_store(
    namespace: String,
    name: String,
) -> Result<Option<FeatureStoreDetail>, ServerFnError> {
    crate::auth::require(crate::auth::ConsoleRole::Viewer)?;
    let backend = crate::backend::from_context::<dyn TopologyBackend>(NOT_CONNECTED)?;
    Ok(backend.feature_store(&namespace, &name).await)
}
