//! What a FeatureStore effectively is, once the operator's defaults and the objects around it
//! are taken into account. Built by `derive`; read by classification, rules and diagrams.

use serde::Serialize;

/// Where the effective configuration came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfigSource {
    /// `status.applied`: the operator's own view, defaults included.
    StatusApplied,
    /// No status (e.g. a manifest not applied yet): the spec with the CRD's defaults.
    SpecWithDefaults,
}

/// The Feast servers the operator runs as containers of the `feast-<name>` Deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerKind {
    Online,
    Offline,
    Registry,
    RegistryRest,
    Ui,
}

impl ServerKind {
    pub fn label(self) -> &'static str {
        match self {
            ServerKind::Online => "online feature server",
            ServerKind::Offline => "offline feature server",
            ServerKind::Registry => "registry gRPC server",
            ServerKind::RegistryRest => "registry REST server",
            ServerKind::Ui => "UI",
        }
    }

    /// Suffix of the operator's Service `feast-<name>-<suffix>`.
    pub fn service_suffix(self) -> &'static str {
        match self {
            ServerKind::Online => "online",
            ServerKind::Offline => "offline",
            ServerKind::Registry => "registry",
            ServerKind::RegistryRest => "registry-rest",
            ServerKind::Ui => "ui",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Persistence {
    /// A file the server itself reads and writes (SQLite, DuckDB, Dask, registry.db).
    File {
        /// `sqlite` (online), `file` / `dask` / `duckdb` (offline), `registry.db` (registry).
        format: String,
        path: Option<String>,
        on_pvc: bool,
        /// `s3` or `gs` when the path is an object store URI (registry only).
        object_store: Option<String>,
    },
    /// A database or service reached through a Secret (`redis`, `postgres`, `sql`, ...).
    Db { store_type: String },
}

impl Persistence {
    pub fn is_file(&self) -> bool {
        matches!(self, Persistence::File { .. })
    }

    pub fn type_name(&self) -> &str {
        match self {
            Persistence::File { format, .. } => format,
            Persistence::Db { store_type } => store_type,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Persistence::File {
                format,
                object_store: Some(os),
                ..
            } => format!("file: {format} on {os}"),
            Persistence::File {
                format,
                on_pvc: true,
                ..
            } => format!("file: {format} on a PVC"),
            Persistence::File { format, .. } => format!("file: {format}, ephemeral"),
            Persistence::Db { store_type } => format!("DB: {store_type}"),
        }
    }
}

/// The registry client cache refresh mode (`cache_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CacheMode {
    Sync,
    Thread,
    None,
    /// Set in the registry Secret, which the console never reads. Feast's default is `sync`.
    InSecret,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RemoteTarget {
    Hostname { hostname: String },
    FeatureStore { namespace: String, name: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RegistryFacts {
    Local {
        persistence: Persistence,
        grpc: bool,
        rest: bool,
        cache_mode: CacheMode,
    },
    Remote {
        target: RemoteTarget,
    },
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ScalingFacts {
    /// `spec.replicas` (CRD default 1).
    pub replicas: i64,
    /// `spec.services.scaling.autoscaling` as (min, max).
    pub autoscaling: Option<(i64, i64)>,
    /// HorizontalPodAutoscaler objects targeting `feast-<name>` (the operator's or a user's).
    pub hpa_objects: Vec<String>,
}

impl ScalingFacts {
    /// Scaling as the CRD's validation rules see it.
    pub fn spec_scaled(&self) -> bool {
        self.replicas > 1 || self.autoscaling.is_some()
    }

    pub fn has_autoscaling(&self) -> bool {
        self.autoscaling.is_some() || !self.hpa_objects.is_empty()
    }

    pub fn min_replicas(&self) -> i64 {
        self.autoscaling
            .map(|(min, _)| min)
            .unwrap_or(self.replicas)
    }

    pub fn max_replicas(&self) -> i64 {
        self.autoscaling
            .map(|(_, max)| max.max(1))
            .unwrap_or(self.replicas)
    }

    /// High availability: never fewer than two pods.
    pub fn is_highly_available(&self) -> bool {
        self.min_replicas() >= 2
    }

    pub fn describe(&self) -> String {
        match self.autoscaling {
            Some((min, max)) => format!("HPA {min}-{max} replicas"),
            None if !self.hpa_objects.is_empty() => format!(
                "{} + HPA {}",
                replicas(self.replicas),
                self.hpa_objects.join(", ")
            ),
            None => format!("{}, no autoscaling", replicas(self.replicas)),
        }
    }
}

fn replicas(n: i64) -> String {
    if n == 1 {
        "1 replica".into()
    } else {
        format!("{n} replicas")
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PdbFacts {
    /// `spec.services.podDisruptionBudgets` is set.
    pub in_spec: bool,
    pub min_available: Option<String>,
    pub max_unavailable: Option<String>,
    /// PodDisruptionBudget objects selecting the FeatureStore's pods.
    pub objects: Vec<String>,
}

impl PdbFacts {
    pub fn exists(&self) -> bool {
        self.in_spec || !self.objects.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Authz {
    None,
    Kubernetes { roles: Vec<String> },
    Oidc,
}

impl Authz {
    pub fn describe(&self) -> String {
        match self {
            Authz::None => "none".into(),
            Authz::Kubernetes { roles } if roles.is_empty() => "kubernetes".into(),
            Authz::Kubernetes { roles } => format!("kubernetes, roles {}", roles.join(", ")),
            Authz::Oidc => "oidc".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServerFacts {
    pub kind: ServerKind,
    pub tls: bool,
    pub metrics: bool,
    pub cpu_request: Option<String>,
    pub memory_request: Option<String>,
    pub cpu_limit: Option<String>,
    pub memory_limit: Option<String>,
    /// Worker processes per pod (`workerConfigs.workers`; -1 resolved as 2 * CPU + 1).
    pub workers: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExposureKind {
    Ingress,
    Route,
    /// A Service of type LoadBalancer or NodePort.
    Service,
}

/// A way in from outside the cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exposure {
    pub kind: ExposureKind,
    pub name: String,
    pub tls: bool,
    /// Services (`feast-<name>-...`) it reaches.
    pub services: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CronJobFacts {
    pub schedule: Option<String>,
    /// `spec.cronJob` (operator-managed) or a CronJob object found beside it.
    pub from_spec: bool,
    pub object: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ConditionFacts {
    pub condition_type: String,
    pub status: String,
    pub reason: Option<String>,
    pub message: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StatusFacts {
    pub phase: Option<String>,
    pub conditions: Vec<ConditionFacts>,
    pub current_replicas: Option<i64>,
    pub desired_replicas: Option<i64>,
    /// (service, hostname) pairs from `status.serviceHostnames`.
    pub service_hostnames: Vec<(String, String)>,
    pub feast_version: Option<String>,
    /// Ready / wanted pods of the `feast-<name>` Deployment when it was read.
    pub deployment_ready: Option<(i64, i64)>,
}

/// Everything the console knows about one FeatureStore.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FeatureStoreFacts {
    pub namespace: String,
    pub name: String,
    pub api_version: String,
    pub project: Option<String>,
    pub config_source: ConfigSource,
    pub servers: Vec<ServerFacts>,
    /// None when `onlineStore.disabled` is set.
    pub online_store: Option<Persistence>,
    /// `onlineStore.persistence.store` is set, even on a disabled online store: what the CRD's
    /// scaling rule asks for.
    pub online_store_db_declared: bool,
    /// None when no offline store is configured (the operator deploys none by default).
    pub offline_store: Option<Persistence>,
    pub registry: RegistryFacts,
    pub scaling: ScalingFacts,
    pub pdb: PdbFacts,
    pub authz: Authz,
    pub exposures: Vec<Exposure>,
    pub network_policies: Vec<String>,
    pub cron_job: Option<CronJobFacts>,
    pub batch_engine: bool,
    pub status: StatusFacts,
}

impl FeatureStoreFacts {
    pub fn key(&self) -> (String, String) {
        (self.namespace.clone(), self.name.clone())
    }

    pub fn server(&self, kind: ServerKind) -> Option<&ServerFacts> {
        self.servers.iter().find(|s| s.kind == kind)
    }

    pub fn has_server(&self, kind: ServerKind) -> bool {
        self.server(kind).is_some()
    }

    pub fn servers_with_tls(&self) -> Vec<ServerKind> {
        self.servers
            .iter()
            .filter(|s| s.tls)
            .map(|s| s.kind)
            .collect()
    }

    pub fn metrics_servers(&self) -> Vec<ServerKind> {
        self.servers
            .iter()
            .filter(|s| s.metrics)
            .map(|s| s.kind)
            .collect()
    }

    /// Registry copies held in memory at peak: pods x workers of every server that keeps one.
    pub fn registry_cache_copies(&self) -> i64 {
        let workers: i64 = self
            .servers
            .iter()
            .filter(|s| s.kind != ServerKind::Ui)
            .map(|s| s.workers.max(1))
            .sum();
        self.scaling.max_replicas().max(1) * workers.max(1)
    }

    pub fn uses_hybrid_store(&self) -> bool {
        [&self.online_store, &self.offline_store]
            .into_iter()
            .flatten()
            .any(|p| p.type_name().starts_with("hybrid"))
    }

    pub fn has_tls_ingress(&self) -> bool {
        self.exposures.iter().any(|e| e.tls)
    }
}
