use serde_json::json;

use super::*;
use crate::topology::derive::parse_cpu;
use crate::topology::facts::{
    Authz, CacheMode, ExposureKind, Persistence, RegistryFacts, ServerKind,
};
use crate::topology::objects::{KubeObject, ObjectError};

#[test]
fn empty_spec_gets_the_operator_defaults() {
    let f = one(
        &report(vec![fs("ml", "a", json!({"feastProject": "p"}))]),
        "ml",
        "a",
    )
    .facts;
    assert_eq!(f.scaling.replicas, 1);
    assert!(f.has_server(ServerKind::Online) && f.has_server(ServerKind::Registry));
    assert!(
        !f.has_server(ServerKind::RegistryRest)
            && !f.has_server(ServerKind::Offline)
            && !f.has_server(ServerKind::Ui)
    );
    assert!(
        matches!(f.online_store, Some(Persistence::File { ref format, on_pvc: false, .. }) if format == "sqlite")
    );
    assert_eq!(f.offline_store, None);
    assert!(matches!(
        f.registry,
        RegistryFacts::Local {
            grpc: true,
            rest: false,
            cache_mode: CacheMode::Sync,
            ..
        }
    ));
    assert_eq!(f.authz, Authz::None);
}

#[test]
fn persistence_types_are_read() {
    let f = one(&report(vec![fs("ml", "a", standard_spec())]), "ml", "a").facts;
    assert_eq!(
        f.online_store,
        Some(Persistence::Db {
            store_type: "redis".into()
        })
    );
    assert_eq!(
        f.offline_store,
        Some(Persistence::Db {
            store_type: "postgres".into()
        })
    );
    assert!(
        matches!(f.registry, RegistryFacts::Local { persistence: Persistence::Db { ref store_type }, cache_mode: CacheMode::InSecret, .. } if store_type == "sql")
    );
    assert!(f
        .server(ServerKind::Online)
        .is_some_and(|s| s.tls && s.metrics));
    assert_eq!(
        f.authz,
        Authz::Kubernetes {
            roles: vec!["feast-admin-role".into()]
        }
    );
}

#[test]
fn online_store_can_be_disabled() {
    let f = one(
        &report(vec![fs(
            "ml",
            "a",
            json!({"services": {"onlineStore": {"disabled": true}}}),
        )]),
        "ml",
        "a",
    )
    .facts;
    assert_eq!(f.online_store, None);
    assert!(!f.has_server(ServerKind::Online));
}

#[test]
fn surrounding_objects_are_matched() {
    let objects = vec![
        fs("ml", "a", standard_spec()),
        json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "feast-a", "namespace": "ml"},
               "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "feast-a"}, "maxReplicas": 10}}),
        json!({"apiVersion": "route.openshift.io/v1", "kind": "Route", "metadata": {"name": "r", "namespace": "ml"},
               "spec": {"to": {"kind": "Service", "name": "feast-a-online"}, "tls": {"termination": "edge"}}}),
        json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "feast-a", "namespace": "ml"}, "spec": {"schedule": "@hourly"}}),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "ml"}, "stringData": {"sql": "secret!"}}),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "feast-configs-registry", "namespace": "ml"}, "data": {"registry": "x"}}),
        // Another namespace: not ours.
        json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "feast-a", "namespace": "other"}, "spec": {"schedule": "@daily"}}),
    ];
    let s = snapshot(objects.clone());
    assert_eq!(
        s.operator_registry_config().map(|c| c.keys.clone()),
        Some(vec!["registry".to_string()])
    );
    let f = one(&report(objects), "ml", "a").facts;
    assert_eq!(f.scaling.hpa_objects, vec!["feast-a".to_string()]);
    assert_eq!(f.exposures.len(), 1);
    assert!(f.exposures[0].kind == ExposureKind::Route && f.exposures[0].tls);
    assert_eq!(
        f.cron_job
            .as_ref()
            .and_then(|c| c.schedule.clone())
            .as_deref(),
        Some("@hourly")
    );
}

#[test]
fn v1alpha1_reads_the_same_shape() {
    let mut o = fs("ml", "old", minimal_spec());
    o["apiVersion"] = json!("feast.dev/v1alpha1");
    let f = one(&report(vec![o]), "ml", "old");
    assert_eq!(f.facts.api_version, "feast.dev/v1alpha1");
    assert_eq!(
        f.facts.online_store,
        Some(Persistence::Db {
            store_type: "redis".into()
        })
    );
    // `replicas` is not served in v1alpha1, so it never scales the Deployment.
    let mut o = fs("ml", "old", minimal_spec());
    o["apiVersion"] = json!("feast.dev/v1alpha1");
    o["spec"]["replicas"] = json!(3);
    assert_eq!(one(&report(vec![o]), "ml", "old").facts.scaling.replicas, 1);
}

#[test]
fn wrong_field_type_is_an_error_naming_the_object() {
    let err = KubeObject::from_value(fs("ml", "bad", json!({"replicas": "three"})));
    assert!(
        matches!(err, Err(ObjectError::Invalid { ref name, .. }) if name == "bad"),
        "{err:?}"
    );
    assert!(KubeObject::from_value(json!([1, 2])).is_err());
    assert!(KubeObject::from_value(json!({"kind": "FeatureStore"})).is_err());
}

#[test]
fn workers_auto_uses_cpu() {
    let mut spec = standard_spec();
    spec["services"]["onlineStore"]["server"]["workerConfigs"] = json!({"workers": -1});
    spec["services"]["onlineStore"]["server"]["resources"] = json!({"limits": {"cpu": "2"}});
    let f = one(&report(vec![fs("ml", "a", spec)]), "ml", "a").facts;
    assert_eq!(f.server(ServerKind::Online).map(|s| s.workers), Some(5));
    assert_eq!(parse_cpu("500m"), Some(0.5));
    assert_eq!(parse_cpu("x"), None);
}
