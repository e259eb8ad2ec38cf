//! A FeatureStore's registry-cache settings, each with where its value came from.
//!
//! Three settings decide how often each server process re-reads the registry (Feast 0.67.0):
//! - `cache_mode` (`sync` or `thread`; Feast default `sync`) and `cache_ttl_seconds` (Feast
//!   default 600; 0 = never expires) of the registry config (`feature_store.yaml`'s `registry:`
//!   block): the cache kept by every `FeatureStore` object (`CachingRegistry` for SQL
//!   registries, `Registry` for file registries).
//! - `registryTTLSeconds` (`workerConfigs` of the online server on the CR): `feast serve
//!   --registry_ttl_sec`, whose default is 60 when the operator passes nothing. The online
//!   feature server re-reads the registry on that timer in a background thread.
//!
//! Where a value is read, in order: the CR field, the `feature_store.yaml` the operator
//! rendered (its client ConfigMap, when the source holds it), the default.

use serde::{Deserialize, Serialize};

use crate::topology::crd::{FeatureStore, FeatureStoreSpec, ServerConfig};

/// Feast's `RegistryConfig.cache_ttl_seconds` default.
pub const FEAST_DEFAULT_CACHE_TTL_SECONDS: i64 = 600;
/// `feast serve --registry_ttl_sec` default (the operator passes the CR field only when set).
pub const FEAST_DEFAULT_REGISTRY_TTL_SECONDS: i64 = 60;
/// `feast serve --workers` default (the operator passes the CR field only when set).
pub const FEAST_DEFAULT_WORKERS: i64 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CacheMode {
    /// The request that finds the cache expired re-reads the registry while it waits.
    Sync,
    /// A background timer re-reads the registry every `cache_ttl_seconds`.
    Thread,
    /// `none`: read once, refreshed only explicitly (the online server's timer still runs).
    Never,
}

impl CacheMode {
    pub fn name(self) -> &'static str {
        match self {
            CacheMode::Sync => "sync",
            CacheMode::Thread => "thread",
            CacheMode::Never => "none",
        }
    }
}

/// Where a setting's value came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum Provenance {
    /// A field of the FeatureStore resource (path given).
    CrField(String),
    /// `feature_store.yaml` as the operator rendered it (where it was read).
    FeatureStoreYaml(String),
    /// Nothing set: the default of Feast or the operator (why, in words).
    Default(String),
}

impl Provenance {
    pub fn describe(&self) -> String {
        match self {
            Provenance::CrField(path) => format!("CR field {path}"),
            Provenance::FeatureStoreYaml(at) => format!("feature_store.yaml ({at})"),
            Provenance::Default(why) => format!("default ({why})"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting<T> {
    pub value: T,
    pub source: Provenance,
}

/// The registry block of a `feature_store.yaml` the operator rendered, as far as caching goes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct YamlCacheSettings {
    /// Where it was read, e.g. `ConfigMap team-a/feast-team-a-client`.
    pub origin: String,
    pub cache_mode: Option<String>,
    pub cache_ttl_seconds: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheSettings {
    pub cache_mode: Setting<CacheMode>,
    pub cache_ttl_seconds: Setting<i64>,
    /// Online feature server only.
    pub registry_ttl_seconds: Setting<i64>,
    /// Online feature server worker processes (`-1` resolved by the topology as 2 × CPU + 1).
    pub online_workers: Setting<i64>,
    /// True when the servers read a remote registry server: Feast's `RemoteRegistry` keeps no
    /// cache, so these pods hold no copy at all.
    pub remote_registry: bool,
}

/// The spec the operator acts on: `status.applied` when present, else the spec.
pub fn effective_spec(fs: &FeatureStore) -> &FeatureStoreSpec {
    fs.status
        .as_ref()
        .and_then(|s| s.applied.as_ref())
        .unwrap_or(&fs.spec)
}

fn online_server(spec: &FeatureStoreSpec) -> Option<&ServerConfig> {
    spec.services
        .as_ref()
        .and_then(|s| s.online_store.as_ref())
        .and_then(|o| o.server.as_ref())
}

/// `resolved_workers` is the topology's resolved figure (it turns -1 into 2 × CPU + 1).
pub fn cache_settings(
    fs: &FeatureStore,
    yaml: Option<&YamlCacheSettings>,
    resolved_workers: i64,
) -> CacheSettings {
    let spec = effective_spec(fs);
    let registry = spec.services.as_ref().and_then(|s| s.registry.as_ref());
    let remote_registry = registry.is_some_and(|r| r.remote.is_some());
    let local = registry.and_then(|r| r.local.as_ref());
    let persistence = local.and_then(|l| l.persistence.as_ref());
    let file = persistence
        .filter(|p| p.store.is_none())
        .and_then(|p| p.file.as_ref());
    let secret = persistence
        .and_then(|p| p.store.as_ref())
        .and_then(|s| s.secret_ref.as_ref())
        .and_then(|r| r.name.clone());
    let file_path = "spec.services.registry.local.persistence.file";
    let unset = |what: &str| match &secret {
        Some(name) => Provenance::Default(format!(
            "{what}; the registry settings are in Secret {name}, which the console never reads"
        )),
        None => Provenance::Default(what.to_string()),
    };

    let yaml_mode = yaml.and_then(|y| y.cache_mode.as_deref().and_then(parse_mode).map(|m| (m, y)));
    let cache_mode = match file
        .and_then(|f| f.cache_mode.as_deref())
        .and_then(parse_mode)
    {
        Some(m) => Setting {
            value: m,
            source: Provenance::CrField(format!("{file_path}.cache_mode")),
        },
        None => match yaml_mode {
            Some((m, y)) => Setting {
                value: m,
                source: Provenance::FeatureStoreYaml(y.origin.clone()),
            },
            None => Setting {
                value: CacheMode::Sync,
                source: unset("Feast: sync"),
            },
        },
    };
    let yaml_ttl = yaml.and_then(|y| y.cache_ttl_seconds.filter(|t| *t >= 0).map(|t| (t, y)));
    let cache_ttl_seconds = match file.and_then(|f| f.cache_ttl_seconds).filter(|t| *t >= 0) {
        Some(t) => Setting {
            value: t,
            source: Provenance::CrField(format!("{file_path}.cache_ttl_seconds")),
        },
        None => match yaml_ttl {
            Some((t, y)) => Setting {
                value: t,
                source: Provenance::FeatureStoreYaml(y.origin.clone()),
            },
            None => Setting {
                value: FEAST_DEFAULT_CACHE_TTL_SECONDS,
                source: unset("Feast: 600 s"),
            },
        },
    };
    let worker_configs = online_server(spec).and_then(|s| s.worker_configs.as_ref());
    let wc_path = "spec.services.onlineStore.server.workerConfigs";
    let registry_ttl_seconds = match worker_configs.and_then(|w| w.registry_ttl_seconds) {
        Some(t) if t >= 0 => Setting {
            value: t,
            source: Provenance::CrField(format!("{wc_path}.registryTTLSeconds")),
        },
        _ => Setting {
            value: FEAST_DEFAULT_REGISTRY_TTL_SECONDS,
            source: Provenance::Default("feast serve --registry_ttl_sec: 60 s".into()),
        },
    };
    let online_workers = match worker_configs.and_then(|w| w.workers) {
        Some(n) if n == -1 || n > 0 => Setting {
            value: resolved_workers.max(1),
            source: Provenance::CrField(format!("{wc_path}.workers = {n}")),
        },
        _ => Setting {
            value: FEAST_DEFAULT_WORKERS,
            source: Provenance::Default("feast serve --workers: 1".into()),
        },
    };
    CacheSettings {
        cache_mode,
        cache_ttl_seconds,
        registry_ttl_seconds,
        online_workers,
        remote_registry,
    }
}

fn parse_mode(s: &str) -> Option<CacheMode> {
    match s.trim() {
        "sync" => Some(CacheMode::Sync),
        "thread" => Some(CacheMode::Thread),
        "none" => Some(CacheMode::Never),
        _ => None,
    }
}
