//! Registry-cache figures for one FeatureStore. Pure arithmetic on the topology's facts, the
//! cache settings and one measurement of the registry; every formula is on its field.

use serde::{Deserialize, Serialize};

use super::range::Range;
use super::recommend::{recommendations, Recommendation};
use super::settings::{cache_settings, CacheSettings, YamlCacheSettings};
use super::storm::{storm_risk, RefreshSchedule, StormRisk};
use crate::topology::crd::FeatureStore;
use crate::topology::facts::{FeatureStoreFacts, Persistence, RegistryFacts, ServerKind};

/// Full registry reads in Feast 0.67.0's `SqlRegistry.proto()`: `list_projects`, then per
/// project ten object listings and `get_infra`.
pub const SQL_QUERIES_PER_PROJECT: u64 = 11;

/// One measurement of the registry a deployment reads.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RegistryMeasure {
    /// Console registry source name.
    pub registry: String,
    /// Serialized size of all objects (the protobuf blobs, or the `registry.db` file).
    pub bytes: Option<u64>,
    pub objects: u64,
    pub projects: u64,
    /// Time of a full read (the latest successful probe).
    pub load_ms: Option<f64>,
}

/// One server type's copies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServerCopies {
    pub kind: String,
    /// Processes holding a copy in each pod: `workers` for the online server (gunicorn), 1
    /// for the others (single-process servers).
    pub per_pod: i64,
    /// `replicas × per_pod`.
    pub copies: Range,
    pub schedule: RefreshSchedule,
    /// The container's memory limit in bytes, when set.
    pub memory_limit_bytes: Option<u64>,
    /// `per_pod × registry bytes`: what this container's copies hold at least.
    pub container_bytes: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeploymentCache {
    pub namespace: String,
    pub name: String,
    pub settings: CacheSettings,
    /// `current` from the status (or the Deployment, or the spec); min/max from the HPA
    /// settings, else the spec's replicas.
    pub replicas: Range,
    pub current_replicas_known: bool,
    pub servers: Vec<ServerCopies>,
    /// Sum over server types of `replicas × per_pod`.
    pub copies: Range,
    pub registry_backend: RegistryBackend,
    pub measure: Option<RegistryMeasure>,
    /// `copies × bytes`. A lower bound: Python objects take more room than their protobuf.
    pub memory_bytes: Option<Range>,
    /// Sum over server types of `copies × reads per minute per copy` (current replicas).
    pub refreshes_per_minute: f64,
    /// `refreshes_per_minute × queries per read / 60`; queries per read:
    /// `1 + 11 × projects` for SQL, 1 for a file.
    pub db_queries_per_second: Option<f64>,
    /// `refreshes_per_minute × bytes / 60`.
    pub db_bytes_per_second: Option<f64>,
    pub storm: StormRisk,
    pub recommendations: Vec<Recommendation>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistryBackend {
    Sql,
    File,
    /// A remote registry server: no local copies.
    Remote,
}

pub fn analyze_deployment(
    fs: &FeatureStore,
    facts: &FeatureStoreFacts,
    yaml: Option<&YamlCacheSettings>,
    measure: Option<&RegistryMeasure>,
) -> DeploymentCache {
    let online_workers = facts
        .servers
        .iter()
        .find(|s| s.kind == ServerKind::Online)
        .map_or(1, |s| s.workers);
    let settings = cache_settings(fs, yaml, online_workers);
    let replicas = replica_range(facts);
    let registry_backend = match &facts.registry {
        RegistryFacts::Remote { .. } => RegistryBackend::Remote,
        RegistryFacts::Local {
            persistence: Persistence::Db { .. },
            ..
        } => RegistryBackend::Sql,
        RegistryFacts::Local { .. } => RegistryBackend::File,
    };
    let bytes = measure.and_then(|m| m.bytes);
    let servers: Vec<ServerCopies> = if settings.remote_registry {
        Vec::new()
    } else {
        facts
            .servers
            .iter()
            .map(|s| {
                let online = s.kind == ServerKind::Online;
                let per_pod = if online {
                    settings.online_workers.value
                } else {
                    1
                };
                let timer = online.then_some(settings.registry_ttl_seconds.value);
                ServerCopies {
                    kind: s.kind.label().to_string(),
                    per_pod,
                    copies: replicas.times(per_pod),
                    schedule: RefreshSchedule::of(
                        settings.cache_mode.value,
                        settings.cache_ttl_seconds.value,
                        timer,
                    ),
                    memory_limit_bytes: s.memory_limit.as_deref().and_then(parse_memory),
                    container_bytes: bytes.map(|b| b * per_pod as u64),
                }
            })
            .collect()
    };
    let copies = servers
        .iter()
        .fold(Range::default(), |acc, s| acc.plus(s.copies));
    let refreshes_per_minute: f64 = servers
        .iter()
        .map(|s| s.copies.current as f64 * s.schedule.per_minute())
        .fold(0.0, |a, b| a + b);
    let queries_per_read = measure.map(|m| match registry_backend {
        RegistryBackend::Sql => 1 + SQL_QUERIES_PER_PROJECT * m.projects,
        RegistryBackend::File | RegistryBackend::Remote => 1,
    });
    let blocking_copies: i64 = servers
        .iter()
        .filter(|s| s.schedule.blocking_seconds.is_some())
        .map(|s| s.copies.current)
        .sum();
    let blocking_seconds = servers
        .iter()
        .filter_map(|s| s.schedule.blocking_seconds)
        .reduce(f64::min);
    let storm = storm_risk(
        blocking_seconds,
        measure.and_then(|m| m.load_ms),
        blocking_copies,
    );
    let recommendations = recommendations(fs, &settings, replicas);
    DeploymentCache {
        namespace: facts.namespace.clone(),
        name: facts.name.clone(),
        memory_bytes: bytes.map(|b| Range {
            current: copies.current * b as i64,
            min: copies.min * b as i64,
            max: copies.max * b as i64,
        }),
        db_queries_per_second: queries_per_read.map(|q| refreshes_per_minute * q as f64 / 60.0),
        db_bytes_per_second: bytes.map(|b| refreshes_per_minute * b as f64 / 60.0),
        current_replicas_known: facts.status.current_replicas.is_some()
            || facts.status.deployment_ready.is_some(),
        settings,
        replicas,
        servers,
        copies,
        registry_backend,
        measure: measure.cloned(),
        refreshes_per_minute,
        storm,
        recommendations,
    }
}

/// Current: `status.scalingStatus.currentReplicas` (or `status.replicas`), else the
/// Deployment's wanted replicas, else the HPA minimum or `spec.replicas`.
pub fn replica_range(facts: &FeatureStoreFacts) -> Range {
    let (min, max) = facts
        .scaling
        .autoscaling
        .unwrap_or((facts.scaling.replicas, facts.scaling.replicas));
    let current = facts
        .status
        .current_replicas
        .or(facts.status.deployment_ready.map(|(_, wanted)| wanted))
        .unwrap_or(min);
    Range {
        current: current.max(0),
        min: min.max(0),
        max: max.max(min).max(0),
    }
}

/// Kubernetes memory quantity in bytes: plain bytes, decimal (k, M, G, T) or binary (Ki, Mi,
/// Gi, Ti) suffixes, or an exponent (`1e9`).
pub fn parse_memory(q: &str) -> Option<u64> {
    let q = q.trim();
    let units: [(&str, f64); 8] = [
        ("Ki", 1024.0),
        ("Mi", 1024f64.powi(2)),
        ("Gi", 1024f64.powi(3)),
        ("Ti", 1024f64.powi(4)),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
    ];
    let (number, factor) = units
        .iter()
        .find_map(|(suffix, f)| q.strip_suffix(suffix).map(|n| (n, *f)))
        .unwrap_or((q, 1.0));
    let value = number.parse::<f64>().ok()? * factor;
    (value.is_finite() && value >= 0.0).then_some(value.round() as u64)
}
