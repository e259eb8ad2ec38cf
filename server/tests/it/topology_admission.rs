//! Differential test of "the API server would refuse this" (`app::topology::admission`) on the
//! bundled Feast operator CRD: variants of the operator's own samples, mutated in scaling,
//! replicas, disruption budgets, persistence, enums, patterns, authz, TLS and services. Where
//! the API server's answer follows from the CRD alone, the test states it with its message.

use app::topology::admission::{refusal, Admission, Validator, RULES_NOT_CHECKED};
use serde_json::{json, Value};
use server::topology::crd_admission::bundled_crd;

fn validator() -> Validator {
    Validator::new(bundled_crd().unwrap_or_else(|e| panic!("{e}")).clone())
}

/// A FeatureStore named after the case (`scaling_hpa` → `scaling-hpa`: the API server only
/// takes RFC 1123 names).
fn object(name: &str, spec: &Value) -> Value {
    json!({"apiVersion": "feast.dev/v1", "kind": "FeatureStore",
        "metadata": {"name": name.replace('_', "-"), "namespace": "test"}, "spec": spec})
}

fn messages(a: &Admission) -> Vec<String> {
    a.errors.iter().map(ToString::to_string).collect()
}

fn db_store(kind: &str) -> Value {
    json!({"store": {"type": kind, "secretRef": {"name": "feast-data-stores"}}})
}

/// Specs shaped like the operator's samples (config/samples/v1_featurestore*.yaml).
fn samples() -> Vec<(&'static str, Value)> {
    vec![
        ("minimal", json!({"feastProject": "my_project"})),
        (
            "scaling_hpa",
            json!({"feastProject": "my_project", "services": {
                "scaling": {"autoscaling": {"minReplicas": 2, "maxReplicas": 10,
                    "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]}},
                "podDisruptionBudgets": {"maxUnavailable": 1},
                "onlineStore": {"persistence": db_store("postgres"),
                    "server": {"resources": {"requests": {"cpu": "200m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}}}},
                "registry": {"local": {"persistence": db_store("sql")}}}}),
        ),
        (
            "scaling_static",
            json!({"feastProject": "my_project", "replicas": 3, "services": {
                "onlineStore": {"persistence": db_store("redis")},
                "registry": {"local": {"persistence": db_store("sql")}}}}),
        ),
        (
            "kubernetes_auth",
            json!({"feastProject": "my_project", "authz": {"kubernetes": {"roles": ["feast-writer", "feast-reader"]}}}),
        ),
        (
            "oidc_auth",
            json!({"feastProject": "my_project", "authz": {"oidc": {"secretRef": {"name": "oidc-secret"}}}}),
        ),
        (
            "pvc_persistence",
            json!({"feastProject": "my_project", "services": {
                "onlineStore": {"persistence": {"file": {"path": "online_store.db", "pvc": {"ref": {"name": "online-pvc"}, "mountPath": "/data/online"}}}},
                "offlineStore": {"persistence": {"file": {"type": "duckdb"}}},
                "registry": {"local": {"persistence": {"file": {"path": "registry.db", "pvc": {"create": {}, "mountPath": "/data/registry"}}}}}}}),
        ),
        (
            "remote_registry_tls",
            json!({"feastProject": "my_project", "services": {
                "onlineStore": {"server": {"tls": {"secretRef": {"name": "feast-online-tls"}}}},
                "registry": {"remote": {"feastRef": {"name": "sample-registry", "namespace": "test"}}}}}),
        ),
    ]
}

#[test]
fn a_name_the_api_server_refuses_is_refused() {
    let mut v = validator();
    let (_, spec) = &samples()[0];
    let a = v
        .admit(
            &json!({"apiVersion": "feast.dev/v1", "kind": "FeatureStore",
            "metadata": {"name": "Sample_Store", "namespace": "test"}, "spec": spec}),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        messages(&a),
        vec![
            r#"metadata.name: Invalid value: "Sample_Store": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#
        ]
    );
}

#[test]
fn the_operator_samples_are_admitted() {
    let mut v = validator();
    for (name, spec) in samples() {
        let a = v
            .admit(&object(name, &spec))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(messages(&a), Vec::<String>::new(), "{name}");
        assert!(a.unevaluated.is_empty(), "{name}: {:?}", a.unevaluated);
        assert!(a.pruned.is_empty(), "{name}: {:?}", a.pruned);
    }
}

const AUTOSCALING_AND_REPLICAS: &str = r#"spec: Invalid value: "object": replicas > 1 and services.scaling.autoscaling are mutually exclusive."#;
const SCALING_ONLINE: &str = r#"spec: Invalid value: "object": Scaling requires DB-backed persistence for the online store. Configure services.onlineStore.persistence.store when using replicas > 1 or autoscaling."#;
const SCALING_OFFLINE: &str = r#"spec: Invalid value: "object": Scaling requires DB-backed persistence for the offline store. Configure services.offlineStore.persistence.store when using replicas > 1 or autoscaling."#;
const SCALING_REGISTRY: &str = r#"spec: Invalid value: "object": Scaling requires DB-backed or remote registry. Configure registry.local.persistence.store or use a remote registry when using replicas > 1 or autoscaling. S3/GCS-backed registry is also allowed."#;
const PDB_EXACTLY_ONE: &str = r#"spec.services.podDisruptionBudgets: Invalid value: "object": Exactly one of minAvailable or maxUnavailable must be set."#;
const AUTHZ_ONE: &str = r#"spec.authz: Invalid value: "object": One selection required between kubernetes, oidc, or noAuth."#;

/// Explicit mutations with the API server's answer, reasoned from the CRD.
#[test]
fn mutations_get_the_api_servers_verdict_and_message() {
    type Mutation = fn(&mut Value);
    let cases: Vec<(&str, &str, Mutation, Vec<String>)> = vec![
        ("minimal", "project with a space", |s| s["feastProject"] = json!("my project"), vec![
            r#"spec.feastProject: Invalid value: "my project": spec.feastProject in body should match '^[A-Za-z0-9][A-Za-z0-9_-]*$'"#.into()]),
        ("minimal", "project starting with _", |s| s["feastProject"] = json!("_p"), vec![
            r#"spec.feastProject: Invalid value: "_p": spec.feastProject in body should match '^[A-Za-z0-9][A-Za-z0-9_-]*$'"#.into()]),
        ("minimal", "project with a dash is fine", |s| s["feastProject"] = json!("my-project"), vec![]),
        ("minimal", "no project", |s| { s.as_object_mut().map(|m| m.remove("feastProject")); }, vec![
            "spec.feastProject: Required value".into()]),
        ("minimal", "replicas 0", |s| s["replicas"] = json!(0), vec![
            "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1".into()]),
        ("minimal", "replicas as a string", |s| s["replicas"] = json!("two"), vec![
            r#"spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string""#.into(),
            format!("<nil>: Invalid value: null: {RULES_NOT_CHECKED}")]),
        ("minimal", "registry cache_mode bogus", |s| s["services"] = json!({"registry": {"local": {"persistence": {"file": {"path": "/data/registry.db", "cache_mode": "bogus"}}}}}), vec![
            r#"spec.services.registry.local.persistence.file.cache_mode: Unsupported value: "bogus": supported values: "none", "sync", "thread""#.into(),
            format!("<nil>: Invalid value: null: {RULES_NOT_CHECKED}")]),
        ("minimal", "registry cache_mode thread", |s| s["services"] = json!({"registry": {"local": {"persistence": {"file": {"path": "/data/registry.db", "cache_mode": "thread"}}}}}), vec![]),
        ("minimal", "online store type bogus", |s| s["services"] = json!({"onlineStore": {"persistence": db_store("bogus")}}), vec![
            r#"spec.services.onlineStore.persistence.store.type: Unsupported value: "bogus": supported values: "snowflake.online", "redis", "datastore", "dynamodb", "bigtable", "postgres", "cassandra", "mysql", "hazelcast", "singlestore", "hbase", "elasticsearch", "qdrant", "couchbase.online", "milvus", "hybrid", "mongodb", "aerospike", "scylladb""#.into(),
            format!("<nil>: Invalid value: null: {RULES_NOT_CHECKED}")]),
        ("minimal", "store without secretRef", |s| s["services"] = json!({"onlineStore": {"persistence": {"store": {"type": "redis"}}}}), vec![
            "spec.services.onlineStore.persistence.store.secretRef: Required value".into()]),
        ("minimal", "offline file type bogus", |s| s["services"] = json!({"offlineStore": {"persistence": {"file": {"type": "parquet"}}}}), vec![
            r#"spec.services.offlineStore.persistence.file.type: Unsupported value: "parquet": supported values: "file", "dask", "duckdb""#.into(),
            format!("<nil>: Invalid value: null: {RULES_NOT_CHECKED}")]),
        ("minimal", "online persistence with file and store", |s| s["services"] = json!({"onlineStore": {"persistence": {"file": {"path": "/data/o.db"}, "store": {"type": "redis", "secretRef": {"name": "x"}}}}}), vec![
            r#"spec.services.onlineStore.persistence: Invalid value: "object": One selection required between file or store."#.into()]),
        ("minimal", "ephemeral online path relative", |s| s["services"] = json!({"onlineStore": {"persistence": {"file": {"path": "online.db"}}}}), vec![
            r#"spec.services.onlineStore.persistence.file: Invalid value: "object": Ephemeral stores must have absolute paths."#.into()]),
        ("minimal", "online store on s3", |s| s["services"] = json!({"onlineStore": {"persistence": {"file": {"path": "s3://bucket/online.db"}}}}), vec![
            r#"spec.services.onlineStore.persistence.file: Invalid value: "object": Ephemeral stores must have absolute paths."#.into(),
            r#"spec.services.onlineStore.persistence.file: Invalid value: "object": Online store does not support S3 or GS buckets."#.into()]),
        ("kubernetes_auth", "kubernetes and oidc", |s| s["authz"]["oidc"] = json!({"secretRef": {"name": "oidc-secret"}}), vec![AUTHZ_ONE.into()]),
        ("oidc_auth", "oidc and noAuth", |s| s["authz"]["noAuth"] = json!(true), vec![AUTHZ_ONE.into()]),
        ("kubernetes_auth", "empty authz", |s| s["authz"] = json!({}), vec![AUTHZ_ONE.into()]),
        ("remote_registry_tls", "TLS without secretRef", |s| s["services"]["onlineStore"]["server"]["tls"] = json!({}), vec![
            r#"spec.services.onlineStore.server.tls: Invalid value: "object": `secretRef` required if `disable` is false."#.into()]),
        ("remote_registry_tls", "TLS disabled", |s| s["services"]["onlineStore"]["server"]["tls"] = json!({"disable": true}), vec![]),
        ("remote_registry_tls", "registry local and remote", |s| s["services"]["registry"]["local"] = json!({}), vec![
            r#"spec.services.registry: Invalid value: "object": One selection required."#.into()]),
        ("remote_registry_tls", "remote with hostname and feastRef", |s| s["services"]["registry"]["remote"]["hostname"] = json!("registry.test.svc:80"), vec![
            r#"spec.services.registry.remote: Invalid value: "object": One selection required."#.into()]),
        ("minimal", "registry server with neither gRPC nor REST", |s| s["services"] = json!({"registry": {"local": {"server": {"grpc": false, "restAPI": false}}}}), vec![
            r#"spec.services.registry.local.server: Invalid value: "object": At least one of restAPI or grpc must be true"#.into()]),
        ("minimal", "log level bogus", |s| s["services"] = json!({"onlineStore": {"server": {"logLevel": "loud"}}}), vec![
            r#"spec.services.onlineStore.server.logLevel: Unsupported value: "loud": supported values: "debug", "info", "warning", "error", "critical""#.into(),
            format!("<nil>: Invalid value: null: {RULES_NOT_CHECKED}")]),
        ("minimal", "workers below -1", |s| s["services"] = json!({"onlineStore": {"server": {"workerConfigs": {"workers": -2}}}}), vec![
            "spec.services.onlineStore.server.workerConfigs.workers: Invalid value: -2: spec.services.onlineStore.server.workerConfigs.workers in body should be greater than or equal to -1".into()]),
        ("scaling_hpa", "replicas with autoscaling", |s| s["replicas"] = json!(3), vec![AUTOSCALING_AND_REPLICAS.into()]),
        ("scaling_hpa", "autoscaling without maxReplicas", |s| { s["services"]["scaling"]["autoscaling"].as_object_mut().map(|m| m.remove("maxReplicas")); }, vec![
            "spec.services.scaling.autoscaling.maxReplicas: Required value".into()]),
        ("scaling_hpa", "minReplicas 0", |s| s["services"]["scaling"]["autoscaling"]["minReplicas"] = json!(0), vec![
            "spec.services.scaling.autoscaling.minReplicas: Invalid value: 0: spec.services.scaling.autoscaling.minReplicas in body should be greater than or equal to 1".into()]),
        ("scaling_hpa", "PDB with both", |s| s["services"]["podDisruptionBudgets"]["minAvailable"] = json!("50%"), vec![PDB_EXACTLY_ONE.into()]),
        ("scaling_hpa", "PDB with neither", |s| s["services"]["podDisruptionBudgets"] = json!({}), vec![PDB_EXACTLY_ONE.into()]),
        ("scaling_hpa", "file online store", |s| s["services"]["onlineStore"]["persistence"] = json!({"file": {"path": "/data/online.db"}}), vec![SCALING_ONLINE.into()]),
        ("scaling_static", "default online store", |s| { s["services"].as_object_mut().map(|m| m.remove("onlineStore")); }, vec![SCALING_ONLINE.into()]),
        ("scaling_static", "file offline store", |s| s["services"]["offlineStore"] = json!({"persistence": {"file": {"type": "duckdb"}}}), vec![SCALING_OFFLINE.into()]),
        ("scaling_static", "file registry", |s| s["services"]["registry"]["local"]["persistence"] = json!({"file": {"path": "/data/registry.db"}}), vec![SCALING_REGISTRY.into()]),
        ("scaling_static", "S3 registry is allowed", |s| s["services"]["registry"]["local"]["persistence"] = json!({"file": {"path": "s3://bucket/registry.db"}}), vec![]),
        ("scaling_static", "remote registry is allowed", |s| s["services"]["registry"] = json!({"remote": {"hostname": "registry.ml.svc:80"}}), vec![]),
        ("pvc_persistence", "PVC with ref and create", |s| s["services"]["onlineStore"]["persistence"]["file"]["pvc"]["create"] = json!({}), vec![
            r#"spec.services.onlineStore.persistence.file.pvc: Invalid value: "object": One selection is required between ref and create."#.into()]),
        ("pvc_persistence", "PVC path absolute", |s| s["services"]["onlineStore"]["persistence"]["file"]["path"] = json!("/data/online.db"), vec![
            r#"spec.services.onlineStore.persistence.file: Invalid value: "object": PVC path must be a file name only, with no slashes."#.into()]),
    ];
    let mut v = validator();
    let mut failures = Vec::new();
    for (base, what, mutate, expected) in cases {
        let mut spec = samples()
            .into_iter()
            .find(|(n, _)| *n == base)
            .map(|(_, s)| s)
            .unwrap_or_else(|| panic!("no sample {base}"));
        mutate(&mut spec);
        let a = v
            .admit(&object("variant", &spec))
            .unwrap_or_else(|e| panic!("{e}"));
        if messages(&a) != expected || !a.unevaluated.is_empty() {
            failures.push(format!(
                "{base} / {what}:\n  got      {:?}\n  expected {expected:?}\n  unevaluated {:?}",
                messages(&a),
                a.unevaluated
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every combination of replicas, autoscaling, disruption budget and online, offline and
/// registry persistence, on every sample: refused exactly when the CRD's scaling and budget
/// rules say so (written out here from the CRD's text), with their messages in its order.
#[test]
fn generated_scaling_variants_match_the_crds_rules() {
    let mut v = validator();
    let mut count = 0;
    let mut failures = Vec::new();
    for (base, sample) in samples() {
        for replicas in [None, Some(1), Some(2)] {
            for autoscaling in [false, true] {
                for pdb in [
                    None,
                    Some(json!({"minAvailable": 1})),
                    Some(json!({"maxUnavailable": "25%"})),
                    Some(json!({"minAvailable": 1, "maxUnavailable": 1})),
                ] {
                    for online_db in [false, true] {
                        for offline in [None, Some(false), Some(true)] {
                            for registry in ["default", "file", "s3", "sql", "remote"] {
                                let mut spec = sample.clone();
                                let services = spec["services"].take();
                                let mut services = if services.is_null() {
                                    json!({})
                                } else {
                                    services
                                };
                                if let Some(r) = replicas {
                                    spec["replicas"] = json!(r);
                                } else if let Some(m) = spec.as_object_mut() {
                                    m.remove("replicas");
                                }
                                let scaling = match services.as_object_mut() {
                                    Some(m) => {
                                        m.remove("scaling");
                                        m.remove("podDisruptionBudgets");
                                        m.remove("onlineStore");
                                        m.remove("offlineStore");
                                        m.remove("registry");
                                        m
                                    }
                                    None => continue,
                                };
                                if autoscaling {
                                    scaling.insert("scaling".into(), json!({"autoscaling": {"minReplicas": 2, "maxReplicas": 4}}));
                                }
                                if let Some(p) = &pdb {
                                    scaling.insert("podDisruptionBudgets".into(), p.clone());
                                }
                                if online_db {
                                    scaling.insert(
                                        "onlineStore".into(),
                                        json!({"persistence": db_store("redis")}),
                                    );
                                }
                                match offline {
                                    Some(true) => {
                                        scaling.insert(
                                            "offlineStore".into(),
                                            json!({"persistence": db_store("postgres")}),
                                        );
                                    }
                                    Some(false) => {
                                        scaling.insert(
                                            "offlineStore".into(),
                                            json!({"persistence": {"file": {"type": "duckdb"}}}),
                                        );
                                    }
                                    None => {}
                                }
                                let registry_value = match registry {
                                    "file" => Some(
                                        json!({"local": {"persistence": {"file": {"path": "/data/registry.db"}}}}),
                                    ),
                                    "s3" => Some(
                                        json!({"local": {"persistence": {"file": {"path": "s3://b/registry.db"}}}}),
                                    ),
                                    "sql" => {
                                        Some(json!({"local": {"persistence": db_store("sql")}}))
                                    }
                                    "remote" => {
                                        Some(json!({"remote": {"hostname": "registry.ml.svc:80"}}))
                                    }
                                    _ => None,
                                };
                                if let Some(r) = registry_value {
                                    scaling.insert("registry".into(), r);
                                }
                                spec["services"] = services;

                                // The CRD's rules, as its messages state them (replicas defaults to 1).
                                let replicas = replicas.unwrap_or(1);
                                let scaled = replicas > 1 || autoscaling;
                                let mut expected: Vec<String> = Vec::new();
                                if replicas > 1 && autoscaling {
                                    expected.push(AUTOSCALING_AND_REPLICAS.into());
                                }
                                if scaled && !online_db {
                                    expected.push(SCALING_ONLINE.into());
                                }
                                if scaled && offline == Some(false) {
                                    expected.push(SCALING_OFFLINE.into());
                                }
                                if scaled && matches!(registry, "default" | "file") {
                                    expected.push(SCALING_REGISTRY.into());
                                }
                                if pdb
                                    .as_ref()
                                    .is_some_and(|p| p.as_object().map(|m| m.len()) != Some(1))
                                {
                                    expected.push(PDB_EXACTLY_ONE.into());
                                }
                                let a = v
                                    .admit(&object("variant", &spec))
                                    .unwrap_or_else(|e| panic!("{e}"));
                                count += 1;
                                if messages(&a) != expected || !a.unevaluated.is_empty() {
                                    failures.push(format!("{base} {spec}:\n  got      {:?}\n  expected {expected:?}\n  unevaluated {:?}", messages(&a), a.unevaluated));
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    eprintln!("{count} generated variants checked");
    assert!(count > 1000);
    assert!(
        failures.len() <= 0,
        "{} of {count} differ; first:\n{}",
        failures.len(),
        failures
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_refusal_is_worded_as_the_api_servers_and_typos_are_pruned_with_a_warning() {
    let mut v = validator();
    let a = v
        .admit(&object(
            "sample",
            &json!({"feastProject": "x y", "services": {"onlineStore": {"persistance": {}}}}),
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        refusal("FeatureStore.feast.dev", "sample", &a.errors),
        r#"FeatureStore.feast.dev "sample" is invalid: spec.feastProject: Invalid value: "x y": spec.feastProject in body should match '^[A-Za-z0-9][A-Za-z0-9_-]*$'"#
    );
    assert_eq!(
        a.pruning_warnings(),
        vec![
            r#"unknown field "spec.services.onlineStore.persistance": the API server would prune it"#
        ]
    );
    // Two errors: the API server lists them in brackets.
    let a = v
        .admit(&object(
            "sample",
            &json!({"feastProject": "x y", "replicas": 0}),
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(refusal("FeatureStore.feast.dev", "sample", &a.errors)
        .starts_with(r#"FeatureStore.feast.dev "sample" is invalid: [spec.feastProject: Invalid value: "x y""#));
    // v1alpha1 is served too and has no replicas: it is pruned there, not refused.
    let mut old = object("old", &json!({"feastProject": "p", "replicas": 2}));
    old["apiVersion"] = json!("feast.dev/v1alpha1");
    let a = v.admit(&old).unwrap_or_else(|e| panic!("{e}"));
    assert!(!a.refused(), "{:?}", messages(&a));
    assert_eq!(a.pruned, vec!["spec.replicas"]);
}

/// The operator's 25 published samples, read as a manifests folder (with its kustomization):
/// every FeatureStore is admitted, no rule is left unevaluated, no field pruned. Among them, a
/// file mode written `0644` is the octal number kubectl sends.
#[test]
fn every_published_operator_sample_is_admitted() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/feast-operator-samples");
    let snapshot = server::topology::manifests::load_paths(&[folder]);
    assert_eq!(snapshot.errors, vec![]);
    assert_eq!(snapshot.admissions.len(), 25);
    for a in &snapshot.admissions {
        assert!(
            !a.admission.refused()
                && a.admission.unevaluated.is_empty()
                && a.admission.pruned.is_empty(),
            "{}: {:?}",
            a.location,
            a.admission
        );
    }
    assert_eq!(
        snapshot.notes.len(),
        1,
        "the kustomization: {:?}",
        snapshot.notes
    );
}
