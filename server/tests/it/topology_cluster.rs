//! `feast-console serve --kubernetes KUBECONFIG`: the real binary reads its topology from a
//! Kubernetes API (here a fake API server on loopback answering the JSON shapes a real one
//! returns, as no real one can run in this sandbox), keeps watching it, and shows it on the
//! topology pages (discovery, then one list and a watch per kind); a kubeconfig that cannot be read stops the console with a clear message.

use std::process::{Command, Stdio};
use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};
use std::time::{Duration, Instant};

use axum::{extract::State, http::Uri, response::IntoResponse, Json, Router};
use serde_json::{json, Value};

use crate::common;

fn list(kind: &str, api_version: &str, items: Vec<Value>) -> Value {
    json!({"kind": format!("{kind}List"), "apiVersion": api_version,
           "metadata": {"resourceVersion": "7"}, "items": items})
}

fn feature_store(ns: &str, name: &str) -> Value {
    json!({"apiVersion": "feast.dev/v1", "kind": "FeatureStore",
        "metadata": {"name": name, "namespace": ns, "resourceVersion": "5", "uid": format!("u-{name}")},
        "spec": {"feastProject": name, "services": {
            "onlineStore": {"persistence": {"store": {"type": "redis", "secretRef": {"name": "s"}}}},
            "registry": {"local": {"persistence": {"store": {"type": "sql", "secretRef": {"name": "r"}}}}}}},
        "status": {"phase": "Ready"}})
}

#[derive(Clone, Default)]
struct Api {
    /// How many FeatureStore lists were served.
    reads: Arc<AtomicUsize>,
    /// How many FeatureStore watches were opened: the console keeps watching.
    watches: Arc<AtomicUsize>,
}

/// `/apis` discovery: the built-in groups and feast.dev.
fn discovery() -> Value {
    let groups: Vec<Value> = [
        ("apps", "v1"),
        ("autoscaling", "v2"),
        ("policy", "v1"),
        ("networking.k8s.io", "v1"),
        ("batch", "v1"),
        ("feast.dev", "v1"),
    ]
    .iter()
    .map(|(g, v)| {
        let version = json!({"groupVersion": format!("{g}/{v}"), "version": v});
        json!({"name": g, "versions": [version.clone()], "preferredVersion": version})
    })
    .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

async fn answer(State(api): State<Api>, uri: Uri) -> axum::response::Response {
    if uri
        .query()
        .is_some_and(|q| q.contains("watch=true") || q.contains("watch=1"))
    {
        if uri.path() == "/apis/feast.dev/v1/featurestores" {
            api.watches.fetch_add(1, Ordering::SeqCst);
        }
        // Nothing changes in this cluster: the watch stays open and quiet.
        let quiet = futures::stream::pending::<Result<bytes::Bytes, std::convert::Infallible>>();
        return axum::body::Body::from_stream(quiet).into_response();
    }
    let body = match uri.path() {
        "/apis" => discovery(),
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/featurestores.feast.dev" => {
            let missing = json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404,
                "message": "customresourcedefinitions.apiextensions.k8s.io \"featurestores.feast.dev\" not found"});
            return (axum::http::StatusCode::NOT_FOUND, Json(missing)).into_response();
        }
        "/apis/feast.dev/v1/featurestores" => {
            api.reads.fetch_add(1, Ordering::SeqCst);
            list(
                "FeatureStore",
                "feast.dev/v1",
                vec![
                    feature_store("fraud", "fraud-store"),
                    feature_store("recs", "recs-store"),
                ],
            )
        }
        "/api/v1/secrets" => panic!("the console must never read Secrets"),
        _ => list("Any", "v1", vec![]),
    };
    Json(body).into_response()
}

fn kubeconfig(server: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "fc-kubeconfig-{}-{}.yaml",
        std::process::id(),
        server.rsplit(':').next().unwrap_or("0")
    ));
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: {server}\n\
             users:\n- name: console\n  user:\n    token: test-only-token\n\
             contexts:\n- name: fake\n  context:\n    cluster: fake\n    user: console\n\
             current-context: fake\n"
        ),
    )
    .unwrap();
    path
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn serve_reads_the_topology_from_the_cluster_and_keeps_watching_it() {
    let api = Api::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().fallback(answer).with_state(api.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let config = kubeconfig(&server);

    let port = free_port();
    let data = std::env::temp_dir().join(format!("fc-topology-cluster-{}", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_feast-console"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(&data)
        .arg("--kubernetes")
        .arg(&config)
        .env_remove("FEAST_CONSOLE_CONFIG")
        .env("FEAST_CONSOLE_TOPOLOGY_REFRESH_SECONDS", "1")
        .env("FEAST_CONSOLE_LOG_LEVEL", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let http = common::http_client();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let page = loop {
        let body = match http.get(format!("{base}/topology")).send().await {
            Ok(r) if r.status() == 200 => r.text().await.unwrap_or_default(),
            _ => String::new(),
        };
        if body.contains("fraud/fraud-store") {
            break body;
        }
        assert!(
            Instant::now() < deadline,
            "the topology page never showed the cluster: {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(page.contains("recs/recs-store"));
    assert!(
        page.contains(&format!("Kubernetes API {server}")),
        "the source is named"
    );
    // Listed once, then watched (not polled).
    assert!(
        api.watches.load(Ordering::SeqCst) >= 1,
        "the FeatureStores are watched"
    );
    assert_eq!(api.reads.load(Ordering::SeqCst), 1, "listed once");
    // The cluster's CRD is not installed here: the bundled one is used and the page says so.
    assert!(
        page.contains("FeatureStores are checked against the Feast operator"),
        "{page}"
    );
    let detail = http
        .get(format!("{base}/topology/fraud/fraud-store"))
        .send()
        .await
        .unwrap();
    assert_eq!(detail.status(), 200);
    let detail = detail.text().await.unwrap();
    assert!(detail.contains("Checklist"));
    // What the API server would refuse is apart from the guide's advice; the status is shown.
    assert!(
        detail.contains("The API server would refuse this")
            && detail.contains("No: the object passes its CRD"),
        "{detail}"
    );
    assert!(detail.contains("The guide advises"));
    assert!(detail.contains("Phase: ") && detail.contains("Ready"));
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_file(config);
}

#[test]
fn an_unreadable_kubeconfig_stops_the_console_with_a_clear_message() {
    let bad = std::env::temp_dir().join(format!("fc-bad-kubeconfig-{}.yaml", std::process::id()));
    std::fs::write(&bad, "clusters: [this is: not, a kubeconfig").unwrap();
    for (value, expected) in [
        (bad.to_str().unwrap().to_string(), "cannot read kubeconfig"),
        (
            "/no/such/kubeconfig".to_string(),
            "is not a kubeconfig file",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_feast-console"))
            .args(["serve", "--listen", "127.0.0.1:0", "--kubernetes", &value])
            .arg("--data-dir")
            // Per process: a data dir another checkout's console migrated further breaks this run.
            .arg(
                std::env::temp_dir().join(format!("fc-bad-kubeconfig-data-{}", std::process::id())),
            )
            .env_remove("FEAST_CONSOLE_CONFIG")
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{err}");
    }
    let _ = std::fs::remove_file(bad);
}

#[test]
fn namespaces_must_be_namespace_names() {
    let out = Command::new(env!("CARGO_BIN_EXE_feast-console"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("FEAST_CONSOLE_CONFIG")
        .env("FEAST_CONSOLE_KUBERNETES_NAMESPACES", "team-a,Team_B")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("kubernetes_namespaces") && err.contains("Team_B"),
        "{err}"
    );
}

#[tokio::test]
async fn cache_report_reads_feature_stores_from_the_cluster() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().fallback(answer).with_state(Api::default());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let config = kubeconfig(&server);
    let kubeconfig_path = config.clone();
    // The fake API answers on this runtime while the command runs on a blocking thread.
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_feast-console"))
            .args(["cache", "report", "--format", "json", "--kubernetes"])
            .arg(&kubeconfig_path)
            .env_remove("FEAST_CONSOLE_CONFIG")
            .output()
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<String> = report["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}/{}",
                d["namespace"].as_str().unwrap_or(""),
                d["name"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(names, ["fraud/fraud-store", "recs/recs-store"], "{report}");
    let _ = std::fs::remove_file(config);
}

/// `topology check --kubernetes KUBECONFIG` checks against the CRD the cluster serves; a
/// cluster without it stops the command with the reason (exit 2).
#[tokio::test]
async fn check_against_the_clusters_crd_needs_it_installed() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().fallback(answer).with_state(Api::default());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let config = kubeconfig(&server);
    let minimal =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/topology/minimal");
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_feast-console"))
            .args(["topology", "check"])
            .arg(&minimal)
            .arg("--kubernetes")
            .arg(&config)
            .output()
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the FeatureStore CRD is not installed in the cluster"),
        "{err}"
    );
}
