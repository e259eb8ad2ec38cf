//! The permission audit log in the console database (`permission_audit`, migrations 0005 and
//! 0008). A record is written `pending` before its registry write ([`begin`]) and settled after
//! it ([`settle`]); records left pending by a console that died are settled at start-up by
//! `super::reconcile`.

use app::permissions::api::{AuditFilter, AuditRecord};
use app::permissions::audit_state::AuditState;
use app::permissions::PermissionSpec;

use crate::db::{on_pool, ConsoleDb};

/// One record to add (the id and time are assigned here).
pub struct NewRecord<'a> {
    pub actor: &'a str,
    pub registry: &'a str,
    pub project: &'a str,
    /// The permission written (its new name for a rename).
    pub permission: &'a str,
    /// The permission the change started from; None for a create.
    pub original: Option<&'a str>,
    pub operation: &'a str,
    pub reason: &'a str,
    pub before: Option<&'a PermissionSpec>,
    pub after: Option<&'a PermissionSpec>,
    pub before_version: &'a str,
    /// Empty while the write has not happened (a delete knows it: `absent`).
    pub after_version: &'a str,
    /// The console process writing it ([`crate::lease::this_process`]).
    pub replica: &'a str,
}

fn json(spec: Option<&PermissionSpec>) -> Option<String> {
    spec.and_then(|s| serde_json::to_string(s).ok())
}

fn spec(s: Option<String>) -> Option<PermissionSpec> {
    s.and_then(|s| serde_json::from_str(&s).ok())
}

/// Writes `r` as `pending`, before its registry write; returns its id.
pub async fn begin(db: &ConsoleDb, r: NewRecord<'_>) -> Result<i64, sqlx::Error> {
    let at_ms = crate::clock::unix_millis(std::time::SystemTime::now());
    let sql = "INSERT INTO permission_audit (at_ms, actor, registry, project, permission, operation, reason, before_json, after_json, before_version, after_version, state, replica, original_name) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12, $13) RETURNING id";
    on_pool!(db, |p| sqlx::query_scalar::<_, i64>(sql)
        .bind(at_ms)
        .bind(r.actor)
        .bind(r.registry)
        .bind(r.project)
        .bind(r.permission)
        .bind(r.operation)
        .bind(r.reason)
        .bind(json(r.before))
        .bind(json(r.after))
        .bind(r.before_version)
        .bind(r.after_version)
        .bind(r.replica)
        .bind(r.original)
        .fetch_one(p)
        .await)
}

/// How a record was settled.
pub struct Settled<'a> {
    pub state: AuditState,
    /// The version written, when known.
    pub after_version: Option<&'a str>,
    pub detail: &'a str,
    /// Settled by start-up reconciliation rather than by its writer.
    pub reconciled: bool,
}

/// The longest `detail` kept: it quotes errors, which can quote what a server answered.
pub const MAX_DETAIL_CHARS: usize = 2000;

/// Settles record `id`. Whatever settled it before is overwritten: the writer's own answer is
/// the last word when a reconciliation ran while it was still writing.
pub async fn settle(db: &ConsoleDb, id: i64, s: Settled<'_>) -> Result<(), sqlx::Error> {
    let now = crate::clock::unix_millis(std::time::SystemTime::now());
    let detail: String = s.detail.chars().take(MAX_DETAIL_CHARS).collect();
    let sql = "UPDATE permission_audit SET state = $1, after_version = COALESCE($2, after_version), detail = $3, reconciled_ms = $4 WHERE id = $5";
    on_pool!(db, |p| sqlx::query(sql)
        .bind(s.state.as_str())
        .bind(s.after_version)
        .bind(detail)
        .bind(s.reconciled.then_some(now))
        .bind(id)
        .execute(p)
        .await
        .map(drop))
}

/// A record still pending, with what reconciliation needs to settle it.
#[derive(Clone, Debug)]
pub struct Pending {
    pub id: i64,
    pub at_ms: i64,
    pub registry: String,
    pub project: String,
    pub permission: String,
    pub original: Option<String>,
    pub before_version: String,
    pub after: Option<PermissionSpec>,
    pub replica: String,
}

/// Pending records written before `before_ms` by any process but `replica`, oldest first, at
/// most `limit`.
pub async fn pending(
    db: &ConsoleDb,
    replica: &str,
    before_ms: i64,
    limit: i64,
) -> Result<Vec<Pending>, sqlx::Error> {
    type Row = (
        i64,
        i64,
        String,
        String,
        String,
        Option<String>,
        String,
        Option<String>,
        String,
    );
    let sql = "SELECT id, at_ms, registry, project, permission, original_name, before_version, after_json, replica FROM permission_audit \
               WHERE state = 'pending' AND replica <> $1 AND at_ms < $2 ORDER BY id LIMIT $3";
    let rows: Vec<Row> = on_pool!(db, |p| sqlx::query_as::<_, Row>(sql)
        .bind(replica)
        .bind(before_ms)
        .bind(limit)
        .fetch_all(p)
        .await?);
    Ok(rows
        .into_iter()
        .map(|r| Pending {
            id: r.0,
            at_ms: r.1,
            registry: r.2,
            project: r.3,
            permission: r.4,
            original: r.5,
            before_version: r.6,
            after: spec(r.7),
            replica: r.8,
        })
        .collect())
}

type Row = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    String,
);

/// Newest first. Empty filter fields match everything; others match exactly.
pub async fn list(db: &ConsoleDb, f: &AuditFilter) -> Result<Vec<AuditRecord>, sqlx::Error> {
    let sql = "SELECT id, at_ms, actor, registry, project, permission, operation, reason, before_json, after_json, before_version, after_version, state, detail FROM permission_audit \
               WHERE ($1 = '' OR registry = $1) AND ($2 = '' OR project = $2) AND ($3 = '' OR permission = $3) AND ($4 = '' OR actor = $4) \
               ORDER BY id DESC LIMIT $5";
    let limit = if f.limit == 0 {
        1000
    } else {
        f.limit.min(10_000)
    } as i64;
    let rows: Vec<Row> = on_pool!(db, |p| sqlx::query_as::<_, Row>(sql)
        .bind(f.registry.trim())
        .bind(f.project.trim())
        .bind(f.permission.trim())
        .bind(f.actor.trim())
        .bind(limit)
        .fetch_all(p)
        .await?);
    Ok(rows
        .into_iter()
        .map(|r| AuditRecord {
            id: r.0,
            at_ms: r.1,
            actor: r.2,
            registry: r.3,
            project: r.4,
            permission: r.5,
            operation: r.6,
            reason: r.7,
            before: spec(r.8),
            after: spec(r.9),
            before_version: r.10,
            after_version: r.11,
            state: AuditState::parse(&r.12),
            detail: r.13,
            reverted: None,
        })
        .collect())
}

/// Records by state, for the figures reconciliation logs and tests quote: (state, count).
pub async fn counts(db: &ConsoleDb) -> Result<Vec<(AuditState, i64)>, sqlx::Error> {
    let sql = "SELECT state, COUNT(*) FROM permission_audit GROUP BY state ORDER BY state";
    let rows: Vec<(String, i64)> = on_pool!(db, |p| sqlx::query_as(sql).fetch_all(p).await?);
    Ok(rows
        .into_iter()
        .map(|(s, n)| (AuditState::parse(&s), n))
        .collect())
}
