//! Cluster source of the topology: reads FeatureStores and the objects around them through the
//! Kubernetes API (kube-rs) into a [`ClusterSnapshot`]. Every kind is read on its own, so a
//! missing API (no OpenShift Routes, no CRD) or a missing RBAC rule is reported for that kind,
//! naming the rule to add, and the rest still works. Secrets are never read.

use app::topology::objects::KubeObject;
use app::topology::snapshot::{ClusterSnapshot, SourceError, OPERATOR_REGISTRY_CONFIGMAP};
use kube::api::{Api, DynamicObject, ListParams};
use kube::core::{ApiResource, GroupVersionKind};
use kube::Client;
use serde_json::Value;

/// One API kind the topology reads.
#[derive(Clone, Copy, Debug)]
pub struct KindSpec {
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub plural: &'static str,
}

impl KindSpec {
    fn resource(&self) -> ApiResource {
        ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk(self.group, self.version, self.kind),
            self.plural,
        )
    }

    fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `featurestores.feast.dev`, `services` (core).
    pub fn display(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }
}

pub const FEATURE_STORE_V1: KindSpec = KindSpec {
    group: "feast.dev",
    version: "v1",
    kind: "FeatureStore",
    plural: "featurestores",
};
pub const FEATURE_STORE_V1ALPHA1: KindSpec = KindSpec {
    group: "feast.dev",
    version: "v1alpha1",
    kind: "FeatureStore",
    plural: "featurestores",
};

/// Everything around the FeatureStores (ConfigMaps: only the operator's, by name).
pub const AROUND: [KindSpec; 9] = [
    KindSpec {
        group: "apps",
        version: "v1",
        kind: "Deployment",
        plural: "deployments",
    },
    KindSpec {
        group: "autoscaling",
        version: "v2",
        kind: "HorizontalPodAutoscaler",
        plural: "horizontalpodautoscalers",
    },
    KindSpec {
        group: "policy",
        version: "v1",
        kind: "PodDisruptionBudget",
        plural: "poddisruptionbudgets",
    },
    KindSpec {
        group: "networking.k8s.io",
        version: "v1",
        kind: "NetworkPolicy",
        plural: "networkpolicies",
    },
    KindSpec {
        group: "",
        version: "v1",
        kind: "Service",
        plural: "services",
    },
    KindSpec {
        group: "networking.k8s.io",
        version: "v1",
        kind: "Ingress",
        plural: "ingresses",
    },
    KindSpec {
        group: "route.openshift.io",
        version: "v1",
        kind: "Route",
        plural: "routes",
    },
    KindSpec {
        group: "batch",
        version: "v1",
        kind: "CronJob",
        plural: "cronjobs",
    },
    KindSpec {
        group: "",
        version: "v1",
        kind: "ConfigMap",
        plural: "configmaps",
    },
];

pub struct KubeTopologySource {
    client: Client,
    /// None: all namespaces; else only these.
    namespaces: Option<Vec<String>>,
}

impl KubeTopologySource {
    pub fn new(client: Client, namespaces: Option<Vec<String>>) -> Self {
        Self { client, namespaces }
    }

    fn apis(&self, spec: &KindSpec) -> Vec<Api<DynamicObject>> {
        let ar = spec.resource();
        match &self.namespaces {
            None => vec![Api::all_with(self.client.clone(), &ar)],
            Some(list) => list
                .iter()
                .map(|ns| Api::namespaced_with(self.client.clone(), ns, &ar))
                .collect(),
        }
    }

    /// Reads every kind into one snapshot. Per-kind problems land in `errors`; only an API
    /// server that cannot be reached at all is an `Err` (so the refresher keeps the last one).
    pub async fn read(&self) -> Result<ClusterSnapshot, ClusterUnreachable> {
        let (snapshot, unreachable) = self.collect().await;
        match unreachable {
            Some(e) => Err(e),
            None => Ok(snapshot),
        }
    }

    /// Like [`Self::read`], with an unreachable API server reported inside the snapshot.
    pub async fn snapshot(&self) -> ClusterSnapshot {
        self.collect().await.0
    }

    async fn collect(&self) -> (ClusterSnapshot, Option<ClusterUnreachable>) {
        let mut snapshot = ClusterSnapshot::default();
        // FeatureStores: v1, or v1alpha1 from an older operator that does not serve v1 yet.
        let mut stores = self.list_kind(&FEATURE_STORE_V1).await;
        if matches!(&stores, Err(e) if e.code == Some(404)) {
            stores = self.list_kind(&FEATURE_STORE_V1ALPHA1).await;
        }
        let unreachable = match &mut stores {
            Err(e) => e.unreachable.take().map(ClusterUnreachable),
            Ok(_) => None,
        };
        let mut results = vec![(FEATURE_STORE_V1, stores)];
        for spec in AROUND {
            results.push((spec, self.list_kind(&spec).await));
        }
        for (spec, result) in results {
            match result {
                Ok(values) => {
                    for value in values {
                        let keep = spec.kind != "ConfigMap"
                            || value.pointer("/metadata/name").and_then(Value::as_str)
                                == Some(OPERATOR_REGISTRY_CONFIGMAP);
                        if keep {
                            push_value(&mut snapshot, &spec.display(), value);
                        }
                    }
                }
                Err(e) => snapshot.errors.push(e.error),
            }
        }
        snapshot.sort();
        (snapshot, unreachable)
    }

    async fn list_kind(&self, spec: &KindSpec) -> Result<Vec<Value>, KindError> {
        let mut out = Vec::new();
        let params = if spec.kind == "ConfigMap" {
            ListParams::default().fields(&format!("metadata.name={OPERATOR_REGISTRY_CONFIGMAP}"))
        } else {
            ListParams::default()
        };
        for api in self.apis(spec) {
            let list = api.list(&params).await.map_err(|e| kind_error(spec, e))?;
            out.extend(list.items.into_iter().map(|o| with_type(spec, o)));
        }
        Ok(out)
    }
}

fn with_type(spec: &KindSpec, object: DynamicObject) -> Value {
    let mut value = serde_json::to_value(object).unwrap_or(Value::Null);
    // List items of built-in kinds come without apiVersion and kind.
    if let Some(map) = value.as_object_mut() {
        map.entry("apiVersion")
            .or_insert_with(|| Value::String(spec.api_version()));
        map.entry("kind")
            .or_insert_with(|| Value::String(spec.kind.to_string()));
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

/// The API server could not be reached at all (no HTTP status), so the refresher keeps the
/// last snapshot. Its message is the one the snapshot's error for that kind starts with.
#[derive(Debug, thiserror::Error)]
#[error("cannot read")]
pub struct ClusterUnreachable(#[source] kube::Error);

#[derive(Debug)]
struct KindError {
    code: Option<u16>,
    error: SourceError,
    /// The cause when the API server gave no HTTP status.
    unreachable: Option<kube::Error>,
}

fn kind_error(spec: &KindSpec, e: kube::Error) -> KindError {
    let group = if spec.group.is_empty() {
        "\"\"".to_string()
    } else {
        spec.group.to_string()
    };
    let (code, message) = match &e {
        kube::Error::Api(status) if status.code == 403 => (
            Some(403),
            format!(
                "forbidden: the console's ServiceAccount may not list {}; add to its ClusterRole: {{apiGroups: [{group}], resources: [{}], verbs: [get, list, watch]}}",
                spec.display(),
                spec.plural
            ),
        ),
        kube::Error::Api(status) if status.code == 404 => (
            Some(404),
            format!("the cluster does not serve {} ({}): API or CRD not installed", spec.display(), spec.api_version()),
        ),
        kube::Error::Api(status) => (Some(status.code), format!("API error {}: {}", status.code, status.message)),
        other => (None, format!("cannot read: {other}")),
    };
    KindError {
        code,
        error: SourceError {
            location: spec.display(),
            message,
        },
        unreachable: code.is_none().then_some(e),
    }
}
