//! The `FeatureStore` custom resource (feast.dev `v1`, and the deprecated `v1alpha1`, whose
//! fields are a subset of `v1`). Only the fields the topology reads are declared; serde ignores
//! the rest, so a newer operator's fields never break reading. Whether the API server would
//! accept the object is decided on its JSON against the CRD itself (`topology::admission`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::object_meta::ObjectMeta;

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct FeatureStore {
    pub api_version: String,
    pub metadata: ObjectMeta,
    pub spec: FeatureStoreSpec,
    pub status: Option<FeatureStoreStatus>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct FeatureStoreSpec {
    pub feast_project: Option<String>,
    /// CRD default 1; `v1` only (the scale subresource).
    pub replicas: Option<i64>,
    pub authz: Option<AuthzConfig>,
    pub services: Option<Services>,
    pub cron_job: Option<CronJobSpec>,
    pub batch_engine: Option<Value>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct AuthzConfig {
    pub kubernetes: Option<KubernetesAuthz>,
    pub oidc: Option<Value>,
    pub no_auth: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct KubernetesAuthz {
    pub roles: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct Services {
    pub online_store: Option<OnlineStore>,
    pub offline_store: Option<OfflineStore>,
    pub registry: Option<Registry>,
    pub ui: Option<ServerConfig>,
    pub scaling: Option<Scaling>,
    pub pod_disruption_budgets: Option<PodDisruptionBudgets>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct OnlineStore {
    /// `v1` only: skips the online server and its persistence entirely.
    pub disabled: Option<bool>,
    pub persistence: Option<OnlinePersistence>,
    pub server: Option<ServerConfig>,
    pub serving: Option<Serving>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct OnlinePersistence {
    pub file: Option<FilePersistence>,
    pub store: Option<DbStore>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct OfflineStore {
    pub persistence: Option<OfflinePersistence>,
    pub server: Option<ServerConfig>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct OfflinePersistence {
    pub file: Option<OfflineFilePersistence>,
    pub store: Option<DbStore>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct OfflineFilePersistence {
    /// `file`, `dask` or `duckdb`.
    #[serde(rename = "type")]
    pub file_type: Option<String>,
    pub pvc: Option<Value>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct FilePersistence {
    pub path: Option<String>,
    pub pvc: Option<Value>,
    /// Registry files only: `none`, `sync` or `thread` (the CRD spells these in snake case).
    pub cache_mode: Option<String>,
    pub cache_ttl_seconds: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct DbStore {
    #[serde(rename = "type")]
    pub store_type: Option<String>,
    pub secret_ref: Option<NameRef>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct NameRef {
    pub name: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct Registry {
    pub local: Option<LocalRegistry>,
    pub remote: Option<RemoteRegistry>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct LocalRegistry {
    pub persistence: Option<RegistryPersistence>,
    pub server: Option<ServerConfig>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct RegistryPersistence {
    pub file: Option<FilePersistence>,
    pub store: Option<DbStore>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct RemoteRegistry {
    pub hostname: Option<String>,
    pub feast_ref: Option<FeastRef>,
    pub tls: Option<Value>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct FeastRef {
    pub name: Option<String>,
    pub namespace: Option<String>,
}

/// The server settings shared by every Feast service container.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct ServerConfig {
    pub metrics: Option<bool>,
    pub tls: Option<TlsConfig>,
    pub resources: Option<Resources>,
    pub worker_configs: Option<WorkerConfigs>,
    /// Registry server only: CRD says gRPC "defaults to true if unset".
    pub grpc: Option<bool>,
    #[serde(rename = "restAPI")]
    pub rest_api: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct TlsConfig {
    pub disable: Option<bool>,
    pub secret_ref: Option<NameRef>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct Resources {
    pub requests: Option<serde_json::Map<String, Value>>,
    pub limits: Option<serde_json::Map<String, Value>>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct WorkerConfigs {
    /// -1 means 2 * CPU + 1.
    pub workers: Option<i64>,
    #[serde(rename = "registryTTLSeconds")]
    pub registry_ttl_seconds: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct Serving {
    pub metrics: Option<ServingMetrics>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct ServingMetrics {
    pub enabled: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct Scaling {
    pub autoscaling: Option<Autoscaling>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct Autoscaling {
    pub min_replicas: Option<i64>,
    pub max_replicas: Option<i64>,
}

/// minAvailable / maxUnavailable are int-or-string (`1` or `"50%"`); kept as JSON values.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct PodDisruptionBudgets {
    pub min_available: Option<Value>,
    pub max_unavailable: Option<Value>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct CronJobSpec {
    pub schedule: Option<String>,
    pub suspend: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct FeatureStoreStatus {
    /// The effective spec with the operator's defaults filled in.
    pub applied: Option<FeatureStoreSpec>,
    pub phase: Option<String>,
    pub conditions: Vec<Condition>,
    pub replicas: Option<i64>,
    pub scaling_status: Option<ScalingStatus>,
    pub service_hostnames: Option<ServiceHostnames>,
    pub cron_job: Option<String>,
    pub feast_version: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct Condition {
    #[serde(rename = "type")]
    pub condition_type: String,
    pub status: String,
    pub reason: Option<String>,
    pub message: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct ScalingStatus {
    pub current_replicas: Option<i64>,
    pub desired_replicas: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct ServiceHostnames {
    pub online_store: Option<String>,
    pub offline_store: Option<String>,
    pub registry: Option<String>,
    pub registry_rest: Option<String>,
    pub ui: Option<String>,
}
