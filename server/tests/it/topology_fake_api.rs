//! A fake Kubernetes API server as a `tower` service: discovery (`/apis`), the FeatureStore CRD
//! by name, paged-list and watch requests answered with the JSON a real API server sends (lists,
//! `Status` objects, newline-delimited watch events on a held-open body). Tests change its
//! objects (the change goes out as a watch event), forbid paths, make it answer 500s, or hang.

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;
use kube::Client;
use serde_json::{json, Value};
use tokio::sync::broadcast;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Up,
    /// Every request is answered `500 Internal Server Error`.
    Failing,
    /// No request is answered (the client's timeout ends it).
    Hanging,
}

/// A watch event for the watches on one collection (its resourceVersion and line); `None`
/// closes them.
type Event = (String, Option<(u64, String)>);

pub struct FakeApi {
    /// Objects per collection path (`/apis/feast.dev/v1/featurestores`).
    objects: Mutex<BTreeMap<String, Vec<Value>>>,
    /// Collection paths answered 403.
    pub forbidden: Mutex<BTreeSet<String>>,
    /// Collection paths answered 503 (an aggregated API that is down).
    pub unavailable: Mutex<BTreeSet<String>>,
    /// (group, version) served besides the core group.
    pub groups: Mutex<Vec<(String, String)>>,
    /// The CRD `featurestores.feast.dev` the cluster has installed (None: 404).
    pub crd: Mutex<Option<Value>>,
    mode: Mutex<Mode>,
    events: broadcast::Sender<Event>,
    /// Every event sent, so a watch from a resourceVersion gets what it missed (as etcd's
    /// history gives a real API server).
    history: Mutex<Vec<(String, u64, String)>>,
    resource_version: AtomicU64,
    /// Paths requested, in order (lists and watches).
    pub requests: Mutex<Vec<String>>,
}

pub const FEATURE_STORES: &str = "/apis/feast.dev/v1/featurestores";

fn status(code: u16, reason: &str, message: &str) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message, "reason": reason, "code": code})
}

/// The CRD bundled with the console, as the cluster would serve it.
pub fn bundled_crd() -> Value {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/topology/feast.dev_featurestores.yaml"),
    )
    .expect("bundled CRD");
    serde_norway::from_str(&text).expect("CRD YAML")
}

impl FakeApi {
    /// A plain cluster with the Feast operator: every built-in group, feast.dev, the CRD.
    pub fn new() -> Arc<FakeApi> {
        let groups = [
            ("apps", "v1"),
            ("autoscaling", "v2"),
            ("policy", "v1"),
            ("networking.k8s.io", "v1"),
            ("batch", "v1"),
            ("apiextensions.k8s.io", "v1"),
            ("feast.dev", "v1"),
            ("feast.dev", "v1alpha1"),
        ];
        Arc::new(FakeApi {
            objects: Mutex::new(BTreeMap::new()),
            forbidden: Mutex::new(BTreeSet::new()),
            unavailable: Mutex::new(BTreeSet::new()),
            groups: Mutex::new(
                groups
                    .iter()
                    .map(|(g, v)| (g.to_string(), v.to_string()))
                    .collect(),
            ),
            crd: Mutex::new(Some(bundled_crd())),
            mode: Mutex::new(Mode::Up),
            events: broadcast::channel(1024).0,
            history: Mutex::new(Vec::new()),
            resource_version: AtomicU64::new(1000),
            requests: Mutex::new(Vec::new()),
        })
    }

    fn next_version(&self) -> u64 {
        self.resource_version.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn send(&self, collection: &str, version: u64, line: String) {
        self.history
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((collection.to_string(), version, line.clone()));
        let _ = self
            .events
            .send((collection.to_string(), Some((version, line))));
    }

    /// Adds or replaces an object (by name and namespace) and tells the watches.
    pub fn apply(&self, collection: &str, mut object: Value) {
        let version = self.next_version();
        object["metadata"]["resourceVersion"] = json!(version.to_string());
        let key = |o: &Value| {
            (
                o["metadata"]["namespace"].clone(),
                o["metadata"]["name"].clone(),
            )
        };
        let mut objects = self.objects.lock().unwrap_or_else(|e| e.into_inner());
        let list = objects.entry(collection.to_string()).or_default();
        let kind = match list.iter().position(|o| key(o) == key(&object)) {
            Some(i) => {
                list[i] = object.clone();
                "MODIFIED"
            }
            None => {
                list.push(object.clone());
                "ADDED"
            }
        };
        drop(objects);
        let line = json!({"type": kind, "object": object}).to_string() + "\n";
        self.send(collection, version, line);
    }

    pub fn delete(&self, collection: &str, namespace: &str, name: &str) {
        let mut objects = self.objects.lock().unwrap_or_else(|e| e.into_inner());
        let list = objects.entry(collection.to_string()).or_default();
        let Some(i) = list
            .iter()
            .position(|o| o["metadata"]["name"] == name && o["metadata"]["namespace"] == namespace)
        else {
            return;
        };
        let mut object = list.remove(i);
        drop(objects);
        let version = self.next_version();
        object["metadata"]["resourceVersion"] = json!(version.to_string());
        let line = json!({"type": "DELETED", "object": object}).to_string() + "\n";
        self.send(collection, version, line);
    }

    /// Changes how it answers; any mode but `Up` also drops every open watch (as a restart of
    /// the API server does).
    pub fn set_mode(&self, mode: Mode) {
        *self.mode.lock().unwrap_or_else(|e| e.into_inner()) = mode;
        if mode != Mode::Up {
            let _ = self.events.send(("*".to_string(), None));
        }
    }

    pub fn requested(&self, path: &str) -> bool {
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|p| p == path)
    }

    fn discovery(&self) -> Value {
        let mut by_group: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (g, v) in self.groups.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            by_group.entry(g.clone()).or_default().push(v.clone());
        }
        let groups: Vec<Value> = by_group
            .iter()
            .map(|(g, vs)| {
                let versions: Vec<Value> = vs
                    .iter()
                    .map(|v| json!({"groupVersion": format!("{g}/{v}"), "version": v}))
                    .collect();
                json!({"name": g, "versions": versions, "preferredVersion": versions[0]})
            })
            .collect();
        json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
    }

    fn answer(self: &Arc<Self>, path: &str, query: &str) -> (u16, Body) {
        let json_body = |v: Value| Body::from(v.to_string());
        if path == "/apis" {
            return (200, json_body(self.discovery()));
        }
        if path == "/api/v1/secrets" {
            panic!("the topology must never read Secrets");
        }
        if path == "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/featurestores.feast.dev"
        {
            return match self.crd.lock().unwrap_or_else(|e| e.into_inner()).clone() {
                Some(crd) => (200, json_body(crd)),
                None => (404, json_body(status(404, "NotFound", "customresourcedefinitions.apiextensions.k8s.io \"featurestores.feast.dev\" not found"))),
            };
        }
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(path.to_string());
        if self
            .forbidden
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(path)
        {
            return (403, json_body(status(403, "Forbidden", &format!("{path} is forbidden: User \"system:serviceaccount:feast:console\" cannot list it"))));
        }
        if self
            .unavailable
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(path)
        {
            return (
                503,
                json_body(status(
                    503,
                    "ServiceUnavailable",
                    "the server is currently unable to handle the request",
                )),
            );
        }
        if path.ends_with("/configmaps") {
            assert!(
                query.contains("fieldSelector=metadata.name%3Dfeast-configs-registry"),
                "{query}"
            );
        }
        if query.contains("watch=true") || query.contains("watch=1") {
            // Subscribed before the history is read, so nothing falls between the two.
            let rx = self.events.subscribe();
            let from: u64 = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("resourceVersion="))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let missed: Vec<(u64, String)> = self
                .history
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .filter(|(c, v, _)| c == path && *v > from)
                .map(|(_, v, l)| (*v, l.clone()))
                .collect();
            let path = path.to_string();
            let state = (rx, missed.into_iter(), from);
            let stream = futures::stream::unfold(state, move |(mut rx, mut missed, mut last)| {
                let path = path.clone();
                async move {
                    if let Some((v, line)) = missed.next() {
                        return Some((Ok::<_, Infallible>(Bytes::from(line)), (rx, missed, v)));
                    }
                    loop {
                        match rx.recv().await {
                            Ok((p, Some((v, line)))) if p == path && v > last => {
                                last = v;
                                return Some((Ok(Bytes::from(line)), (rx, missed, last)));
                            }
                            Ok((p, None)) if p == path || p == "*" => return None,
                            Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                            Err(broadcast::error::RecvError::Closed) => return None,
                        }
                    }
                }
            });
            return (200, Body::from_stream(stream));
        }
        let items = self
            .objects
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(path)
            .cloned()
            .unwrap_or_default();
        let version = self.resource_version.load(Ordering::SeqCst).to_string();
        (
            200,
            json_body(
                json!({"kind": "List", "apiVersion": "v1", "metadata": {"resourceVersion": version}, "items": items}),
            ),
        )
    }

    /// A client for this fake; requests that get no answer fail after `timeout`.
    pub fn client(self: &Arc<Self>, timeout: Duration) -> Client {
        let me = self.clone();
        let service = tower::service_fn(move |req: http::Request<kube::client::Body>| {
            let me = me.clone();
            async move {
                let mode = *me.mode.lock().unwrap_or_else(|e| e.into_inner());
                let (code, body) = match mode {
                    Mode::Hanging => std::future::pending().await,
                    Mode::Failing => (
                        500,
                        Body::from(
                            status(500, "InternalError", "etcdserver: leader changed").to_string(),
                        ),
                    ),
                    Mode::Up => me.answer(req.uri().path(), req.uri().query().unwrap_or("")),
                };
                Ok::<_, Infallible>(
                    http::Response::builder()
                        .status(code)
                        .header("content-type", "application/json")
                        .body(body)
                        .unwrap_or_default(),
                )
            }
        });
        let service = tower::ServiceBuilder::new()
            .timeout(timeout)
            .service(service);
        Client::new(service, "default")
    }
}

pub fn feature_store(ns: &str, name: &str) -> Value {
    json!({"apiVersion": "feast.dev/v1", "kind": "FeatureStore",
        "metadata": {"name": name, "namespace": ns, "uid": format!("u-{ns}-{name}")},
        "spec": {"feastProject": "p", "services": {
            "scaling": {"autoscaling": {"minReplicas": 2, "maxReplicas": 4}},
            "podDisruptionBudgets": {"maxUnavailable": 1},
            "onlineStore": {"persistence": {"store": {"type": "redis", "secretRef": {"name": "s"}}}},
            "registry": {"local": {"persistence": {"store": {"type": "sql", "secretRef": {"name": "s"}}}}}}},
        "status": {"phase": "Ready", "serviceHostnames": {"onlineStore": format!("feast-{name}-online.{ns}.svc.cluster.local:80")}}})
}
