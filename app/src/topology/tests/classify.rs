use serde_json::json;

use super::*;
use crate::topology::checklist::{Capability, CheckStatus};
use crate::topology::TopologyKind;

#[test]
fn single_replica_is_minimal_with_reason() {
    let r = report(vec![fs("ml", "minimal", minimal_spec())]);
    let f = one(&r, "ml", "minimal");
    assert_eq!(f.kind, TopologyKind::Minimal);
    assert!(
        f.reasons[0].contains("no high availability"),
        "{:?}",
        f.reasons
    );
}

#[test]
fn hpa_with_min_one_is_still_minimal() {
    let mut spec = standard_spec();
    spec["services"]["scaling"]["autoscaling"]["minReplicas"] = json!(1);
    let f = one(&report(vec![fs("ml", "a", spec)]), "ml", "a");
    assert_eq!(f.kind, TopologyKind::Minimal);
    assert!(f.reasons.iter().any(|r| r.contains("minReplicas")));
}

#[test]
fn ha_in_one_namespace_is_standard() {
    let f = one(&report(vec![fs("ml", "std", standard_spec())]), "ml", "std");
    assert_eq!(f.kind, TopologyKind::Standard);
    assert!(f.reasons.iter().any(|r| r.contains("highly available")));
    assert!(f.reasons.iter().any(|r| r.contains("no multi-tenancy")));
}

#[test]
fn static_replicas_count_as_ha() {
    let mut spec = standard_spec();
    spec["replicas"] = json!(3);
    spec["services"]
        .as_object_mut()
        .map(|s| s.remove("scaling"));
    let f = one(&report(vec![fs("ml", "s", spec)]), "ml", "s");
    assert_eq!(f.kind, TopologyKind::Standard);
}

#[test]
fn ha_stores_in_two_namespaces_are_enterprise_isolated() {
    let r = report(vec![
        fs("team-a", "a", standard_spec()),
        fs("team-b", "b", standard_spec()),
    ]);
    for (ns, n) in [("team-a", "a"), ("team-b", "b")] {
        let f = one(&r, ns, n);
        assert_eq!(f.kind, TopologyKind::EnterpriseIsolated, "{ns}/{n}");
        assert!(f.reasons.iter().any(|r| r.contains("namespace-per-team")));
    }
}

#[test]
fn minimal_store_elsewhere_does_not_make_a_tenant() {
    let r = report(vec![
        fs("team-a", "a", standard_spec()),
        fs("sandbox", "m", minimal_spec()),
    ]);
    assert_eq!(one(&r, "team-a", "a").kind, TopologyKind::Standard);
    assert_eq!(r.cluster.tenants, vec!["team-a".to_string()]);
}

#[test]
fn remote_registry_across_namespaces_is_enterprise_shared() {
    let r = report(vec![
        fs("feast-system", "shared", standard_spec()),
        fs("team-a", "a", tenant_spec("feast-system", "shared")),
        fs("team-b", "b", tenant_spec("feast-system", "shared")),
    ]);
    for (ns, n) in [("feast-system", "shared"), ("team-a", "a"), ("team-b", "b")] {
        assert_eq!(
            one(&r, ns, n).kind,
            TopologyKind::EnterpriseShared,
            "{ns}/{n}"
        );
    }
    let provider = one(&r, "feast-system", "shared");
    assert!(
        provider.reasons.iter().any(|r| r.contains("team-a/a")),
        "{:?}",
        provider.reasons
    );
    assert_eq!(r.cluster.shared_registries.len(), 1);
    assert_eq!(r.cluster.shared_registries[0].users.len(), 2);
}

#[test]
fn remote_registry_by_operator_hostname_resolves() {
    let mut spec = tenant_spec("x", "y");
    spec["services"]["registry"] =
        json!({"remote": {"hostname": "feast-shared-registry.feast-system.svc.cluster.local:443"}});
    let r = report(vec![
        fs("feast-system", "shared", standard_spec()),
        fs("team-a", "a", spec),
    ]);
    assert_eq!(one(&r, "team-a", "a").kind, TopologyKind::EnterpriseShared);
}

#[test]
fn same_namespace_registry_is_not_cross_tenant() {
    let r = report(vec![
        fs("ml", "reg", standard_spec()),
        fs("ml", "client", tenant_spec("ml", "reg")),
    ]);
    assert_eq!(one(&r, "ml", "client").kind, TopologyKind::Standard);
}

#[test]
fn status_applied_wins_over_spec() {
    let mut o = fs("ml", "a", json!({"feastProject": "p"}));
    o["status"] = json!({"applied": standard_spec(), "phase": "Ready",
        "serviceHostnames": {"onlineStore": "feast-a-online.ml.svc.cluster.local:443"},
        "scalingStatus": {"currentReplicas": 2, "desiredReplicas": 3}});
    let f = one(&report(vec![o]), "ml", "a");
    assert_eq!(f.kind, TopologyKind::Standard);
    assert_eq!(
        f.facts.config_source,
        crate::topology::facts::ConfigSource::StatusApplied
    );
    assert_eq!(f.facts.status.phase.as_deref(), Some("Ready"));
    assert_eq!(f.facts.status.desired_replicas, Some(3));
    assert_eq!(f.facts.status.service_hostnames.len(), 1);
}

#[test]
fn checklist_covers_every_row_with_evidence() {
    let r = report(vec![fs("ml", "std", standard_spec()), network_policy("ml")]);
    let f = one(&r, "ml", "std");
    assert_eq!(f.checklist.len(), Capability::ALL.len());
    let get = |c| {
        f.checklist
            .iter()
            .find(|i| i.capability == c)
            .map(|i| (i.status, i.gap))
            .unwrap_or((CheckStatus::NotApplicable, false))
    };
    assert_eq!(get(Capability::HighAvailability), (CheckStatus::Met, false));
    assert_eq!(get(Capability::Autoscaling), (CheckStatus::Met, false));
    assert_eq!(get(Capability::Rbac), (CheckStatus::Met, false));
    assert_eq!(get(Capability::NetworkPolicies).0, CheckStatus::Met);
    assert_eq!(get(Capability::MultiTenancy).0, CheckStatus::Missing);
    assert!(f.checklist.iter().all(|i| !i.evidence.is_empty()));
}

#[test]
fn checklist_marks_gaps_for_the_class() {
    let mut spec = standard_spec();
    spec.as_object_mut().map(|s| s.remove("authz"));
    let f = one(&report(vec![fs("ml", "std", spec)]), "ml", "std");
    let rbac = f
        .checklist
        .iter()
        .find(|i| i.capability == Capability::Rbac)
        .cloned();
    assert!(rbac.is_some_and(|i| i.status == CheckStatus::Missing
        && i.gap
        && i.expected == "Kubernetes RBAC"));
}
