//! Unit tests of the topology domain: objects are written as API JSON, as a cluster returns them.

mod classify;
mod derive;
mod diagram;
mod rules;

use serde_json::{json, Value};

use super::objects::KubeObject;
use super::report::{analyze, FeatureStoreReport, TopologyReport};
use super::snapshot::ClusterSnapshot;

/// A snapshot from API objects; panics on a bad test object (test input, not outside input).
pub fn snapshot(objects: Vec<Value>) -> ClusterSnapshot {
    let mut s = ClusterSnapshot::default();
    for o in objects {
        if let Some(obj) = KubeObject::from_value(o).expect("valid test object") {
            s.push(obj);
        }
    }
    s
}

pub fn report(objects: Vec<Value>) -> TopologyReport {
    analyze(&snapshot(objects))
}

pub fn one(r: &TopologyReport, ns: &str, name: &str) -> FeatureStoreReport {
    r.find(ns, name)
        .cloned()
        .unwrap_or_else(|| panic!("{ns}/{name} in report"))
}

pub fn fs(ns: &str, name: &str, spec: Value) -> Value {
    json!({"apiVersion": "feast.dev/v1", "kind": "FeatureStore", "metadata": {"name": name, "namespace": ns}, "spec": spec})
}

/// The guide's Minimal sample.
pub fn minimal_spec() -> Value {
    json!({"feastProject": "p", "services": {
        "onlineStore": {"persistence": {"store": {"type": "redis", "secretRef": {"name": "s"}}}},
        "offlineStore": {"persistence": {"file": {"type": "duckdb"}}},
        "registry": {"local": {"server": {"restAPI": true}}}
    }})
}

/// The guide's Standard sample, plus TLS on the online server.
pub fn standard_spec() -> Value {
    json!({"feastProject": "p",
        "authz": {"kubernetes": {"roles": ["feast-admin-role"]}},
        "services": {
            "scaling": {"autoscaling": {"minReplicas": 2, "maxReplicas": 10}},
            "podDisruptionBudgets": {"maxUnavailable": 1},
            "onlineStore": {"persistence": {"store": {"type": "redis", "secretRef": {"name": "s"}}},
                            "server": {"metrics": true, "tls": {"secretRef": {"name": "tls"}}}},
            "offlineStore": {"persistence": {"store": {"type": "postgres", "secretRef": {"name": "s"}}}, "server": {}},
            "registry": {"local": {"persistence": {"store": {"type": "sql", "secretRef": {"name": "s"}}},
                                   "server": {"restAPI": true, "tls": {"secretRef": {"name": "tls"}}}}}
    }})
}

/// A tenant FeatureStore using a remote registry by feastRef.
pub fn tenant_spec(registry_ns: &str, registry_name: &str) -> Value {
    let mut spec = standard_spec();
    spec["authz"] = json!({"kubernetes": {"roles": []}});
    spec["services"]["registry"] =
        json!({"remote": {"feastRef": {"name": registry_name, "namespace": registry_ns}}});
    spec
}

pub fn network_policy(ns: &str) -> Value {
    json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
           "metadata": {"name": "deny-cross-ns", "namespace": ns},
           "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}})
}
