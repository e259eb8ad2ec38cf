//! The probing replica's latest round in the console DB (`recovery_latest`, migration 0007), so
//! the other replicas show it instead of probing the same targets themselves.

use app::recovery::report::RecoveryPageData;
use sqlx::Row;

use crate::db::{on_pool, ConsoleDb, DbError};

/// One console, one row: the key leaves room for several consoles sharing a database.
const CONSOLE: &str = "default";

/// Replaces the stored round with this one.
pub async fn store(db: &ConsoleDb, data: &RecoveryPageData) -> Result<(), DbError> {
    let json = serde_json::to_string(data)
        .map_err(|e| DbError::Query(sqlx::Error::Encode(Box::new(e))))?;
    let by = data.report.probed_by.clone().unwrap_or_default();
    let at = data.report.generated_at;
    on_pool!(db, |p| {
        sqlx::query("INSERT INTO recovery_latest (console, probed_by, probed_at, page_json) VALUES ($1, $2, $3, $4) ON CONFLICT (console) DO UPDATE SET probed_by = excluded.probed_by, probed_at = excluded.probed_at, page_json = excluded.page_json")
        .bind(CONSOLE)
        .bind(&by)
        .bind(at)
        .bind(&json)
        .execute(p)
        .await
        .map(drop)
    })?;
    Ok(())
}

/// The stored round, if any. A row this version cannot read (from a newer console) counts as
/// none, so the page waits rather than fails.
pub async fn load(db: &ConsoleDb) -> Result<Option<RecoveryPageData>, DbError> {
    let json: Option<String> = on_pool!(db, |p| sqlx::query(
        "SELECT page_json FROM recovery_latest WHERE console = $1"
    )
    .bind(CONSOLE)
    .fetch_optional(p)
    .await?
    .map(|r| r.get(0)));
    Ok(json.and_then(|j| match serde_json::from_str(&j) {
        Ok(d) => Some(d),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the stored recovery report");
            None
        }
    }))
}
