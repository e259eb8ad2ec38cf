//! Probe samples in the console database (`cache_probe_samples`, migration 0003), newest
//! `retention` per registry kept.

use crate::db::{on_pool, ConsoleDb};

/// One timed full read of a registry source. `error` set means the probe failed.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct Sample {
    pub registry: String,
    pub source: String,
    /// Unix milliseconds.
    pub probed_at: i64,
    pub load_ms: Option<f64>,
    pub bytes: Option<i64>,
    pub objects: Option<i64>,
    pub projects: Option<i64>,
    pub error: Option<String>,
}

impl Sample {
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

const COLUMNS: &str = "registry, source, probed_at, load_ms, bytes, objects, projects, error";

/// Stores a sample, then drops this registry's samples beyond the newest `retention`.
pub async fn record(db: &ConsoleDb, sample: &Sample, retention: u32) -> Result<(), sqlx::Error> {
    let insert = format!(
        "INSERT INTO cache_probe_samples ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    );
    on_pool!(db, |p| sqlx::query(sqlx::AssertSqlSafe(insert))
        .bind(&sample.registry)
        .bind(&sample.source)
        .bind(sample.probed_at)
        .bind(sample.load_ms)
        .bind(sample.bytes)
        .bind(sample.objects)
        .bind(sample.projects)
        .bind(&sample.error)
        .execute(p)
        .await
        .map(|_| ()))?;
    let prune = "DELETE FROM cache_probe_samples WHERE registry = $1 AND id NOT IN \
                 (SELECT id FROM cache_probe_samples WHERE registry = $1 \
                  ORDER BY probed_at DESC, id DESC LIMIT $2)";
    on_pool!(db, |p| sqlx::query(prune)
        .bind(&sample.registry)
        .bind(i64::from(retention))
        .execute(p)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// The newest `limit` samples of one registry, oldest first.
pub async fn history(
    db: &ConsoleDb,
    registry: &str,
    limit: u32,
) -> Result<Vec<Sample>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM (SELECT id, {COLUMNS} FROM cache_probe_samples WHERE registry = $1 \
         ORDER BY probed_at DESC, id DESC LIMIT $2) newest ORDER BY probed_at, id"
    );
    on_pool!(db, |p| sqlx::query_as::<_, Sample>(sqlx::AssertSqlSafe(
        sql
    ))
    .bind(registry)
    .bind(i64::from(limit))
    .fetch_all(p)
    .await)
}

/// How many samples one registry has.
pub async fn count(db: &ConsoleDb, registry: &str) -> Result<i64, sqlx::Error> {
    on_pool!(db, |p| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM cache_probe_samples WHERE registry = $1"
    )
    .bind(registry)
    .fetch_one(p)
    .await)
}
