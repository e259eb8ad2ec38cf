//! The kube-rs source against a fake API server: a `tower` service answering with the JSON
//! shapes a real Kubernetes API returns (lists, 403 and 404 Status objects).

use std::convert::Infallible;

use app::topology::analyze;
use bytes::Bytes;
use http_body_util::Full;
use kube::Client;
use serde_json::{json, Value};
use server::topology::kube_source::KubeTopologySource;

fn status(code: u16, reason: &str, message: &str) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message, "reason": reason, "code": code})
}

fn list(kind: &str, api_version: &str, items: Vec<Value>) -> Value {
    json!({"kind": format!("{kind}List"), "apiVersion": api_version, "metadata": {"resourceVersion": "1000"}, "items": items})
}

fn feature_store(ns: &str, name: &str) -> Value {
    json!({"apiVersion": "feast.dev/v1", "kind": "FeatureStore",
        "metadata": {"name": name, "namespace": ns, "resourceVersion": "10", "uid": "u-1"},
        "spec": {"feastProject": "p", "services": {
            "scaling": {"autoscaling": {"minReplicas": 2, "maxReplicas": 4}},
            "podDisruptionBudgets": {"maxUnavailable": 1},
            "onlineStore": {"persistence": {"store": {"type": "redis"}}},
            "registry": {"local": {"persistence": {"store": {"type": "sql"}}}}}},
        "status": {"phase": "Ready", "serviceHostnames": {"onlineStore": format!("feast-{name}-online.{ns}.svc.cluster.local:80")}}})
}

/// Answers like an API server where HPAs are forbidden and OpenShift Routes do not exist.
fn fake_api(forbid_feature_stores: bool) -> Client {
    let service = tower::service_fn(move |req: http::Request<kube::client::Body>| async move {
        let path = req.uri().path().to_string();
        let query = req.uri().query().unwrap_or("").to_string();
        let (code, body) = match path.as_str() {
            "/apis/feast.dev/v1/featurestores" if forbid_feature_stores => (403, status(403, "Forbidden",
                "featurestores.feast.dev is forbidden: User \"system:serviceaccount:feast:console\" cannot list resource \"featurestores\" in API group \"feast.dev\" at the cluster scope")),
            "/apis/feast.dev/v1/featurestores" => (200, list("FeatureStore", "feast.dev/v1", vec![feature_store("ml", "a"), feature_store("ml", "b")])),
            // Built-in list items come without apiVersion and kind.
            "/apis/apps/v1/deployments" => (200, list("Deployment", "apps/v1", vec![json!({
                "metadata": {"name": "feast-a", "namespace": "ml"},
                "spec": {"replicas": 2, "template": {"metadata": {"labels": {"feast.dev/name": "a", "app": "x"}}}},
                "status": {"replicas": 2, "readyReplicas": 1}})])),
            "/apis/autoscaling/v2/horizontalpodautoscalers" => (403, status(403, "Forbidden", "horizontalpodautoscalers.autoscaling is forbidden")),
            "/apis/route.openshift.io/v1/routes" => (404, status(404, "NotFound", "the server could not find the requested resource")),
            "/api/v1/secrets" => panic!("the topology must never read Secrets"),
            "/api/v1/configmaps" => {
                assert!(query.contains("fieldSelector=metadata.name%3Dfeast-configs-registry"), "{query}");
                (200, list("ConfigMap", "v1", vec![json!({"metadata": {"name": "feast-configs-registry", "namespace": "feast-operator"}, "data": {"registry": "x"}})]))
            }
            _ => (200, list("Any", "v1", vec![])),
        };
        Ok::<_, Infallible>(
            http::Response::builder()
                .status(code)
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from(body.to_string())))
                .unwrap_or_default(),
        )
    });
    Client::new(service, "default")
}

#[tokio::test]
async fn lists_every_kind_and_reports_rbac_and_missing_apis_per_kind() {
    let source = KubeTopologySource::new(fake_api(false), None);
    let snapshot = source.snapshot().await;
    assert_eq!(snapshot.feature_stores.len(), 2);
    assert_eq!(snapshot.deployments.len(), 1);
    assert_eq!(
        snapshot.operator_registry_config().map(|c| c.keys.clone()),
        Some(vec!["registry".to_string()])
    );
    let errors: Vec<String> = snapshot
        .errors
        .iter()
        .map(|e| format!("{}: {}", e.location, e.message))
        .collect();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(errors.iter().any(|e| e.starts_with("horizontalpodautoscalers.autoscaling: forbidden") && e.contains("apiGroups: [autoscaling], resources: [horizontalpodautoscalers], verbs: [get, list, watch]")), "{errors:#?}");
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("routes.route.openshift.io: the cluster does not serve")),
        "{errors:#?}"
    );

    let report = analyze(&snapshot);
    let a = report.find("ml", "a").map(|f| f.facts.clone());
    assert!(a
        .as_ref()
        .is_some_and(|f| f.status.phase.as_deref() == Some("Ready")
            && f.status.deployment_ready == Some((1, 2))));
}

#[tokio::test]
async fn forbidden_feature_stores_name_the_missing_rule_and_keep_the_rest() {
    let snapshot = KubeTopologySource::new(fake_api(true), None)
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
async fn unreachable_api_server_is_a_failed_read() {
    let service = tower::service_fn(|_req: http::Request<kube::client::Body>| async {
        Err::<http::Response<Full<Bytes>>, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "connection refused",
        ))
    });
    let source = KubeTopologySource::new(Client::new(service, "default"), Some(vec!["ml".into()]));
    let read = source.read().await;
    assert!(
        read.as_ref()
            .is_err_and(|e| app::backend::error_chain(e).contains("connection refused")),
        "{:?}",
        read.map(|s| s.errors)
    );
}
