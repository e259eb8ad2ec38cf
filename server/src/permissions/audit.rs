//! The permission audit log in the console database (`permission_audit`, migration 0005).

use app::permissions::api::{AuditFilter, AuditRecord};
use app::permissions::PermissionSpec;

use crate::db::{on_pool, ConsoleDb};

/// One record to add (the id and time are assigned here).
pub struct NewRecord<'a> {
    pub actor: &'a str,
    pub registry: &'a str,
    pub project: &'a str,
    pub permission: &'a str,
    pub operation: &'a str,
    pub reason: &'a str,
    pub before: Option<&'a PermissionSpec>,
    pub after: Option<&'a PermissionSpec>,
    pub before_version: &'a str,
    pub after_version: &'a str,
}

fn json(spec: Option<&PermissionSpec>) -> Option<String> {
    spec.and_then(|s| serde_json::to_string(s).ok())
}

pub async fn append(db: &ConsoleDb, r: NewRecord<'_>) -> Result<(), sqlx::Error> {
    let at_ms = crate::clock::unix_millis(std::time::SystemTime::now());
    let sql = "INSERT INTO permission_audit (at_ms, actor, registry, project, permission, operation, reason, before_json, after_json, before_version, after_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    on_pool!(db, |p| sqlx::query(sql)
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
        .execute(p)
        .await
        .map(drop))
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
);

/// Newest first. Empty filter fields match everything; others match exactly.
pub async fn list(db: &ConsoleDb, f: &AuditFilter) -> Result<Vec<AuditRecord>, sqlx::Error> {
    let sql = "SELECT id, at_ms, actor, registry, project, permission, operation, reason, before_json, after_json, before_version, after_version FROM permission_audit \
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
    let spec = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
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
        })
        .collect())
}
