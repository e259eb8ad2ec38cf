//! The guide's registry-cache table ("Registry cache tuning at scale"), turned into the exact
//! changes each deployment needs for each scenario.
//!
//! | Scenario | `cache_mode` | `cache_ttl_seconds` | `registryTTLSeconds` |
//! |---|---|---|---|
//! | Development / iteration | `sync` | 5–10 | 5 |
//! | Production (low-latency) | `thread` | 300 | 300 |
//! | Production (frequent schema changes) | `thread` | 60 | 60 |

use serde::{Deserialize, Serialize};

use super::range::Range;
use super::settings::{effective_spec, CacheMode, CacheSettings};
use crate::topology::crd::FeatureStore;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    Development,
    ProductionLowLatency,
    ProductionFrequentChanges,
}

impl Scenario {
    pub const ALL: [Scenario; 3] = [
        Scenario::Development,
        Scenario::ProductionLowLatency,
        Scenario::ProductionFrequentChanges,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Scenario::Development => "Development / iteration",
            Scenario::ProductionLowLatency => "Production (low-latency)",
            Scenario::ProductionFrequentChanges => "Production (frequent schema changes)",
        }
    }

    /// (cache_mode, accepted cache_ttl_seconds range, value to set, registryTTLSeconds).
    fn targets(self) -> (CacheMode, (i64, i64), i64, i64) {
        match self {
            Scenario::Development => (CacheMode::Sync, (5, 10), 10, 5),
            Scenario::ProductionLowLatency => (CacheMode::Thread, (300, 300), 300, 300),
            Scenario::ProductionFrequentChanges => (CacheMode::Thread, (60, 60), 60, 60),
        }
    }
}

/// One setting to change, and exactly where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub setting: String,
    /// The CR field path, or the Secret and key holding the registry block.
    pub field: String,
    pub current: String,
    pub target: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    pub scenario: Scenario,
    pub label: String,
    /// The scenario this deployment should follow (one per deployment).
    pub primary: bool,
    /// Empty when the deployment already matches the scenario.
    pub changes: Vec<Change>,
}

/// Where `cache_mode` / `cache_ttl_seconds` are set for this FeatureStore's registry.
fn registry_block_location(fs: &FeatureStore, setting: &str) -> String {
    let persistence = effective_spec(fs)
        .services
        .as_ref()
        .and_then(|s| s.registry.as_ref())
        .and_then(|r| r.local.as_ref())
        .and_then(|l| l.persistence.as_ref());
    match persistence.and_then(|p| p.store.as_ref()) {
        Some(store) => format!(
            "Secret {}, key `{}`: registry `{setting}`",
            store
                .secret_ref
                .as_ref()
                .and_then(|r| r.name.clone())
                .unwrap_or_else(|| "(secretRef)".into()),
            store.store_type.clone().unwrap_or_else(|| "sql".into())
        ),
        None => format!("spec.services.registry.local.persistence.file.{setting}"),
    }
}

/// One recommendation per scenario; `primary` marks the one to follow: a deployment of more
/// than one replica (at its largest) is production, low-latency, unless it already follows the
/// frequent-changes row; a single replica on short TTLs (`cache_ttl_seconds` <= 10) is
/// development; anything else is production, low-latency.
pub fn recommendations(
    fs: &FeatureStore,
    settings: &CacheSettings,
    replicas: Range,
) -> Vec<Recommendation> {
    if settings.remote_registry {
        return Vec::new();
    }
    let changes = |scenario: Scenario| {
        let (mode, (lo, hi), ttl, server_ttl) = scenario.targets();
        let mut out = Vec::new();
        if settings.cache_mode.value != mode {
            out.push(Change {
                setting: "cache_mode".into(),
                field: registry_block_location(fs, "cache_mode"),
                current: settings.cache_mode.value.name().into(),
                target: mode.name().into(),
            });
        }
        let current_ttl = settings.cache_ttl_seconds.value;
        if current_ttl < lo || current_ttl > hi {
            out.push(Change {
                setting: "cache_ttl_seconds".into(),
                field: registry_block_location(fs, "cache_ttl_seconds"),
                current: current_ttl.to_string(),
                target: ttl.to_string(),
            });
        }
        if settings.registry_ttl_seconds.value != server_ttl {
            out.push(Change {
                setting: "registryTTLSeconds".into(),
                field: "spec.services.onlineStore.server.workerConfigs.registryTTLSeconds".into(),
                current: settings.registry_ttl_seconds.value.to_string(),
                target: server_ttl.to_string(),
            });
        }
        out
    };
    let all: Vec<(Scenario, Vec<Change>)> =
        Scenario::ALL.iter().map(|s| (*s, changes(*s))).collect();
    let matches = |s: Scenario| all.iter().any(|(x, c)| *x == s && c.is_empty());
    let primary = if replicas.max > 1 {
        if matches(Scenario::ProductionFrequentChanges) {
            Scenario::ProductionFrequentChanges
        } else {
            Scenario::ProductionLowLatency
        }
    } else if settings.cache_ttl_seconds.value <= 10 {
        Scenario::Development
    } else {
        Scenario::ProductionLowLatency
    };
    all.into_iter()
        .map(|(scenario, changes)| Recommendation {
            scenario,
            label: scenario.label().into(),
            primary: scenario == primary,
            changes,
        })
        .collect()
}
