//! What the probes measured, as plain data. Times are Unix seconds. The server fills these in;
//! [`super::assess`] judges them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Evidence about the registry database.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum RegistryEvidence {
    /// No registry probe is configured.
    NotConfigured,
    /// The probe ran but could not read the target.
    Unreachable {
        observed_at: i64,
        reason: String,
    },
    Postgres(PgRegistry),
    /// A SQLite or registry.db file.
    File(FileRegistry),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PgRegistry {
    pub observed_at: i64,
    /// `pg_is_in_recovery()`: the probed server is itself a standby.
    pub in_recovery: bool,
    pub standbys: Vec<Standby>,
    /// `archive_mode` is `on` or `always`.
    pub archive_mode: bool,
    pub archived_count: i64,
    pub last_archived_at: Option<i64>,
    pub last_archived_wal: Option<String>,
    pub failed_count: i64,
    pub last_failed_at: Option<i64>,
    pub last_failed_wal: Option<String>,
    /// WAL written after the end of the last archived segment (primary only; None when unknown).
    pub pending_wal_bytes: Option<i64>,
    pub database_bytes: i64,
    /// From a timestamp file or command when configured.
    pub last_backup: Option<BackupEvidence>,
}

/// One row of `pg_stat_replication`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Standby {
    pub name: String,
    /// `streaming`, `catchup`, `startup`, ...
    pub state: String,
    /// `replay_lag`; None when the standby is caught up (PostgreSQL reports NULL then).
    pub replay_lag_seconds: Option<f64>,
}

/// The last backup as a configured source reported it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum BackupEvidence {
    At {
        at: i64,
        source: String,
    },
    /// The source is configured but gave no usable time.
    Failed {
        source: String,
        reason: String,
    },
}

impl BackupEvidence {
    pub fn at(&self) -> Option<i64> {
        match self {
            BackupEvidence::At { at, .. } => Some(*at),
            BackupEvidence::Failed { .. } => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileRegistry {
    pub observed_at: i64,
    pub path: String,
    pub modified_at: i64,
    pub bytes: u64,
    pub last_backup: Option<BackupEvidence>,
}

/// Evidence about the online store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OnlineEvidence {
    pub redis: RedisEvidence,
    /// From the registry snapshot; None when no registry is loaded.
    pub materialization: Option<MaterializationHistory>,
    /// Seconds of materialization work per day of feature data (configured estimate).
    pub seconds_per_day_of_data: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum RedisEvidence {
    NotConfigured,
    Unreachable {
        observed_at: i64,
        reason: String,
    },
    Info(RedisInfo),
    /// Made-up figures shown by the demo (no Redis probed); every line they give says so.
    Demo(RedisInfo),
}

/// The parts of Redis `INFO` (and `CONFIG GET save`, when allowed) that tell how it recovers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RedisInfo {
    pub observed_at: i64,
    pub rdb_last_save_at: Option<i64>,
    /// `rdb_last_bgsave_status:ok`.
    pub rdb_last_bgsave_ok: bool,
    /// RDB save points (`CONFIG GET save` non-empty); None when the command is not allowed.
    pub rdb_save_points: Option<bool>,
    pub aof_enabled: bool,
    /// `master` or `slave`.
    pub role: String,
    pub connected_replicas: u32,
    /// For a replica: `master_link_status:up`.
    pub master_link_up: Option<bool>,
}

impl RedisInfo {
    /// Data survives a restart: AOF on, or RDB save points with a successful last save.
    pub fn persistent(&self) -> bool {
        // Without CONFIG rights the save points are unknown; Redis ships with them on.
        self.aof_enabled || (self.rdb_save_points.unwrap_or(true) && self.rdb_last_bgsave_ok)
    }
}

/// What a full re-materialization would have to rebuild, from the registry's feature views.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MaterializationHistory {
    /// Feature views served online.
    pub online_views: usize,
    /// Of those, how many were ever materialized.
    pub materialized_views: usize,
    /// Days of feature data to rebuild, summed over views: each view's materialized span,
    /// capped by its TTL when it has one (older rows would be expired anyway).
    pub days_to_rebuild: f64,
    /// The most recent materialization end over all views.
    pub last_materialized_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OfflineEvidence {
    /// The warehouse SLA as configured, e.g. "BigQuery: 99.99 %, cross-region replicas".
    pub sla: Option<String>,
}

/// Operator and CRDs, from the topology source (cluster or manifests folder).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OperatorEvidence {
    pub observed_at: i64,
    /// The topology source, for the evidence text.
    pub source: String,
    pub feature_stores: usize,
    /// FeatureStore resources served under `feast.dev/v1` (the CRD's storage version).
    pub crd_v1: usize,
    /// The operator's Deployment: (name, ready replicas, desired replicas), when the source has it.
    pub operator_deployment: Option<(String, i64, i64)>,
    /// FeatureStores carrying a GitOps label or annotation (Argo CD, Flux, managed-by).
    pub gitops_managed: usize,
    /// Problems the source reported while reading.
    pub source_errors: usize,
}

/// Sums what a full re-materialization would rebuild over the registry's online views.
pub fn materialization_history<'a>(
    views: impl IntoIterator<Item = &'a crate::catalog::model::ViewDetail>,
) -> MaterializationHistory {
    let mut h = MaterializationHistory {
        online_views: 0,
        materialized_views: 0,
        days_to_rebuild: 0.0,
        last_materialized_at: None,
    };
    for v in views.into_iter().filter(|v| v.online) {
        h.online_views += 1;
        let starts = v
            .materialization_intervals
            .iter()
            .filter_map(|i| i.start.map(|t| t.seconds));
        let ends: Vec<i64> = v
            .materialization_intervals
            .iter()
            .filter_map(|i| i.end.map(|t| t.seconds))
            .collect();
        let (Some(start), Some(end)) = (starts.min(), ends.iter().copied().max()) else {
            continue;
        };
        h.materialized_views += 1;
        let mut span = (end - start).max(0);
        if v.ttl_seconds > 0 {
            span = span.min(v.ttl_seconds);
        }
        h.days_to_rebuild += span as f64 / 86_400.0;
        h.last_materialized_at = h.last_materialized_at.max(Some(end));
    }
    h
}

/// Where the last archived WAL segment ends, from its file name (`TTTTTTTTLLLLLLLLSSSSSSSS`),
/// as a byte position comparable with `pg_current_wal_lsn()`. None for `.backup`, `.history`
/// or `.partial` files, whose names do not end a segment.
pub fn archived_segment_end(wal_file: &str, segment_bytes: i64) -> Option<i64> {
    if wal_file.len() != 24
        || !wal_file.bytes().all(|b| b.is_ascii_hexdigit())
        || segment_bytes <= 0
    {
        return None;
    }
    let log = i64::from_str_radix(&wal_file[8..16], 16).ok()?;
    let seg = i64::from_str_radix(&wal_file[16..24], 16).ok()?;
    log.checked_mul(1 << 32)?
        .checked_add(seg.checked_add(1)?.checked_mul(segment_bytes)?)
}

/// Materialization history per Feast project, from the loaded registry; None without one.
pub type ByProject = Option<BTreeMap<String, MaterializationHistory>>;
