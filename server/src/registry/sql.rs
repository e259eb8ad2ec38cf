//! SQL registry reader (SQLite and PostgreSQL) with cheap change detection.
//!
//! A refresh first reads one row per table: `count(*)` and `max(last_updated_timestamp)`
//! (plus `feast_metadata`). Only tables whose numbers moved list their keys and timestamps
//! (no blobs), and only rows that are new or have a new timestamp are fetched and decoded.
//! The column holds whole seconds, so a row rewritten within the second of the previous read
//! keeps its timestamp: rows stamped within [`SAME_SECOND_MARGIN`] of the previous read are
//! fetched again while their table is still "hot".
//!
//! A table read whole (the first read, or more than [`ROW_FETCH_LIMIT`] changed rows) is
//! streamed into decoder threads ([`StreamDecoder`]): the blobs are never all in memory at
//! once, and decoding overlaps the read.

use std::{
    collections::{BTreeSet, HashMap, HashSet},
    time::{Duration, Instant, SystemTime},
};

use app::catalog::model::ViewVersion;
use app::util::shared_str::{Interner, SharedStr};
use app::util::time::Instant as Utc;
use futures::TryStreamExt;
use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqlitePoolOptions},
    PgPool, Row, SqlitePool,
};

use crate::db::on_pool;

use super::failure::SqlFailure;
use super::load_error::{LoadError, LoadProblem};
use super::parallel_decode::{decode_row, interners, BlobRow, Decoded, StreamDecoder};
use super::row_cache::{Listed, RowCache};
use super::{decode::BlobKind, snapshot::RegistrySnapshot};

/// Seconds around the previous read in which a same-second rewrite could hide.
const SAME_SECOND_MARGIN: i64 = 5;
/// Beyond this many changed rows one full-table read is cheaper than row-by-row fetches.
const ROW_FETCH_LIMIT: usize = 64;

/// Table, its name column and its blob column, per object kind.
fn table(kind: BlobKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        BlobKind::Project => ("projects", "project_name", "project_proto"),
        BlobKind::Entity => ("entities", "entity_name", "entity_proto"),
        BlobKind::DataSource => ("data_sources", "data_source_name", "data_source_proto"),
        BlobKind::FeatureView => ("feature_views", "feature_view_name", "feature_view_proto"),
        BlobKind::StreamFeatureView => (
            "stream_feature_views",
            "feature_view_name",
            "feature_view_proto",
        ),
        BlobKind::OnDemandFeatureView => (
            "on_demand_feature_views",
            "feature_view_name",
            "feature_view_proto",
        ),
        BlobKind::LabelView => ("label_views", "feature_view_name", "feature_view_proto"),
        BlobKind::FeatureService => (
            "feature_services",
            "feature_service_name",
            "feature_service_proto",
        ),
        BlobKind::SavedDataset => (
            "saved_datasets",
            "saved_dataset_name",
            "saved_dataset_proto",
        ),
        BlobKind::ValidationReference => (
            "validation_references",
            "validation_reference_name",
            "validation_reference_proto",
        ),
        BlobKind::Permission => ("permissions", "permission_name", "permission_proto"),
    }
}

const VERSIONS_TABLE: &str = "feature_view_version_history";
const METADATA_TABLE: &str = "feast_metadata";

#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

type Key = (String, String);
/// A row as the queries return it: project, name, timestamp, blob.
type RowTuple = (String, String, i64, Vec<u8>);
/// Row keys by project, looked up without building a `Key`.
type KeySet = HashMap<String, HashSet<String>>;

#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
struct TableMark {
    count: i64,
    max_ts: i64,
}

/// An open SQL registry and what the previous read found.
pub struct SqlReader {
    display: String,
    pool: Pool,
    /// Object tables present (older Feast versions lack some).
    kinds: Vec<BlobKind>,
    has_versions: bool,
    has_metadata: bool,
    marks: HashMap<&'static str, TableMark>,
    rows: RowCache,
    versions: Vec<ViewVersion>,
    previous_read_secs: Option<i64>,
    /// The decoder threads' interners during a refresh (emptied after it, so strings no
    /// object holds any more are not kept).
    interners: Vec<Interner>,
    /// Rows fetched with their blob by the last refresh (for tests and the benchmark).
    pub last_blob_rows: usize,
}

impl SqlReader {
    pub async fn open_sqlite(
        path: &std::path::Path,
        display: String,
    ) -> Result<SqlReader, LoadError> {
        if !path.is_file() {
            return Err(LoadError::new(
                &display,
                LoadProblem::NoSuchFile(path.to_owned()),
            ));
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await
            .map_err(|e| LoadError::new(&display, SqlFailure::from(e)))?;
        Self::open(Pool::Sqlite(pool), display).await
    }

    pub async fn open_postgres(url: &str, display: String) -> Result<SqlReader, LoadError> {
        let options: PgConnectOptions = url.parse().map_err(|e: sqlx::Error| {
            LoadError::new(&display, LoadProblem::InvalidUrl(e.into()))
        })?;
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| LoadError::new(&display, SqlFailure::from(e)))?;
        Self::open(Pool::Postgres(pool), display).await
    }

    async fn open(pool: Pool, display: String) -> Result<SqlReader, LoadError> {
        let list_sql = match pool {
            Pool::Sqlite(_) => "SELECT name FROM sqlite_master WHERE type = 'table'",
            Pool::Postgres(_) => "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()",
        };
        let tables: Vec<String> =
            on_pool!(Pool: &pool, |p| sqlx::query_scalar(list_sql).fetch_all(p).await)
                .map_err(|e| LoadError::new(&display, SqlFailure::from(e)))?;
        let kinds: Vec<BlobKind> = BlobKind::ALL
            .into_iter()
            .filter(|k| tables.iter().any(|t| t == table(*k).0))
            .collect();
        if !kinds.contains(&BlobKind::Project) || !kinds.contains(&BlobKind::FeatureView) {
            return Err(LoadError::new(&display, LoadProblem::NoRegistryTables));
        }
        let has_versions = tables.iter().any(|t| t == VERSIONS_TABLE);
        let has_metadata = tables.iter().any(|t| t == METADATA_TABLE);
        Ok(SqlReader {
            display,
            pool,
            kinds,
            has_versions,
            has_metadata,
            marks: HashMap::new(),
            rows: RowCache::default(),
            versions: Vec::new(),
            previous_read_secs: None,
            interners: Vec::new(),
            last_blob_rows: 0,
        })
    }

    fn err(&self, e: sqlx::Error) -> LoadError {
        LoadError::new(&self.display, SqlFailure::from(e))
    }

    /// Reads what changed since the previous call; None when nothing did.
    pub async fn refresh(&mut self) -> Result<Option<RegistrySnapshot>, LoadError> {
        let started = Instant::now();
        let read_secs = crate::clock::unix_now();
        let marks = self.read_marks().await?;
        let hot_since = self.previous_read_secs.map(|s| s - SAME_SECOND_MARGIN);
        let hot = |mark: &TableMark| hot_since.is_some_and(|h| mark.max_ts >= h);
        let first = self.previous_read_secs.is_none();
        let mut changed = first;
        self.last_blob_rows = 0;
        self.interners = interners();
        for kind in self.kinds.clone() {
            let name = table(kind).0;
            let mark = marks.get(name).copied().unwrap_or_default();
            if !first && self.marks.get(name) == Some(&mark) && !hot(&mark) {
                continue;
            }
            changed |= self.refresh_table(kind, hot_since).await?;
        }
        self.interners = Vec::new();
        if self.has_versions {
            let mark = marks.get(VERSIONS_TABLE).copied().unwrap_or_default();
            if first || self.marks.get(VERSIONS_TABLE) != Some(&mark) {
                self.versions = self.read_versions().await?;
                changed = true;
            }
        }
        // feast_metadata moves on every write, so it reveals deletes the per-table marks miss.
        changed |= self.marks.get(METADATA_TABLE) != marks.get(METADATA_TABLE);
        self.marks = marks;
        self.previous_read_secs = Some(read_secs);
        if !changed {
            return Ok(None);
        }
        Ok(Some(RegistrySnapshot::build_shared(
            self.rows.objects(),
            self.versions.clone(),
            SystemTime::now(),
            started.elapsed(),
        )))
    }

    async fn read_marks(&self) -> Result<HashMap<&'static str, TableMark>, LoadError> {
        let mut names: Vec<(&'static str, &'static str)> = self
            .kinds
            .iter()
            .map(|k| (table(*k).0, "last_updated_timestamp"))
            .collect();
        if self.has_versions {
            names.push((VERSIONS_TABLE, "created_timestamp"));
        }
        if self.has_metadata {
            names.push((METADATA_TABLE, "last_updated_timestamp"));
        }
        // Table names come from the fixed list above, never from input.
        let sql = names
            .iter()
            .map(|(t, col)| format!("SELECT '{t}', CAST(COUNT(*) AS BIGINT), CAST(COALESCE(MAX({col}), 0) AS BIGINT) FROM {t}"))
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let rows: Vec<(String, i64, i64)> =
            on_pool!(Pool: &self.pool, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .fetch_all(p)
                .await)
            .map_err(|e| self.err(e))?;
        Ok(rows
            .into_iter()
            .filter_map(|(t, count, max_ts)| {
                names
                    .iter()
                    .find(|(n, _)| *n == t)
                    .map(|(n, _)| (*n, TableMark { count, max_ts }))
            })
            .collect())
    }

    /// Re-lists one table's keys and fetches the rows that changed. True when anything did.
    async fn refresh_table(
        &mut self,
        kind: BlobKind,
        hot_since: Option<i64>,
    ) -> Result<bool, LoadError> {
        if self.rows.rows(kind) == 0 {
            // Nothing cached to compare with (first read, or an empty table): read it whole
            // without listing its keys first.
            let decoded = self.fetch_all(kind, None).await?;
            return Ok(self.store(kind, decoded));
        }
        let listed = self.list_keys(kind).await?;
        let mut changed = self.rows.retain_listed(kind, &listed);
        let stale: Vec<Key> = listed
            .iter()
            .flat_map(|(p, names)| names.iter().map(move |(n, ts)| (p, n, *ts)))
            .filter(|(p, n, ts)| match self.rows.get(kind, p, n) {
                None => true,
                Some(old) => old.updated != *ts || hot_since.is_some_and(|h| *ts >= h),
            })
            .map(|(p, n, _)| (p.clone(), n.clone()))
            .collect();
        if stale.is_empty() {
            return Ok(changed);
        }
        let decoded = if stale.len() > ROW_FETCH_LIMIT {
            // A full-table read also returns rows that did not change: only stale ones decode.
            let mut only: KeySet = HashMap::new();
            for (project, name) in stale {
                only.entry(project).or_default().insert(name);
            }
            self.fetch_all(kind, Some(&only)).await?
        } else {
            self.fetch_rows(kind, &stale).await?
        };
        changed |= self.store(kind, decoded);
        Ok(changed)
    }

    /// Caches decoded rows; true when any object differs from the one it replaces.
    fn store(&mut self, kind: BlobKind, decoded: Vec<Decoded>) -> bool {
        self.last_blob_rows += decoded.len();
        let mut changed = false;
        for row in decoded {
            changed |= self.rows.put(kind, row);
        }
        changed
    }

    /// Every row's key and timestamp, no blobs.
    async fn list_keys(&self, kind: BlobKind) -> Result<Listed, LoadError> {
        let (t, name_col, _) = table(kind);
        let sql = format!("SELECT project_id, {name_col}, last_updated_timestamp FROM {t}");
        let mut listed = Listed::new();
        on_pool!(Pool: &self.pool, |p| {
            let mut rows =
                sqlx::query_as::<_, (String, String, i64)>(sqlx::AssertSqlSafe(sql)).fetch(p);
            while let Some((project, name, ts)) = rows.try_next().await.map_err(|e| self.err(e))? {
                listed.entry(project).or_default().insert(name, ts);
            }
        });
        Ok(listed)
    }

    /// Reads and decodes every object table whole, as a full load does, keeping only the
    /// number of objects (projects aside) and the projects' names (those of the projects
    /// table and those objects name): the cache probe's read, without a second copy of the
    /// registry in memory. Leaves what this reader has cached untouched.
    pub async fn count_all(&self) -> Result<(usize, BTreeSet<SharedStr>), LoadError> {
        let mut objects = 0;
        let mut projects = BTreeSet::new();
        for kind in self.kinds.clone() {
            let mut decoder = StreamDecoder::start_counting(kind);
            self.stream_table(kind, None, &mut decoder).await?;
            let (count, names) = decoder
                .finish_count()
                .await
                .map_err(|e| LoadError::new(&self.display, e))?;
            if kind != BlobKind::Project {
                objects += count;
            }
            projects.extend(names);
        }
        Ok((objects, projects))
    }

    /// Streams a whole table into the decoders; with `only`, rows with other keys are skipped.
    async fn fetch_all(
        &mut self,
        kind: BlobKind,
        only: Option<&KeySet>,
    ) -> Result<Vec<Decoded>, LoadError> {
        let mut decoder = StreamDecoder::start(kind, std::mem::take(&mut self.interners));
        self.stream_table(kind, only, &mut decoder).await?;
        let (decoded, interners) = decoder
            .finish()
            .await
            .map_err(|e| LoadError::new(&self.display, e))?;
        self.interners = interners;
        Ok(decoded)
    }

    /// Feeds a whole table's rows (with `only`, those with its keys) to `decoder`.
    async fn stream_table(
        &self,
        kind: BlobKind,
        only: Option<&KeySet>,
        decoder: &mut StreamDecoder,
    ) -> Result<(), LoadError> {
        let (t, name_col, blob_col) = table(kind);
        let sql =
            format!("SELECT project_id, {name_col}, last_updated_timestamp, {blob_col} FROM {t}");
        // A read error returns at once; dropping the decoder stops its threads.
        on_pool!(Pool: &self.pool, |p| {
            let mut rows = sqlx::query_as::<_, RowTuple>(sqlx::AssertSqlSafe(sql)).fetch(p);
            loop {
                let Some((project, name, updated, blob)) =
                    rows.try_next().await.map_err(|e| self.err(e))?
                else {
                    break;
                };
                let wanted = |keys: &KeySet| keys.get(&project).is_some_and(|n| n.contains(&name));
                if only.is_some_and(|keys| !wanted(keys)) {
                    continue;
                }
                let row = BlobRow {
                    project,
                    name,
                    updated,
                    blob,
                };
                decoder
                    .push(row)
                    .await
                    .map_err(|e| LoadError::new(&self.display, e))?;
            }
        });
        Ok(())
    }

    async fn fetch_rows(
        &mut self,
        kind: BlobKind,
        keys: &[Key],
    ) -> Result<Vec<Decoded>, LoadError> {
        let (t, name_col, blob_col) = table(kind);
        let sql = format!(
            "SELECT project_id, {name_col}, last_updated_timestamp, {blob_col} FROM {t} WHERE project_id = $1 AND {name_col} = $2"
        );
        let mut interner = self.interners.pop().unwrap_or_default();
        let mut out = Vec::with_capacity(keys.len());
        for (project, name) in keys {
            let row: Option<RowTuple> =
                on_pool!(Pool: &self.pool, |p| sqlx::query_as(sqlx::AssertSqlSafe(
                    sql.clone()
                ))
                .bind(project)
                .bind(name)
                .fetch_optional(p)
                .await)
                .map_err(|e| self.err(e))?;
            out.extend(row.map(|(project, name, updated, blob)| {
                let row = BlobRow {
                    project,
                    name,
                    updated,
                    blob,
                };
                decode_row(kind, row, &mut interner)
            }));
        }
        self.interners.push(interner);
        Ok(out)
    }

    async fn read_versions(&self) -> Result<Vec<ViewVersion>, LoadError> {
        let sql = "SELECT project_id, feature_view_name, feature_view_type, version_number, version_id, created_timestamp, \
                   description FROM feature_view_version_history";
        let rows = on_pool!(Pool: &self.pool, |p| {
            sqlx::query(sql).fetch_all(p).await.map(|rows| {
                rows.iter()
                    .map(|r| -> Result<ViewVersion, sqlx::Error> {
                        Ok(ViewVersion {
                            project: r.try_get(0)?,
                            view: r.try_get(1)?,
                            view_type: r.try_get(2)?,
                            version_number: r.try_get(3)?,
                            version_id: r.try_get(4)?,
                            created: Utc::new(r.try_get(5)?, 0),
                            description: r.try_get::<Option<String>, _>(6)?.unwrap_or_default(),
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
        })
        .map_err(|e| self.err(e))?;
        rows.map_err(|e| self.err(e))
    }
}
