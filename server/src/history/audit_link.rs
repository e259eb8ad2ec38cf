//! Links between registry history and the permission audit log: the console saves a new
//! snapshot's permission changes are matched with, and the later changes outside the console
//! that undid a save ("reverted at T, probably by feast apply").

use std::collections::BTreeMap;

use app::history::link::{AuditSave, PreviousChange};
use app::history::model::{instant_of_millis, ChangeType, ObjectChange, Reversion};

use super::store::BATCH_ROWS;
use crate::db::{on_pool, ConsoleDb};

/// The console edits of `registry` committed from `since_ms` on that no recorded change is
/// linked to yet: what a new snapshot's permission changes are matched with.
pub async fn unlinked_saves(
    db: &ConsoleDb,
    registry: &str,
    since_ms: i64,
) -> Result<Vec<AuditSave>, sqlx::Error> {
    type Row = (i64, i64, String, String, String, Option<String>, String);
    let sql = "SELECT a.id, a.at_ms, a.actor, a.project, a.permission, a.original_name, a.operation \
               FROM permission_audit a WHERE a.registry = $1 AND a.state = 'committed' AND a.at_ms >= $2 \
               AND NOT EXISTS (SELECT 1 FROM catalog_history h WHERE h.audit_id = a.id) ORDER BY a.id LIMIT 10000";
    let rows: Vec<Row> = on_pool!(db, |p| sqlx::query_as(sql)
        .bind(registry)
        .bind(since_ms)
        .fetch_all(p)
        .await?);
    Ok(rows
        .into_iter()
        .map(|r| AuditSave {
            id: r.0,
            at_ms: r.1,
            actor: r.2,
            project: r.3,
            permission: r.4,
            original: r.5,
            operation: r.6,
        })
        .collect())
}

/// The last recorded change of one object, for revert detection.
pub async fn previous_change(
    db: &ConsoleDb,
    registry: &str,
    change: &ObjectChange,
) -> Result<Option<PreviousChange>, sqlx::Error> {
    let sql = "SELECT change, audit_id FROM catalog_history WHERE registry = $1 AND project = $2 \
               AND kind = $3 AND name = $4 ORDER BY id DESC LIMIT 1";
    let row: Option<(String, Option<i64>)> = on_pool!(db, |p| sqlx::query_as(sql)
        .bind(registry)
        .bind(&change.project)
        .bind(change.kind.as_str())
        .bind(&change.name)
        .fetch_optional(p)
        .await?);
    Ok(row.and_then(|(c, audit_id)| {
        ChangeType::parse(&c).map(|change| PreviousChange { change, audit_id })
    }))
}

/// For each of `audit_ids` that a later change outside the console undid, the first such
/// change ("reverted at T, probably by feast apply").
pub async fn reverts_of_audit(
    db: &ConsoleDb,
    audit_ids: &[i64],
) -> Result<BTreeMap<i64, Reversion>, sqlx::Error> {
    let mut out = BTreeMap::new();
    for chunk in audit_ids.chunks(BATCH_ROWS) {
        let list = (1..=chunk.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT reverts_audit, id, change, observed_ms, not_before_ms FROM catalog_history \
             WHERE reverts_audit IN ({list}) ORDER BY id"
        );
        let rows: Vec<(i64, i64, String, i64, Option<i64>)> = on_pool!(db, |p| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(p).await?
        });
        for (audit_id, history_id, change, observed, not_before) in rows {
            let Some(change) = ChangeType::parse(&change) else {
                continue;
            };
            out.entry(audit_id).or_insert(Reversion {
                audit_id,
                history_id,
                change,
                observed_at: instant_of_millis(observed),
                not_before: not_before.map(instant_of_millis),
            });
        }
    }
    Ok(out)
}
