//! The Kubernetes objects around a FeatureStore, reduced to what the topology reads. Declared
//! here rather than taken from k8s-openapi so this module stays small and builds for wasm.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::crd::FeatureStore;
use super::object_meta::ObjectMeta;

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default, rename_all = "camelCase")]
pub struct LabelSelector {
    pub match_labels: BTreeMap<String, String>,
    pub match_expressions: Vec<Value>,
}

impl LabelSelector {
    /// matchLabels only; a selector with expressions is treated as matching when its labels do,
    /// which can over-report coverage but never hides an object that exists.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct Deployment {
    pub metadata: ObjectMeta,
    pub spec: DeploymentSpec,
    pub status: Option<DeploymentStatus>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct DeploymentSpec {
    pub replicas: Option<i64>,
    pub template: PodTemplate,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct PodTemplate {
    pub metadata: ObjectMeta,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct DeploymentStatus {
    pub replicas: Option<i64>,
    pub ready_replicas: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct HorizontalPodAutoscaler {
    pub metadata: ObjectMeta,
    pub spec: HpaSpec,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct HpaSpec {
    pub scale_target_ref: ScaleTargetRef,
    pub min_replicas: Option<i64>,
    pub max_replicas: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct ScaleTargetRef {
    pub kind: String,
    pub name: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct PodDisruptionBudget {
    pub metadata: ObjectMeta,
    pub spec: PdbSpec,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct PdbSpec {
    pub selector: Option<LabelSelector>,
    pub min_available: Option<Value>,
    pub max_unavailable: Option<Value>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct NetworkPolicy {
    pub metadata: ObjectMeta,
    pub spec: NetworkPolicySpec,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct NetworkPolicySpec {
    pub pod_selector: LabelSelector,
    pub policy_types: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct Service {
    pub metadata: ObjectMeta,
    pub spec: ServiceSpec,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct ServiceSpec {
    #[serde(rename = "type")]
    pub service_type: Option<String>,
    pub selector: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct Ingress {
    pub metadata: ObjectMeta,
    pub spec: IngressSpec,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct IngressSpec {
    pub tls: Vec<Value>,
    pub rules: Vec<IngressRule>,
    pub default_backend: Option<IngressBackend>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct IngressRule {
    pub host: Option<String>,
    pub http: Option<IngressHttp>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct IngressHttp {
    pub paths: Vec<IngressPath>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct IngressPath {
    pub backend: IngressBackend,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct IngressBackend {
    pub service: Option<IngressServiceBackend>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct IngressServiceBackend {
    pub name: String,
}

impl Ingress {
    /// Every Service this Ingress sends traffic to.
    pub fn backend_services(&self) -> impl Iterator<Item = &str> {
        let from_rules = self
            .spec
            .rules
            .iter()
            .filter_map(|r| r.http.as_ref())
            .flat_map(|h| h.paths.iter())
            .filter_map(|p| p.backend.service.as_ref());
        self.spec
            .default_backend
            .iter()
            .filter_map(|b| b.service.as_ref())
            .chain(from_rules)
            .map(|s| s.name.as_str())
    }
}

/// OpenShift `route.openshift.io/v1` Route.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct Route {
    pub metadata: ObjectMeta,
    pub spec: RouteSpec,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct RouteSpec {
    pub host: Option<String>,
    pub to: ScaleTargetRef,
    pub tls: Option<Value>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct CronJob {
    pub metadata: ObjectMeta,
    pub spec: CronJobObjectSpec,
    pub status: CronJobStatus,
}

/// When the CronJob last ran and last succeeded (RFC 3339), as the API server reports.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct CronJobStatus {
    pub last_schedule_time: Option<String>,
    pub last_successful_time: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct CronJobObjectSpec {
    pub schedule: String,
    pub suspend: Option<bool>,
}

/// A ConfigMap; only the keys are kept (values can hold connection strings).
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct ConfigMap {
    pub metadata: ObjectMeta,
    pub keys: Vec<String>,
}

/// One object of a kind the topology reads.
#[derive(Clone, Debug, PartialEq)]
pub enum KubeObject {
    FeatureStore(Box<FeatureStore>),
    Deployment(Deployment),
    HorizontalPodAutoscaler(HorizontalPodAutoscaler),
    PodDisruptionBudget(PodDisruptionBudget),
    NetworkPolicy(NetworkPolicy),
    Service(Service),
    Ingress(Ingress),
    Route(Route),
    CronJob(CronJob),
    ConfigMap(ConfigMap),
}

/// Why a document could not become a [`KubeObject`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ObjectError {
    #[error("not a Kubernetes object: {0}")]
    NotAnObject(String),
    #[error("{kind} {name}: {message}")]
    Invalid {
        kind: String,
        name: String,
        message: String,
    },
}

impl KubeObject {
    /// Reads one API object. `Ok(None)` for kinds the topology does not use (Secrets among them:
    /// their values are never read).
    pub fn from_value(value: Value) -> Result<Option<KubeObject>, ObjectError> {
        let Some(map) = value.as_object() else {
            return Err(ObjectError::NotAnObject(
                "expected a mapping with apiVersion and kind".into(),
            ));
        };
        let kind = map
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let api_version = map
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if kind.is_empty() || api_version.is_empty() {
            return Err(ObjectError::NotAnObject(
                "apiVersion or kind is missing".into(),
            ));
        }
        let name = map
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("<unnamed>")
            .to_string();
        let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
        let invalid = |e: serde_json::Error| ObjectError::Invalid {
            kind: kind.clone(),
            name: name.clone(),
            message: e.to_string(),
        };
        let object = match (group, kind.as_str()) {
            ("feast.dev", "FeatureStore") => {
                KubeObject::FeatureStore(Box::new(serde_json::from_value(value).map_err(invalid)?))
            }
            ("apps", "Deployment") => {
                KubeObject::Deployment(serde_json::from_value(value).map_err(invalid)?)
            }
            ("autoscaling", "HorizontalPodAutoscaler") => {
                KubeObject::HorizontalPodAutoscaler(serde_json::from_value(value).map_err(invalid)?)
            }
            ("policy", "PodDisruptionBudget") => {
                KubeObject::PodDisruptionBudget(serde_json::from_value(value).map_err(invalid)?)
            }
            ("networking.k8s.io", "NetworkPolicy") => {
                KubeObject::NetworkPolicy(serde_json::from_value(value).map_err(invalid)?)
            }
            ("", "Service") => KubeObject::Service(serde_json::from_value(value).map_err(invalid)?),
            ("networking.k8s.io", "Ingress") => {
                KubeObject::Ingress(serde_json::from_value(value).map_err(invalid)?)
            }
            ("route.openshift.io", "Route") => {
                KubeObject::Route(serde_json::from_value(value).map_err(invalid)?)
            }
            ("batch", "CronJob") => {
                KubeObject::CronJob(serde_json::from_value(value).map_err(invalid)?)
            }
            ("", "ConfigMap") => {
                let metadata: ObjectMeta = map
                    .get("metadata")
                    .cloned()
                    .map(serde_json::from_value)
                    .transpose()
                    .map_err(invalid)?
                    .unwrap_or_default();
                let mut keys: Vec<String> = ["data", "binaryData"]
                    .iter()
                    .filter_map(|k| map.get(*k).and_then(Value::as_object))
                    .flat_map(|m| m.keys().cloned())
                    .collect();
                keys.sort();
                KubeObject::ConfigMap(ConfigMap { metadata, keys })
            }
            _ => return Ok(None),
        };
        Ok(Some(object))
    }
}
