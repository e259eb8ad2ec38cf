//! Registry history retention (`history_retention_days`, `history_max_entries`): what the
//! lease holder deletes every hour, in small batches so pruning never holds a long write lock.

use std::time::SystemTime;

use super::store;
use crate::clock::unix_millis;
use crate::db::{on_pool, ConsoleDb};

/// Rows one retention DELETE removes at most.
const PRUNE_BATCH: i64 = 5000;

/// `history_retention_days` and `history_max_entries`.
#[derive(Clone, Copy, Debug)]
pub struct Retention {
    pub days: u64,
    pub max_entries: u64,
}

/// Deletes what the retention settings no longer keep, for every registry with history.
pub async fn prune(
    db: &ConsoleDb,
    retention: Retention,
    now: SystemTime,
) -> Result<u64, sqlx::Error> {
    let days_ms = i64::try_from(retention.days.saturating_mul(86_400_000)).unwrap_or(i64::MAX);
    let older_than = unix_millis(now).saturating_sub(days_ms);
    let mut total = 0;
    for registry in store::registries(db).await? {
        total += prune_registry(db, &registry, older_than, retention.max_entries).await?;
    }
    Ok(total)
}

/// Drops one registry's entries observed before `older_than_ms` and all but its newest
/// `max_entries`; returns how many went. In batches of [`PRUNE_BATCH`] rows.
pub async fn prune_registry(
    db: &ConsoleDb,
    registry: &str,
    older_than_ms: i64,
    max_entries: u64,
) -> Result<u64, sqlx::Error> {
    let keep_from: Option<i64> = on_pool!(db, |p| sqlx::query_scalar(
        "SELECT id FROM catalog_history WHERE registry = $1 ORDER BY id DESC LIMIT 1 OFFSET $2"
    )
    .bind(registry)
    .bind(i64::try_from(max_entries).unwrap_or(i64::MAX))
    .fetch_optional(p)
    .await?);
    // Entries with ids up to `cut` go by count.
    let cut = keep_from.unwrap_or(0);
    let sql = "DELETE FROM catalog_history WHERE id IN (SELECT id FROM catalog_history \
               WHERE registry = $1 AND (observed_ms < $2 OR id <= $3) ORDER BY id LIMIT $4)";
    let mut total = 0;
    loop {
        let n = on_pool!(db, |p| sqlx::query(sql)
            .bind(registry)
            .bind(older_than_ms)
            .bind(cut)
            .bind(PRUNE_BATCH)
            .execute(p)
            .await?
            .rows_affected());
        total += n;
        if n < PRUNE_BATCH as u64 {
            return Ok(total);
        }
    }
}
