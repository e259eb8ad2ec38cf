//! The cluster source's watchers as data: each one's reflector store and last news, how a
//! watcher error is read (a reading problem of its kind, or an API server that did not answer),
//! and the [`ClusterSnapshot`] built from the stores as they are.

use app::topology::objects::KubeObject;
use app::topology::snapshot::{ClusterSnapshot, SourceError};
use kube::api::DynamicObject;
use kube::runtime::reflector::store::Store;
use kube::runtime::watcher;
use serde_json::Value;

use super::crd_admission::Admitter;
use super::kube_kinds::{ReadKind, FEATURE_STORE};

/// One watcher's last news.
#[derive(Clone, Debug)]
pub enum StreamState {
    /// No complete list yet.
    Starting,
    Ready,
    /// A reading problem of this kind (403, API not served); part of the snapshot.
    Problem(SourceError),
    /// The API server did not answer; the last snapshot is kept.
    Unreachable(String),
}

/// One watch: a kind (at the version the cluster serves) in one namespace or all.
pub struct Watched {
    pub kind: ReadKind,
    /// None: all namespaces.
    pub namespace: Option<String>,
    pub version: &'static str,
    pub store: Store<DynamicObject>,
    pub state: StreamState,
}

pub fn apply(watched: &mut Watched, event: Result<watcher::Event<DynamicObject>, watcher::Error>) {
    match event {
        Ok(watcher::Event::InitDone | watcher::Event::Apply(_) | watcher::Event::Delete(_)) => {
            watched.state = StreamState::Ready;
        }
        Ok(watcher::Event::Init | watcher::Event::InitApply(_)) => {}
        Err(e) => watched.state = classify(&watched.kind, watched.version, &e),
    }
}

/// The annotation `kubectl apply` leaves: a whole copy of the object.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Drops what the topology never reads and that can be most of an object's size (managed
/// fields, kubectl's copy of the last applied object) before it is kept in a store, so the
/// stores of a large cluster hold only what is used.
pub fn trim(object: &mut DynamicObject) {
    object.metadata.managed_fields = None;
    if let Some(annotations) = object.metadata.annotations.as_mut() {
        annotations.remove(LAST_APPLIED);
    }
}

/// Why the cluster counts as unreachable: its FeatureStores cannot be read (no answer, 5xx).
/// Another kind failing so (an aggregated API such as OpenShift's Routes being down) is a
/// reading problem of that kind; the rest stays current.
pub fn unreachable(watches: &[Watched]) -> Option<String> {
    watches
        .iter()
        .filter(|w| w.kind == FEATURE_STORE)
        .find_map(|w| match &w.state {
            StreamState::Unreachable(e) => Some(format!("{}: {e}", w.kind.display())),
            _ => None,
        })
}

/// A watcher error: a reading problem of the kind (403, 404) or an API server that did not
/// answer (no response, 5xx).
fn classify(kind: &ReadKind, version: &str, error: &watcher::Error) -> StreamState {
    let (code, message) = match error {
        watcher::Error::InitialListFailed(e)
        | watcher::Error::WatchStartFailed(e)
        | watcher::Error::WatchFailed(e) => match e {
            kube::Error::Api(status) => (Some(status.code), status.message.clone()),
            other => (None, other.to_string()),
        },
        watcher::Error::WatchError(status) => (Some(status.code), status.message.clone()),
        watcher::Error::NoResourceVersion => (None, error.to_string()),
    };
    let problem = |message: String| {
        StreamState::Problem(SourceError {
            location: kind.display(),
            message,
        })
    };
    let group = if kind.group.is_empty() {
        "\"\"".to_string()
    } else {
        kind.group.to_string()
    };
    match code {
        Some(403) => problem(format!(
            "forbidden: the console's ServiceAccount may not list {}; add to its ClusterRole: {{apiGroups: [{group}], resources: [{}], verbs: [list, watch]}}",
            kind.display(),
            kind.plural
        )),
        Some(404) => problem(format!(
            "the cluster does not serve {} ({}): API or CRD not installed",
            kind.display(),
            kind.api_version(version)
        )),
        Some(code) if code < 500 => problem(format!("API error {code}: {message}")),
        Some(code) => StreamState::Unreachable(format!("API error {code}: {message}")),
        None => StreamState::Unreachable(message),
    }
}

/// The snapshot from the stores as they are now.
pub fn build(
    watches: &[Watched],
    problems: &[SourceError],
    mut admitter: Option<&mut Admitter>,
) -> ClusterSnapshot {
    let mut snapshot = ClusterSnapshot {
        errors: problems.to_vec(),
        ..ClusterSnapshot::default()
    };
    for watched in watches {
        let problem = match &watched.state {
            StreamState::Problem(e) => Some(e.clone()),
            StreamState::Unreachable(e) => Some(SourceError {
                location: watched.kind.display(),
                message: format!("{e}; showing what was read before"),
            }),
            _ => None,
        };
        if let Some(e) = problem.filter(|e| !snapshot.errors.contains(e)) {
            snapshot.errors.push(e);
        }
        let location = watched.kind.display();
        for object in watched.store.state() {
            let value = with_type(&watched.kind, watched.version, object.as_ref());
            if let Some(admitter) = admitter.as_mut().filter(|a| a.is_custom_resource(&value)) {
                let name = value
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                admitter.admit(&format!("{location}/{name}"), &value, &mut snapshot);
            }
            push_value(&mut snapshot, &location, value);
        }
    }
    snapshot.sort();
    snapshot
}

fn with_type(kind: &ReadKind, version: &str, object: &DynamicObject) -> Value {
    let mut value = serde_json::to_value(object).unwrap_or(Value::Null);
    // List items of built-in kinds come without apiVersion and kind.
    if let Some(map) = value.as_object_mut() {
        map.entry("apiVersion")
            .or_insert_with(|| Value::String(kind.api_version(version)));
        map.entry("kind")
            .or_insert_with(|| Value::String(kind.kind.to_string()));
    }
    value
}

fn push_value(snapshot: &mut ClusterSnapshot, location: &str, value: Value) {
    let name = value
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("<unnamed>")
        .to_string();
    match KubeObject::from_value(value) {
        Ok(Some(o)) => snapshot.push(o),
        Ok(None) => {}
        Err(e) => snapshot.errors.push(SourceError {
            location: format!("{location}/{name}"),
            message: e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_keep_no_managed_fields_nor_last_applied_copies() {
        let mut object: DynamicObject = serde_json::from_value(serde_json::json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "feast-a", "namespace": "ml",
                "managedFields": [{"manager": "kubectl", "operation": "Apply", "fieldsV1": {"f:spec": {}}}],
                "annotations": {LAST_APPLIED: "{\"big\": true}", "argocd.argoproj.io/sync-wave": "1"}},
            "spec": {"replicas": 2}}))
        .unwrap_or_else(|e| panic!("{e}"));
        trim(&mut object);
        assert!(object.metadata.managed_fields.is_none());
        let annotations = object.metadata.annotations.unwrap_or_default();
        assert_eq!(
            annotations.keys().collect::<Vec<_>>(),
            ["argocd.argoproj.io/sync-wave"]
        );
        assert_eq!(object.data["spec"]["replicas"], 2);
    }
}
