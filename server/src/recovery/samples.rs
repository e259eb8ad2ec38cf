//! Recovery samples in the console DB (`recovery_samples`, migration 0004).

use app::recovery::model::{ComponentId, Status};
use app::recovery::report::Sample;
use sqlx::Row;

use crate::db::{on_pool, ConsoleDb, DbError};

/// Samples older than this are deleted at each write.
pub const KEEP_SECONDS: i64 = 30 * 86_400;

fn to_i64(v: Option<u64>) -> Option<i64> {
    v.map(|v| v.min(i64::MAX as u64) as i64)
}

/// Stores one round. Several console replicas may write the same second: the first one wins.
pub async fn store(db: &ConsoleDb, samples: &[Sample]) -> Result<(), DbError> {
    for s in samples {
        on_pool!(db, |p| {
            sqlx::query("INSERT INTO recovery_samples (component, sampled_at, rpo_seconds, rto_seconds, status) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
            .bind(s.component.id())
            .bind(s.at)
            .bind(to_i64(s.rpo_seconds))
            .bind(to_i64(s.rto_seconds))
            .bind(s.status.id())
            .execute(p)
            .await
            .map(drop)
        })?;
    }
    if let Some(latest) = samples.iter().map(|s| s.at).max() {
        let cutoff = latest - KEEP_SECONDS;
        on_pool!(db, |p| sqlx::query(
            "DELETE FROM recovery_samples WHERE sampled_at < $1"
        )
        .bind(cutoff)
        .execute(p)
        .await
        .map(drop))?;
    }
    Ok(())
}

/// Samples taken at or after `since`, oldest first. Rows with an unknown component or status
/// (from a newer console version) are skipped.
pub async fn load_since(db: &ConsoleDb, since: i64) -> Result<Vec<Sample>, DbError> {
    let rows: Vec<_> = on_pool!(db, |p| {
        sqlx::query("SELECT component, sampled_at, rpo_seconds, rto_seconds, status FROM recovery_samples WHERE sampled_at >= $1 ORDER BY sampled_at, component").bind(since).fetch_all(p).await?
        .into_iter().map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1), r.get::<Option<i64>, _>(2), r.get::<Option<i64>, _>(3), r.get::<String, _>(4))).collect()
    });
    Ok(rows
        .into_iter()
        .filter_map(|(c, at, rpo, rto, st)| {
            Some(Sample {
                component: ComponentId::from_id(&c)?,
                at,
                rpo_seconds: rpo.map(|v| v.max(0) as u64),
                rto_seconds: rto.map(|v| v.max(0) as u64),
                status: Status::from_id(&st)?,
            })
        })
        .collect())
}
