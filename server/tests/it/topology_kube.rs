//! The kube-rs cluster source against a fake API server (`topology_fake_api`): discovery first,
//! the cluster's own CRD, per-kind problems, watches that show changes promptly, and an API
//! server that fails or hangs (the last snapshot stays, with its age). And the shipped
//! ClusterRole grants exactly what the source requests.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use app::topology::analyze;
use serde_json::{json, Value};
use server::topology::kube_kinds::Access;
use server::topology::kube_source::{cluster_access, KubeTopologySource};
use server::topology::refresher::{TopologyHandle, TopologyRefresher};

use crate::topology_fake_api::{feature_store, FakeApi, Mode, FEATURE_STORES};

const DEPLOYMENTS: &str = "/apis/apps/v1/deployments";
const HPAS: &str = "/apis/autoscaling/v2/horizontalpodautoscalers";
const ROUTES: &str = "/apis/route.openshift.io/v1/routes";
const CONFIGMAPS: &str = "/api/v1/configmaps";
const TIMEOUT: Duration = Duration::from_millis(500);

fn populated() -> Arc<FakeApi> {
    let api = FakeApi::new();
    api.apply(FEATURE_STORES, feature_store("ml", "a"));
    api.apply(FEATURE_STORES, feature_store("ml", "b"));
    // Built-in list items come without apiVersion and kind.
    api.apply(
        DEPLOYMENTS,
        json!({"metadata": {"name": "feast-a", "namespace": "ml"},
            "spec": {"replicas": 2, "template": {"metadata": {"labels": {"feast.dev/name": "a", "app": "x"}}}},
            "status": {"replicas": 2, "readyReplicas": 1}}),
    );
    api.apply(
        CONFIGMAPS,
        json!({"metadata": {"name": "feast-configs-registry", "namespace": "feast-operator"}, "data": {"registry": "x"}}),
    );
    api.forbidden
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(HPAS.to_string());
    api
}

fn errors(snapshot: &app::topology::ClusterSnapshot) -> Vec<String> {
    snapshot
        .errors
        .iter()
        .map(|e| format!("{}: {}", e.location, e.message))
        .collect()
}

#[tokio::test]
async fn discovery_first_then_every_kind_with_rbac_problems_per_kind() {
    let api = populated();
    let snapshot = KubeTopologySource::new(api.client(TIMEOUT), None)
        .snapshot()
        .await;
    assert_eq!(snapshot.feature_stores.len(), 2);
    assert_eq!(snapshot.deployments.len(), 1);
    assert_eq!(
        snapshot.operator_registry_config().map(|c| c.keys.clone()),
        Some(vec!["registry".to_string()])
    );
    // Only the forbidden HPAs are a problem; Routes are not read where OpenShift is absent.
    let errors = errors(&snapshot);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].starts_with("horizontalpodautoscalers.autoscaling: forbidden") && errors[0].contains("apiGroups: [autoscaling], resources: [horizontalpodautoscalers], verbs: [list, watch]"), "{errors:#?}");
    assert!(!api.requested(ROUTES));
    assert_eq!(
        snapshot.crd_source.as_deref(),
        Some("the CRD featurestores.feast.dev read from the cluster")
    );

    let report = analyze(&snapshot);
    let a = report.find("ml", "a").map(|f| f.facts.clone());
    assert!(a
        .as_ref()
        .is_some_and(|f| f.status.phase.as_deref() == Some("Ready")
            && f.status.deployment_ready == Some((1, 2))));
}

#[tokio::test]
async fn routes_are_read_where_the_cluster_serves_openshift_routes() {
    let api = populated();
    api.groups
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(("route.openshift.io".into(), "v1".into()));
    let snapshot = KubeTopologySource::new(api.client(TIMEOUT), None)
        .snapshot()
        .await;
    assert!(api.requested(ROUTES));
    assert_eq!(errors(&snapshot).len(), 1);
}

#[tokio::test]
async fn a_missing_feature_store_crd_is_one_problem_and_the_rest_is_read() {
    let api = populated();
    api.groups
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|(g, _)| g != "feast.dev");
    *api.crd.lock().unwrap_or_else(|e| e.into_inner()) = None;
    let snapshot = KubeTopologySource::new(api.client(TIMEOUT), None)
        .snapshot()
        .await;
    assert!(snapshot.feature_stores.is_empty());
    assert_eq!(snapshot.deployments.len(), 1);
    let errors = errors(&snapshot);
    assert!(errors.iter().any(|e| e.starts_with("featurestores.feast.dev: the cluster does not serve featurestores.feast.dev (feast.dev/v1)")), "{errors:#?}");
    assert!(errors.iter().any(|e| e.contains("the FeatureStore CRD is not installed in the cluster; FeatureStores are checked against the Feast operator's CRD bundled with the console")), "{errors:#?}");
    assert!(!api.requested(FEATURE_STORES));
}

#[tokio::test]
async fn forbidden_feature_stores_name_the_missing_rule_and_keep_the_rest() {
    let api = populated();
    api.forbidden
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(FEATURE_STORES.to_string());
    let snapshot = KubeTopologySource::new(api.client(TIMEOUT), None)
        .snapshot()
        .await;
    assert!(snapshot.feature_stores.is_empty());
    assert_eq!(snapshot.deployments.len(), 1);
    assert!(snapshot
        .errors
        .iter()
        .any(|e| e.location == "featurestores.feast.dev"
            && e.message
                .contains("apiGroups: [feast.dev], resources: [featurestores]")));
}

#[tokio::test]
async fn the_clusters_crd_rules_apply_to_its_feature_stores() {
    // A newer operator's CRD with a rule the bundled one does not have.
    let api = populated();
    let mut crd = crate::topology_fake_api::bundled_crd();
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
        ["x-kubernetes-validations"]
        .as_array_mut()
        .expect("spec rules")
        .push(json!({"rule": "self.feastProject != 'retired'", "message": "feastProject 'retired' is reserved."}));
    *api.crd.lock().unwrap_or_else(|e| e.into_inner()) = Some(crd);
    let mut retired = feature_store("ml", "old");
    retired["spec"]["feastProject"] = json!("retired");
    api.apply(FEATURE_STORES, retired);
    let report = analyze(
        &KubeTopologySource::new(api.client(TIMEOUT), None)
            .snapshot()
            .await,
    );
    let old = report.find("ml", "old").map(|f| f.admission.clone());
    assert_eq!(
        old.map(|a| a.errors.iter().map(ToString::to_string).collect::<Vec<_>>()),
        Some(vec![
            r#"spec: Invalid value: "object": feastProject 'retired' is reserved."#.to_string()
        ])
    );
    assert!(report
        .find("ml", "a")
        .is_some_and(|f| !f.admission.refused()));
}

#[tokio::test]
async fn unreachable_api_server_is_a_failed_read() {
    let api = FakeApi::new();
    api.set_mode(Mode::Failing);
    let read = KubeTopologySource::new(api.client(TIMEOUT), Some(vec!["ml".into()]))
        .read()
        .await;
    assert!(
        read.as_ref()
            .is_err_and(|e| app::backend::error_chain(e).contains("500")),
        "{:?}",
        read.map(|s| s.errors)
    );
}

async fn until(what: &str, deadline: Duration, mut done: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < deadline,
            "{what}: not within {deadline:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    start.elapsed()
}

fn store_names(handle: &TopologyHandle) -> Vec<String> {
    handle
        .snapshot()
        .map(|s| {
            s.feature_stores
                .iter()
                .map(|f| f.metadata.name.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Watches: an added and a deleted FeatureStore show promptly; an API server answering 500s,
/// then one that hangs, leaves the last snapshot in place with its age, and a restarted one is
/// picked up again. Prints the figures (issue #17).
#[tokio::test]
async fn watches_show_changes_promptly_and_survive_an_api_server_that_fails_or_hangs() {
    let api = populated();
    let source = Arc::new(KubeTopologySource::new(api.client(TIMEOUT), None));
    let refresher = TopologyRefresher::watching(source);
    let handle = refresher.handle.clone();
    let supervisor = Arc::new(server::background::supervisor::Supervisor::default());
    let task = supervisor.spawn("topology_refresh", move || {
        let refresher = refresher.clone();
        async move { refresher.run().await }
    });
    let deadline = Duration::from_secs(10);
    until("first snapshot", deadline, || {
        store_names(&handle) == ["a", "b"]
    })
    .await;

    api.apply(FEATURE_STORES, feature_store("ml", "c"));
    let added = until("added FeatureStore", deadline, || {
        store_names(&handle).len() == 3
    })
    .await;
    api.delete(FEATURE_STORES, "ml", "a");
    let deleted = until("deleted FeatureStore", deadline, || {
        store_names(&handle) == ["b", "c"]
    })
    .await;
    eprintln!("figure: a FeatureStore added in the cluster shows after {added:?}, a deleted one goes after {deleted:?}");

    for mode in [Mode::Failing, Mode::Hanging] {
        api.set_mode(mode);
        until(&format!("{mode:?} noticed"), deadline, || {
            handle.status().last_error.is_some()
        })
        .await;
        tokio::time::sleep(Duration::from_millis(1200)).await;
        let status = handle.status();
        assert_eq!(
            store_names(&handle),
            ["b", "c"],
            "{mode:?}: last snapshot kept"
        );
        let age = handle.age(SystemTime::now()).unwrap_or_default();
        assert!(age >= Duration::from_secs(1), "{mode:?}: age {age:?}");
        eprintln!(
            "figure: API server {mode:?}: snapshot kept, age {age:?}, error: {}",
            status.last_error.unwrap_or_default()
        );
        // The API server comes back (a restart): watches resume and changes show again.
        api.set_mode(Mode::Up);
        api.apply(
            FEATURE_STORES,
            feature_store("ml", &format!("after-{mode:?}").to_lowercase()),
        );
        let back = until(
            &format!("back after {mode:?}"),
            Duration::from_secs(60),
            || handle.status().last_error.is_none() && store_names(&handle).len() == 3,
        )
        .await;
        eprintln!("figure: after the API server was {mode:?}, the topology was current again {back:?} after it answered");
        api.delete(
            FEATURE_STORES,
            "ml",
            &format!("after-{mode:?}").to_lowercase(),
        );
        until("deleted again", deadline, || {
            store_names(&handle).len() == 2
        })
        .await;
    }
    assert_eq!(supervisor.restarts().get("topology_refresh"), Some(&0));
    task.abort();
}

/// One other kind answering 503 (an aggregated API that is down) is a reading problem of that
/// kind; FeatureStore changes still show.
#[tokio::test]
async fn another_kind_failing_does_not_freeze_the_topology() {
    let api = populated();
    api.unavailable
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(DEPLOYMENTS.to_string());
    let source = Arc::new(KubeTopologySource::new(api.client(TIMEOUT), None));
    let refresher = TopologyRefresher::watching(source);
    let handle = refresher.handle.clone();
    let task = tokio::spawn(async move { refresher.run().await });
    let deadline = Duration::from_secs(10);
    until("first snapshot", deadline, || {
        store_names(&handle) == ["a", "b"]
    })
    .await;
    api.apply(FEATURE_STORES, feature_store("ml", "c"));
    until("added FeatureStore", deadline, || {
        store_names(&handle).len() == 3
    })
    .await;
    assert!(handle.status().last_error.is_none());
    let errors = handle.snapshot().map(|s| errors(&s)).unwrap_or_default();
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("deployments.apps: API error 503")
                && e.ends_with("showing what was read before")),
        "{errors:#?}"
    );
    task.abort();
}

/// The operator installed after the console started: discovery is read again, and its
/// FeatureStores are watched from then on.
#[tokio::test]
async fn an_operator_installed_later_is_discovered() {
    let api = populated();
    let feast: Vec<(String, String)> = {
        let mut groups = api.groups.lock().unwrap_or_else(|e| e.into_inner());
        let feast = groups
            .iter()
            .filter(|(g, _)| g == "feast.dev")
            .cloned()
            .collect();
        groups.retain(|(g, _)| g != "feast.dev");
        feast
    };
    let source = KubeTopologySource::new(api.client(TIMEOUT), None)
        .rediscovering_every(Duration::from_millis(500));
    let refresher = TopologyRefresher::watching(Arc::new(source));
    let handle = refresher.handle.clone();
    let task = tokio::spawn(async move { refresher.run().await });
    let deadline = Duration::from_secs(10);
    until("first snapshot", deadline, || handle.snapshot().is_some()).await;
    assert!(store_names(&handle).is_empty());
    api.groups
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .extend(feast);
    until("FeatureStores after the operator came", deadline, || {
        store_names(&handle) == ["a", "b"]
    })
    .await;
    task.abort();
}

/// The ClusterRole in deploy/ grants exactly the (group, resource, verb, name) set the cluster
/// source requests: nothing missing (no "forbidden" reading problems), nothing more.
#[test]
fn the_shipped_cluster_role_grants_exactly_what_the_source_requests() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../deploy/kubernetes/base/clusterrole.yaml");
    let text = std::fs::read_to_string(&path).expect("clusterrole.yaml");
    let role: Value = serde_norway::from_str(&text).expect("YAML");
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect()
    };
    let mut granted = BTreeSet::new();
    for rule in role["rules"].as_array().into_iter().flatten() {
        let names = strings(&rule["resourceNames"]);
        let names: Vec<Option<String>> = if names.is_empty() {
            vec![None]
        } else {
            names.into_iter().map(Some).collect()
        };
        for group in strings(&rule["apiGroups"]) {
            for resource in strings(&rule["resources"]) {
                for verb in strings(&rule["verbs"]) {
                    for name in &names {
                        granted.insert(Access {
                            group: group.clone(),
                            resource: resource.clone(),
                            verb: verb.clone(),
                            resource_name: name.clone(),
                        });
                    }
                }
            }
        }
    }
    let requested = cluster_access();
    let missing: Vec<_> = requested.difference(&granted).collect();
    let extra: Vec<_> = granted.difference(&requested).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nextra {extra:#?}"
    );
}
