//! The registry-cache probe: times a full registry read from each source, the work a Feast
//! server does on every refresh, and stores the result. A source that is down gives a failed
//! sample (with its error) and the loop carries on; the next good read records success again.

use std::time::{Duration, Instant, SystemTime};

use sqlx::{
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqlitePoolOptions},
    Database, Executor, FromRow, IntoArguments, Pool,
};

use super::store::{self, Sample};
use crate::clock::unix_millis;
use crate::db::ConsoleDb;
use crate::lease::Leadership;
use crate::registry::{Reader, RegistrySource, SourceKind};

/// A probe that takes longer than this is recorded as failed.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(60);

/// Feast's SQL registry tables and their protobuf columns: the registry's serialized size is
/// the sum of these blobs (what `SqlRegistry.proto()` assembles on every refresh).
const BLOB_COLUMNS: [(&str, &str); 11] = [
    ("projects", "project_proto"),
    ("entities", "entity_proto"),
    ("data_sources", "data_source_proto"),
    ("feature_views", "feature_view_proto"),
    ("stream_feature_views", "feature_view_proto"),
    ("on_demand_feature_views", "feature_view_proto"),
    ("label_views", "feature_view_proto"),
    ("feature_services", "feature_service_proto"),
    ("saved_datasets", "saved_dataset_proto"),
    ("validation_references", "validation_reference_proto"),
    ("permissions", "permission_proto"),
];

/// Times one full read (open, then read and decode every object, as a fresh Feast process
/// does; a SQL registry's objects are counted and dropped one by one, so the probe holds no
/// second copy of the registry), then measures the serialized size. Never fails: a failure is
/// a sample with `error` set.
pub async fn probe_once(source: &RegistrySource) -> Sample {
    probe_with_projects(source).await.0
}

/// [`probe_once`], plus the project names it read (to match FeatureStores to registries).
pub async fn probe_with_projects(source: &RegistrySource) -> (Sample, Vec<String>) {
    let probed_at = unix_millis(SystemTime::now());
    let started = Instant::now();
    let read = tokio::time::timeout(PROBE_TIMEOUT, Reader::count_once(source)).await;
    let load_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut sample = Sample {
        registry: source.name.clone(),
        source: source.display(),
        probed_at,
        load_ms: None,
        bytes: None,
        objects: None,
        projects: None,
        error: None,
    };
    let mut projects = Vec::new();
    match read {
        Err(_) => sample.error = Some(format!("no answer within {} s", PROBE_TIMEOUT.as_secs())),
        Ok(Err(e)) => sample.error = Some(app::backend::error_chain(&e)),
        Ok(Ok(read)) => {
            sample.load_ms = Some(load_ms);
            sample.projects = Some(read.projects.len() as i64);
            sample.objects = Some((read.projects.len() + read.objects) as i64);
            sample.bytes = serialized_bytes(&source.kind).await.map(|b| b as i64);
            projects = read.projects;
        }
    }
    (sample, projects)
}

/// The registry's serialized size; None for REST sources (the REST API returns JSON, not the
/// stored protobuf) or when it cannot be read.
pub async fn serialized_bytes(kind: &SourceKind) -> Option<u64> {
    match kind {
        SourceKind::File(path) => tokio::fs::metadata(path).await.ok().map(|m| m.len()),
        SourceKind::Rest(_) => None,
        SourceKind::Sqlite(path) => {
            let options = SqliteConnectOptions::new().filename(path).read_only(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options)
                .await
                .ok()?;
            sum_blobs(pool, "LENGTH").await
        }
        SourceKind::Postgres(url) => {
            let pool = PgPoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await
                .ok()?;
            sum_blobs(pool, "OCTET_LENGTH").await
        }
    }
}

/// Sums every blob column, then closes `pool`; tables an older Feast lacks are skipped. None
/// when no table answers.
async fn sum_blobs<DB>(pool: Pool<DB>, length_fn: &str) -> Option<u64>
where
    DB: Database,
    DB::Arguments: IntoArguments<DB>,
    (i64,): for<'r> FromRow<'r, DB::Row>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    let mut total = None;
    for (table, column) in BLOB_COLUMNS {
        // Names come from the fixed list above, never from input.
        let sql =
            format!("SELECT CAST(COALESCE(SUM({length_fn}({column})), 0) AS BIGINT) FROM {table}");
        let blob_bytes = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
            .fetch_one(&pool)
            .await;
        if let Ok(n) = blob_bytes {
            total = Some(total.unwrap_or(0) + n.max(0) as u64);
        }
    }
    pool.close().await;
    total
}

/// Probe settings (`cache_probe_seconds`, `cache_probe_retention`).
#[derive(Clone, Copy, Debug)]
pub struct ProbeSettings {
    pub interval: Duration,
    pub retention: u32,
}

/// Probes every source, one after the other, and stores the samples. Errors writing the
/// console database are logged, never fatal.
pub async fn probe_all(db: &ConsoleDb, sources: &[RegistrySource], retention: u32) -> Vec<Sample> {
    let mut out = Vec::with_capacity(sources.len());
    for source in sources {
        let sample = probe_once(source).await;
        // The probe's read freed what it decoded (a file or REST registry's whole second copy):
        // give those pages back, or every probe leaves RSS higher (610 MiB after 13 idle
        // minutes at 100,000 views, where the live data is about 150).
        let _ = tokio::task::spawn_blocking(crate::heap::release_freed).await;
        match &sample.error {
            None => {
                tracing::debug!(registry = %sample.registry, load_ms = sample.load_ms, "registry probe")
            }
            Some(e) => {
                tracing::warn!(registry = %sample.registry, error = %e, "registry probe failed")
            }
        }
        if let Err(e) = store::record(db, &sample, retention).await {
            tracing::warn!(registry = %sample.registry, error = %e, "cannot store the registry probe");
        }
        out.push(sample);
    }
    out
}

/// The background loop (started by `crate::background::start`): a first probe at once, then
/// every `interval`. With several console replicas, only the one holding `leadership` probes;
/// the others wait to lead (None: always probe).
pub async fn run(
    db: &ConsoleDb,
    sources: &[RegistrySource],
    settings: &ProbeSettings,
    mut leadership: Option<Leadership>,
) {
    loop {
        if let Some(l) = leadership.as_mut() {
            l.until_leader().await;
        }
        probe_all(db, sources, settings.retention).await;
        tokio::time::sleep(settings.interval).await;
    }
}
