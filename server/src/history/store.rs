//! Registry history in the console database (migration 0010): the recorded changes
//! (`catalog_history`), the catalog as last recorded (`catalog_history_objects`) and a
//! generation per registry (`catalog_history_heads`) that makes every recording happen once.

use std::sync::Arc;

use app::catalog::model::{CatalogObject, ObjectKind};
use app::history::model::{
    instant_of_millis, millis_of, ChangeType, FieldChange, HistoryEntry, HistoryFilter,
    HistoryPage, ObjectChange,
};

use crate::db::{on_pool, ConsoleDb};

/// Rows per multi-row INSERT (5 to 12 parameters each: well under both backends' limits).
pub(super) const BATCH_ROWS: usize = 200;
/// The most entries one page returns.
pub const MAX_PAGE: u32 = 1000;

#[derive(Debug, thiserror::Error)]
pub enum HistoryStoreError {
    #[error("history query failed")]
    Query(#[from] sqlx::Error),
    #[error("a recorded object of {registry} cannot be read back")]
    Stored {
        registry: String,
        #[source]
        source: serde_json::Error,
    },
}

/// Where a registry's recorded state stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    /// Bumped by every recording that changed the state.
    pub generation: i64,
    /// When the recorded state was last compared with a snapshot (Unix ms).
    pub recorded_ms: i64,
    pub recorded_by: String,
}

pub async fn head(db: &ConsoleDb, registry: &str) -> Result<Option<Head>, sqlx::Error> {
    let sql = "SELECT generation, recorded_ms, recorded_by FROM catalog_history_heads WHERE registry = $1";
    let row: Option<(i64, i64, String)> = on_pool!(db, |p| sqlx::query_as(sql)
        .bind(registry)
        .fetch_optional(p)
        .await?);
    Ok(row.map(|(generation, recorded_ms, recorded_by)| Head {
        generation,
        recorded_ms,
        recorded_by,
    }))
}

/// The catalog as last recorded (projects and objects, sorted by `sort_key`). Empty when
/// nothing was recorded yet. The recorder reads it a project at a time
/// ([`last_recorded_project`]): a whole large registry read back from JSON is a second copy.
pub async fn last_recorded_snapshot(
    db: &ConsoleDb,
    registry: &str,
) -> Result<Vec<Arc<CatalogObject>>, HistoryStoreError> {
    let sql = "SELECT object_json FROM catalog_history_objects WHERE registry = $1";
    let rows: Vec<String> = on_pool!(db, |p| sqlx::query_scalar(sql)
        .bind(registry)
        .fetch_all(p)
        .await?);
    decoded(registry, &rows)
}

/// The projects of a registry's recorded state, sorted.
pub async fn recorded_projects(db: &ConsoleDb, registry: &str) -> Result<Vec<String>, sqlx::Error> {
    let sql =
        "SELECT DISTINCT project FROM catalog_history_objects WHERE registry = $1 ORDER BY project";
    on_pool!(db, |p| sqlx::query_scalar(sql)
        .bind(registry)
        .fetch_all(p)
        .await)
}

/// One project's part of the recorded state (the project itself among it), sorted by
/// `sort_key`.
pub async fn last_recorded_project(
    db: &ConsoleDb,
    registry: &str,
    project: &str,
) -> Result<Vec<Arc<CatalogObject>>, HistoryStoreError> {
    let sql =
        "SELECT object_json FROM catalog_history_objects WHERE registry = $1 AND project = $2";
    let rows: Vec<String> = on_pool!(db, |p| sqlx::query_scalar(sql)
        .bind(registry)
        .bind(project)
        .fetch_all(p)
        .await?);
    decoded(registry, &rows)
}

/// Stored objects' JSON, decoded and sorted by `sort_key`.
fn decoded(registry: &str, rows: &[String]) -> Result<Vec<Arc<CatalogObject>>, HistoryStoreError> {
    let mut objects = rows
        .iter()
        .map(|json| serde_json::from_str::<CatalogObject>(json).map(Arc::new))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| HistoryStoreError::Stored {
            registry: registry.to_string(),
            source,
        })?;
    objects.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Ok(objects)
}

/// One recording: the entries of one snapshot and how the recorded state moves with them.
pub struct Recording<'a> {
    pub registry: &'a str,
    /// The replica writing ([`crate::lease::Leadership::replica`]).
    pub replica: &'a str,
    /// The generation the changes were computed against; None for the first recording.
    pub expected: Option<i64>,
    /// When the snapshot was read (Unix ms).
    pub observed_ms: i64,
    /// Changes, oldest first (ids are assigned in this order). The recorded state takes the
    /// object of each added or changed entry and drops each removed one.
    pub entries: &'a [HistoryEntry],
    /// The whole catalog, for the first recording of a registry (no entries then: history
    /// starts when the console first sees a registry).
    pub baseline: &'a [Arc<CatalogObject>],
}

/// Writes a recording in one transaction, if the registry's generation is still `expected`:
/// the new generation, or None when another recorder got there first (nothing written).
pub async fn insert_changes(
    db: &ConsoleDb,
    rec: &Recording<'_>,
) -> Result<Option<i64>, sqlx::Error> {
    let (claim, generation): (&str, i64) = match rec.expected {
        Some(g) => (
            "UPDATE catalog_history_heads SET generation = generation + 1, recorded_ms = $2, recorded_by = $3 \
             WHERE registry = $1 AND generation = $4",
            g + 1,
        ),
        None => (
            "INSERT INTO catalog_history_heads (registry, generation, recorded_ms, recorded_by) \
             VALUES ($1, 1, $2, $3) ON CONFLICT (registry) DO NOTHING",
            1,
        ),
    };
    let entry_rows: Vec<EntryRow> = rec.entries.iter().map(EntryRow::of).collect();
    // Serialized a batch at a time: a first recording of 100,000 views would otherwise hold
    // every object's JSON at once (about 100 MB).
    let mut upserts: Vec<&CatalogObject> = rec.baseline.iter().map(|o| &**o).collect();
    let mut removals = Vec::new();
    for entry in rec.entries {
        match entry.change.change {
            ChangeType::Removed => removals.push(&entry.change),
            _ => upserts.push(&entry.object),
        }
    }
    on_pool!(db, |p| {
        let mut tx = p.begin().await?;
        let mut q = sqlx::query(claim)
            .bind(rec.registry)
            .bind(rec.observed_ms)
            .bind(rec.replica);
        if let Some(g) = rec.expected {
            q = q.bind(g);
        }
        let claimed = q.execute(&mut *tx).await?.rows_affected();
        if claimed != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        for chunk in entry_rows.chunks(BATCH_ROWS) {
            let sql = EntryRow::insert_sql(chunk.len());
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for row in chunk {
                q = q
                    .bind(rec.registry)
                    .bind(&row.project)
                    .bind(row.kind)
                    .bind(&row.name)
                    .bind(row.change)
                    .bind(&row.fields_json)
                    .bind(&row.object_json)
                    .bind(row.observed_ms)
                    .bind(row.not_before_ms)
                    .bind(row.row_updated_ms)
                    .bind(row.audit_id)
                    .bind(&row.actor)
                    .bind(row.reverts_audit);
            }
            q.execute(&mut *tx).await?;
        }
        for chunk in upserts.chunks(BATCH_ROWS) {
            let rows: Vec<ObjectRow> = chunk.iter().map(|o| ObjectRow::of(o)).collect();
            let sql = ObjectRow::upsert_sql(rows.len());
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for row in &rows {
                q = q
                    .bind(rec.registry)
                    .bind(&row.project)
                    .bind(row.kind)
                    .bind(&row.name)
                    .bind(&row.object_json);
            }
            q.execute(&mut *tx).await?;
        }
        for gone in &removals {
            sqlx::query(
                "DELETE FROM catalog_history_objects WHERE registry = $1 AND project = $2 AND kind = $3 AND name = $4",
            )
            .bind(rec.registry)
            .bind(&gone.project)
            .bind(gone.kind.as_str())
            .bind(&gone.name)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Some(generation))
    })
}

/// Notes that the recorded state was compared with a snapshot at `observed_ms` and nothing
/// changed (so a later restart says "between then and now"). False when the generation moved.
pub async fn touch(
    db: &ConsoleDb,
    registry: &str,
    generation: i64,
    observed_ms: i64,
    replica: &str,
) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE catalog_history_heads SET recorded_ms = $3, recorded_by = $4 \
               WHERE registry = $1 AND generation = $2 AND recorded_ms <= $3";
    let n = on_pool!(db, |p| sqlx::query(sql)
        .bind(registry)
        .bind(generation)
        .bind(observed_ms)
        .bind(replica)
        .execute(p)
        .await?
        .rows_affected());
    Ok(n == 1)
}

struct EntryRow {
    project: String,
    kind: &'static str,
    name: String,
    change: &'static str,
    fields_json: String,
    object_json: String,
    observed_ms: i64,
    not_before_ms: Option<i64>,
    row_updated_ms: Option<i64>,
    audit_id: Option<i64>,
    actor: Option<String>,
    reverts_audit: Option<i64>,
}

impl EntryRow {
    fn of(e: &HistoryEntry) -> EntryRow {
        EntryRow {
            project: e.change.project.clone(),
            kind: e.change.kind.as_str(),
            name: e.change.name.clone(),
            change: e.change.change.as_str(),
            fields_json: serde_json::to_string(&e.change.fields).unwrap_or_else(|_| "[]".into()),
            object_json: object_json(&e.object),
            observed_ms: millis_of(e.observed_at),
            not_before_ms: e.not_before.map(millis_of),
            row_updated_ms: e.row_updated.map(millis_of),
            audit_id: e.audit_id,
            actor: e.actor.clone(),
            reverts_audit: e.reverts_audit,
        }
    }

    fn insert_sql(rows: usize) -> String {
        let values = placeholders(rows, 13);
        format!(
            "INSERT INTO catalog_history (registry, project, kind, name, change, fields_json, object_json, \
             observed_ms, not_before_ms, row_updated_ms, audit_id, actor, reverts_audit) VALUES {values}"
        )
    }
}

struct ObjectRow {
    project: String,
    kind: &'static str,
    name: String,
    object_json: String,
}

impl ObjectRow {
    fn of(o: &CatalogObject) -> ObjectRow {
        ObjectRow {
            project: o.project.to_string(),
            kind: o.kind.as_str(),
            name: o.name.to_string(),
            object_json: object_json(o),
        }
    }

    fn upsert_sql(rows: usize) -> String {
        let values = placeholders(rows, 5);
        format!(
            "INSERT INTO catalog_history_objects (registry, project, kind, name, object_json) VALUES {values} \
             ON CONFLICT (registry, project, kind, name) DO UPDATE SET object_json = excluded.object_json"
        )
    }
}

/// The model always serializes; an empty object would read back as an error, not as data.
fn object_json(o: &CatalogObject) -> String {
    serde_json::to_string(o).unwrap_or_else(|_| "{}".into())
}

/// `($1, $2, ...), (...)`: `rows` tuples of `width` numbered placeholders.
fn placeholders(rows: usize, width: usize) -> String {
    let mut out = String::with_capacity(rows * width * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..width {
            if c > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(r * width + c + 1).to_string());
        }
        out.push(')');
    }
    out
}

/// A value bound to a query built from a filter.
enum Bind {
    Text(String),
    Int(i64),
}

const ENTRY_COLUMNS: &str = "id, registry, project, kind, name, change, fields_json, object_json, \
    observed_ms, not_before_ms, row_updated_ms, audit_id, actor, reverts_audit";

type StoredRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
);

fn entry_of(r: StoredRow) -> Option<HistoryEntry> {
    let (id, registry, project, kind, name, change, fields, object, observed) =
        (r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8);
    // A kind or change type this version does not know (a newer console wrote it): skipped.
    let kind = ObjectKind::parse(&kind)?;
    let change = ChangeType::parse(&change)?;
    let fields: Vec<FieldChange> = serde_json::from_str(&fields).unwrap_or_else(|e| {
        vec![FieldChange {
            path: "(stored fields)".into(),
            before: None,
            after: Some(format!("cannot be read: {e}")),
        }]
    });
    let object = serde_json::from_str::<CatalogObject>(&object).unwrap_or_else(|e| {
        CatalogObject::unreadable(kind, &project, &name, format!("stored object: {e}"))
    });
    Some(HistoryEntry {
        id,
        registry,
        change: ObjectChange {
            kind,
            project,
            name,
            change,
            fields,
        },
        object,
        observed_at: instant_of_millis(observed),
        not_before: r.9.map(instant_of_millis),
        row_updated: r.10.map(instant_of_millis),
        audit_id: r.11,
        actor: r.12,
        reverts_audit: r.13,
    })
}

/// One page of a timeline, newest first: entries older than `before_id` (None: the newest),
/// at most `limit` (1 to [`MAX_PAGE`]).
pub async fn query(
    db: &ConsoleDb,
    filter: &HistoryFilter,
    before_id: Option<i64>,
    limit: u32,
) -> Result<HistoryPage, sqlx::Error> {
    let limit = limit.clamp(1, MAX_PAGE) as usize;
    let mut sql = format!("SELECT {ENTRY_COLUMNS} FROM catalog_history WHERE registry = $1");
    let mut binds = vec![Bind::Text(filter.registry.clone())];
    let mut and = |column: &str, op: &str, value: Bind| {
        binds.push(value);
        sql.push_str(&format!(" AND {column} {op} ${}", binds.len()));
    };
    if let Some(p) = &filter.project {
        and("project", "=", Bind::Text(p.clone()));
    }
    if let Some(k) = filter.kind {
        and("kind", "=", Bind::Text(k.as_str().into()));
    }
    if let Some(n) = &filter.name {
        and("name", "=", Bind::Text(n.clone()));
    }
    if let Some(c) = filter.change {
        and("change", "=", Bind::Text(c.as_str().into()));
    }
    if let Some(t) = filter.since {
        // `+` keeps SQLite off the observed_ms index: with it, "since" read every later row
        // and sorted them (325 ms over a year of history); walking (registry, id) newest first
        // stops after one page, as ids grow with observed time.
        and("+observed_ms", ">=", Bind::Int(millis_of(t)));
    }
    if let Some(t) = filter.until {
        and("observed_ms", "<", Bind::Int(millis_of(t)));
    }
    if let Some(id) = before_id {
        and("id", "<", Bind::Int(id));
    }
    sql.push_str(&format!(" ORDER BY id DESC LIMIT {}", limit + 1));
    let rows: Vec<StoredRow> = on_pool!(db, |p| {
        let mut q = sqlx::query_as::<_, StoredRow>(sqlx::AssertSqlSafe(sql));
        for b in binds {
            q = match b {
                Bind::Text(s) => q.bind(s),
                Bind::Int(i) => q.bind(i),
            };
        }
        q.fetch_all(p).await?
    });
    let more = rows.len() > limit;
    let entries: Vec<HistoryEntry> = rows.into_iter().take(limit).filter_map(entry_of).collect();
    let next_before_id = more.then(|| entries.last().map(|e| e.id)).flatten();
    Ok(HistoryPage {
        entries,
        next_before_id,
    })
}

/// The registries with recorded history (or a recorded state).
pub async fn registries(db: &ConsoleDb) -> Result<Vec<String>, sqlx::Error> {
    let sql = "SELECT registry FROM catalog_history_heads ORDER BY registry";
    on_pool!(db, |p| sqlx::query_scalar(sql).fetch_all(p).await)
}
