use serde_json::{json, Value};

use super::*;
use crate::topology::rules::rule;
use crate::util::severity::Severity;

fn rules_of(objects: Vec<Value>, ns: &str, name: &str) -> Vec<(&'static str, Severity)> {
    one(&report(objects), ns, name)
        .violations
        .iter()
        .map(|v| (v.rule, v.severity))
        .collect()
}

fn has(v: &[(&'static str, Severity)], rule: &str, severity: Severity) -> bool {
    v.iter().any(|(r, s)| *r == rule && *s == severity)
}

#[test]
fn clean_standard_store_has_no_errors() {
    let r = report(vec![fs("ml", "std", standard_spec())]);
    assert!(!r.has_errors(), "{:?}", one(&r, "ml", "std").violations);
}

/// The CRD's own rules (scaling with file stores, disruption budgets, replicas with autoscaling)
/// are the API server's, checked by `topology::admission` against the CRD itself
/// (server/tests/it/topology_admission.rs); here only the guide's advice remains.
#[test]
fn an_s3_file_registry_is_still_a_single_writer_in_production() {
    let mut spec = standard_spec();
    spec["services"]["registry"]["local"]["persistence"] =
        json!({"file": {"path": "s3://bucket/registry.db", "cache_mode": "thread"}});
    let v = rules_of(vec![fs("ml", "a", spec)], "ml", "a");
    assert!(has(
        &v,
        rule::FILE_REGISTRY_IN_PRODUCTION,
        Severity::Warning
    ));
}

#[test]
fn sync_registry_cache_with_many_copies() {
    let mut spec = standard_spec();
    spec["services"]["registry"]["local"]["persistence"] =
        json!({"file": {"path": "s3://b/registry.db", "cache_mode": "sync"}});
    let v = rules_of(vec![fs("ml", "a", spec.clone())], "ml", "a");
    assert!(has(&v, rule::SYNC_CACHE_MANY_COPIES, Severity::Warning));
    spec["services"]["registry"]["local"]["persistence"]["file"]["cache_mode"] = json!("thread");
    let v = rules_of(vec![fs("ml", "a", spec)], "ml", "a");
    assert!(!v.iter().any(|(r, _)| *r == rule::SYNC_CACHE_MANY_COPIES));
    // SQL registry: the mode is in the Secret, so only a reminder.
    let v = rules_of(vec![fs("ml", "b", standard_spec())], "ml", "b");
    assert!(has(&v, rule::SYNC_CACHE_MANY_COPIES, Severity::Info));
}

#[test]
fn hpa_without_pdb() {
    let mut spec = standard_spec();
    spec["services"]
        .as_object_mut()
        .map(|s| s.remove("podDisruptionBudgets"));
    let v = rules_of(vec![fs("ml", "a", spec.clone())], "ml", "a");
    assert!(has(&v, rule::HPA_WITHOUT_PDB, Severity::Warning));
    // A PodDisruptionBudget object selecting the pods counts too.
    let pdb = json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "p", "namespace": "ml"},
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"feast.dev/name": "a"}}}});
    let v = rules_of(vec![fs("ml", "a", spec), pdb], "ml", "a");
    assert!(!v.iter().any(|(r, _)| *r == rule::HPA_WITHOUT_PDB));
}

#[test]
fn file_registry_in_standard() {
    let mut spec = standard_spec();
    spec["services"]["registry"]["local"]["persistence"] =
        json!({"file": {"path": "/data/registry.db"}});
    let v = rules_of(vec![fs("ml", "a", spec)], "ml", "a");
    assert!(has(
        &v,
        rule::FILE_REGISTRY_IN_PRODUCTION,
        Severity::Warning
    ));
    // Not in Minimal.
    let v = rules_of(vec![fs("ml", "m", minimal_spec())], "ml", "m");
    assert!(!v
        .iter()
        .any(|(r, _)| *r == rule::FILE_REGISTRY_IN_PRODUCTION));
}

#[test]
fn no_tls_outside_minimal_and_tls_ingress_satisfies_it() {
    let mut spec = standard_spec();
    spec["services"]["onlineStore"]["server"] = json!({});
    spec["services"]["registry"]["local"]["server"] = json!({"restAPI": true});
    let v = rules_of(vec![fs("ml", "a", spec.clone())], "ml", "a");
    assert!(has(&v, rule::NO_TLS, Severity::Warning));
    let ingress = json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i", "namespace": "ml"},
        "spec": {"tls": [{"hosts": ["f.example.com"]}], "rules": [{"host": "f.example.com", "http": {"paths": [
            {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "feast-a-online", "port": {"number": 80}}}}]}}]}});
    let v = rules_of(vec![fs("ml", "a", spec), ingress], "ml", "a");
    assert!(!v.iter().any(|(r, _)| *r == rule::NO_TLS));
    let v = rules_of(vec![fs("ml", "m", minimal_spec())], "ml", "m");
    assert!(!v.iter().any(|(r, _)| *r == rule::NO_TLS));
}

#[test]
fn remote_registry_to_missing_feature_store() {
    let v = rules_of(
        vec![fs("team-a", "a", tenant_spec("feast-system", "nope"))],
        "team-a",
        "a",
    );
    assert!(has(&v, rule::REMOTE_REGISTRY_MISSING, Severity::Error));
    let mut spec = tenant_spec("x", "y");
    spec["services"]["registry"] =
        json!({"remote": {"hostname": "feast-gone-registry.other.svc.cluster.local:80"}});
    let v = rules_of(vec![fs("team-a", "a", spec)], "team-a", "a");
    assert!(has(&v, rule::REMOTE_REGISTRY_MISSING, Severity::Error));
}

#[test]
fn remote_registry_to_external_host_is_fine() {
    let mut spec = tenant_spec("x", "y");
    spec["services"]["registry"] = json!({"remote": {"hostname": "registry.example.com:6570"}});
    let v = rules_of(vec![fs("team-a", "a", spec)], "team-a", "a");
    assert!(!v.iter().any(|(r, _)| *r == rule::REMOTE_REGISTRY_MISSING));
}

#[test]
fn remote_registry_to_a_remote_store() {
    let r = vec![
        fs("a", "first", tenant_spec("b", "second")),
        fs("b", "second", tenant_spec("c", "third")),
    ];
    let v = rules_of(r, "a", "first");
    assert!(has(&v, rule::REMOTE_REGISTRY_MISSING, Severity::Error));
}

#[test]
fn auth_off_in_shared_registry() {
    let mut tenant = tenant_spec("feast-system", "shared");
    tenant.as_object_mut().map(|s| s.remove("authz"));
    let objects = vec![
        fs("feast-system", "shared", standard_spec()),
        fs("team-a", "a", tenant),
    ];
    let v = rules_of(objects.clone(), "team-a", "a");
    assert!(has(&v, rule::SHARED_REGISTRY_WITHOUT_AUTH, Severity::Error));
    let v = rules_of(objects, "feast-system", "shared");
    assert!(!v
        .iter()
        .any(|(r, _)| *r == rule::SHARED_REGISTRY_WITHOUT_AUTH));
}

#[test]
fn enterprise_without_network_policy() {
    let objects = vec![
        fs("team-a", "a", standard_spec()),
        fs("team-b", "b", standard_spec()),
        network_policy("team-b"),
    ];
    let v = rules_of(objects.clone(), "team-a", "a");
    assert!(has(
        &v,
        rule::ENTERPRISE_WITHOUT_NETWORK_POLICY,
        Severity::Warning
    ));
    let v = rules_of(objects, "team-b", "b");
    assert!(!v
        .iter()
        .any(|(r, _)| *r == rule::ENTERPRISE_WITHOUT_NETWORK_POLICY));
}

#[test]
fn violations_are_sorted_errors_first_and_carry_a_fix() {
    let mut spec = standard_spec();
    // An error (the remote registry is not there) and a warning (no disruption budget).
    spec["services"]["registry"] = json!({"remote": {"feastRef": {"name": "nowhere"}}});
    spec["services"]
        .as_object_mut()
        .map(|s| s.remove("podDisruptionBudgets"));
    let f = one(&report(vec![fs("ml", "a", spec)]), "ml", "a");
    assert!(f.violations.len() >= 2, "{:?}", f.violations);
    assert_eq!(
        f.violations.first().map(|v| v.severity),
        Some(Severity::Error)
    );
    assert!(f
        .violations
        .iter()
        .all(|v| !v.fix.is_empty() && !v.message.is_empty()));
}
