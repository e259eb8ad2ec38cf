//! The guide's advice: what a FeatureStore of its topology should have. Each violation carries
//! its severity and the fix. What the API server would refuse is not here: that is the CRD's
//! own schema and rules, evaluated by `topology::admission`.

use serde::Serialize;

use super::classify::TopologyKind;
use super::cluster::{ClusterFacts, ResolvedRegistry};
use super::facts::{Authz, CacheMode, FeatureStoreFacts, Persistence, RegistryFacts};
use crate::util::severity::Severity;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub fix: String,
}

/// Rule identifiers, stable for scripts and docs/topology-rules.md.
pub mod rule {
    pub const SYNC_CACHE_MANY_COPIES: &str = "registry-cache-sync-many-copies";
    pub const HPA_WITHOUT_PDB: &str = "hpa-without-pdb";
    pub const FILE_REGISTRY_IN_PRODUCTION: &str = "file-registry-in-production";
    pub const NO_TLS: &str = "no-tls";
    pub const REMOTE_REGISTRY_MISSING: &str = "remote-registry-missing";
    pub const SHARED_REGISTRY_WITHOUT_AUTH: &str = "shared-registry-without-auth";
    pub const ENTERPRISE_WITHOUT_NETWORK_POLICY: &str = "enterprise-without-network-policy";
}

/// More registry copies than this, all refreshing synchronously, risks refresh storms (the
/// guide's example: 5 replicas x 4 workers = 20 copies).
pub const MANY_REGISTRY_COPIES: i64 = 4;

pub fn check(fs: &FeatureStoreFacts, kind: TopologyKind, cluster: &ClusterFacts) -> Vec<Violation> {
    let mut out = Vec::new();
    guide_rules(fs, kind, cluster, &mut out);
    out.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.rule.cmp(b.rule)));
    out
}

fn push(
    out: &mut Vec<Violation>,
    rule: &'static str,
    severity: Severity,
    message: String,
    fix: &str,
) {
    out.push(Violation {
        rule,
        severity,
        message,
        fix: fix.to_string(),
    });
}

fn guide_rules(
    fs: &FeatureStoreFacts,
    kind: TopologyKind,
    cluster: &ClusterFacts,
    out: &mut Vec<Violation>,
) {
    let copies = fs.registry_cache_copies();
    if let RegistryFacts::Local { cache_mode, .. } = &fs.registry {
        if copies > MANY_REGISTRY_COPIES {
            match cache_mode {
                CacheMode::Sync => push(
                    out,
                    rule::SYNC_CACHE_MANY_COPIES,
                    Severity::Warning,
                    format!("up to {copies} registry copies (replicas x workers) refresh with cache_mode sync: latency spikes when their TTLs expire together"),
                    "set cache_mode: thread with cache_ttl_seconds: 300, and workerConfigs.registryTTLSeconds: 300",
                ),
                CacheMode::InSecret => push(
                    out,
                    rule::SYNC_CACHE_MANY_COPIES,
                    Severity::Info,
                    format!("up to {copies} registry copies (replicas x workers); cache_mode is in the registry Secret, which the console does not read, and defaults to sync"),
                    "make sure the registry Secret sets cache_mode: thread and cache_ttl_seconds: 300",
                ),
                CacheMode::Thread | CacheMode::None => {}
            }
        }
    }
    if fs.scaling.has_autoscaling() && !fs.pdb.exists() {
        push(
            out,
            rule::HPA_WITHOUT_PDB,
            Severity::Warning,
            "autoscaled without a PodDisruptionBudget: a node drain can take every pod at once"
                .into(),
            "set services.podDisruptionBudgets (e.g. maxUnavailable: 1)",
        );
    }
    if kind != TopologyKind::Minimal {
        if let RegistryFacts::Local {
            persistence: p @ Persistence::File { .. },
            ..
        } = &fs.registry
        {
            push(
                out,
                rule::FILE_REGISTRY_IN_PRODUCTION,
                Severity::Warning,
                format!("{} topology with its registry in a file ({}): file registries rewrite the whole file on each write (one writer only)", kind.label(), p.describe()),
                "use a SQL registry: services.registry.local.persistence.store with type: sql",
            );
        }
        if fs.servers_with_tls().is_empty() && !fs.has_tls_ingress() {
            push(
                out,
                rule::NO_TLS,
                Severity::Warning,
                format!("{} topology without TLS: no server TLS and no TLS Ingress or Route", kind.label()),
                "set tls.secretRef on the servers, or expose them through an Ingress or Route with TLS",
            );
        }
    }
    match cluster.resolved.get(&fs.key()) {
        Some(ResolvedRegistry::Missing { namespace, name, via }) => push(
            out,
            rule::REMOTE_REGISTRY_MISSING,
            Severity::Error,
            format!("remote registry ({via}) points to FeatureStore {namespace}/{name}, which does not exist"),
            "fix services.registry.remote (feastRef name and namespace, or hostname), or create that FeatureStore",
        ),
        Some(ResolvedRegistry::NotLocal { namespace, name }) => push(
            out,
            rule::REMOTE_REGISTRY_MISSING,
            Severity::Error,
            format!("remote registry points to FeatureStore {namespace}/{name}, which has no local registry to serve"),
            "point services.registry.remote at the FeatureStore that runs the registry server",
        ),
        _ => {}
    }
    if fs.authz == Authz::None && !cluster.shared_registries_of(&fs.key()).is_empty() {
        push(
            out,
            rule::SHARED_REGISTRY_WITHOUT_AUTH,
            Severity::Error,
            "part of a shared registry setup with authz off: Feast permissions cannot keep tenants apart".into(),
            "set spec.authz.kubernetes (or oidc) on every FeatureStore that serves or uses the shared registry",
        );
    }
    if kind.is_enterprise() && fs.network_policies.is_empty() {
        push(
            out,
            rule::ENTERPRISE_WITHOUT_NETWORK_POLICY,
            Severity::Warning,
            format!("{} topology but no NetworkPolicy selects the FeatureStore's pods (the guide: enforced)", kind.label()),
            "add a NetworkPolicy denying cross-namespace traffic, allow-listing the shared registry",
        );
    }
}
