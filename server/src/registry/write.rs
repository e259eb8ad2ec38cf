//! Writing Permission rows back to a registry: SQL (SQLite or PostgreSQL) here, the way Feast's
//! `SqlRegistry` does (`_apply_object`, `_delete_object`, `_set_last_updated_metadata`), with
//! optimistic concurrency: every write names the version it was based on and is refused,
//! writing nothing, when the stored row is no longer that version.
//!
//! The check and the write are one compare-and-swap statement (`... WHERE permission_proto =
//! <the bytes that had that version>`), so two writers based on the same version cannot both
//! succeed on either backend, whatever the isolation level. File registries (`registry.db`)
//! are rewritten whole by [`super::write_file`]; REST registries are written through Feast's
//! registry server with the signed-in admin's token by [`super::write_rest`].

use crate::db::on_pool;
use std::time::Duration;

use prost::Message;
use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqlitePoolOptions},
    PgPool, SqlitePool,
};

use super::proto::{
    permission::{Permission, PermissionSpec},
    ObjectMeta, PermissionRecord, Timestamp,
};
use super::source::RegistrySource;
use super::source::SourceKind;

pub mod model;

pub use model::{check_version, conflict, version_of, StoredRow, WriteError, ABSENT};

#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// INSERT inside a transaction; false when the name is taken (a concurrent create or
/// rename won). A macro so one text serves both backends' transaction types.
macro_rules! insert {
    ($tx:expr, $project:expr, $name:expr, $secs:expr, $bytes:expr) => {
        match sqlx::query("INSERT INTO permissions (permission_name, project_id, last_updated_timestamp, permission_proto) VALUES ($1, $2, $3, $4)")
            .bind($name)
            .bind($project)
            .bind($secs)
            .bind($bytes)
            .execute(&mut *$tx)
            .await
        {
            Ok(_) => true,
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() => false,
            Err(e) => return Err(WriteError::from(e)),
        }
    };
}

/// Feast's `_set_last_updated_metadata`: the project's `feast_metadata` row
/// `last_updated_timestamp` = now (its value the same number as a decimal string), inserted
/// when missing.
macro_rules! bump_project {
    ($tx:expr, $project:expr, $secs:expr) => {{
        let updated = sqlx::query("UPDATE feast_metadata SET metadata_value = $1, last_updated_timestamp = $2 WHERE project_id = $3 AND metadata_key = 'last_updated_timestamp'")
            .bind($secs.to_string())
            .bind($secs)
            .bind($project)
            .execute(&mut *$tx)
            .await
            .map_err(WriteError::from)?
            .rows_affected();
        if updated == 0 {
            sqlx::query("INSERT INTO feast_metadata (project_id, metadata_key, metadata_value, last_updated_timestamp) VALUES ($1, 'last_updated_timestamp', $2, $3)")
                .bind($project)
                .bind($secs.to_string())
                .bind($secs)
                .execute(&mut *$tx)
                .await
                .map_err(WriteError::from)?;
        }
    }};
}

/// An open registry for writing permissions: SQL (SQLite, PostgreSQL) or a file registry.
#[derive(Clone)]
pub struct PermissionWriter {
    pool: Option<Pool>,
    /// A file registry (`registry.db`), rewritten whole (see `write_file`).
    file: Option<std::path::PathBuf>,
    /// A registry server, written through its REST API (see `write_rest`).
    rest: Option<super::write_rest::RestPermissions>,
}

impl PermissionWriter {
    /// Opens a SQL, file or REST registry read-write. A REST registry is only read or written
    /// as a user: see [`PermissionWriter::with_token`].
    pub async fn open(source: &RegistrySource) -> Result<PermissionWriter, WriteError> {
        let pool = match &source.kind {
            SourceKind::Sqlite(path) => {
                if !path.is_file() {
                    return Err(WriteError::Invalid(format!(
                        "no such file: {}",
                        path.display()
                    )));
                }
                // Writers queue on SQLite's lock; a generous timeout turns contention into
                // waiting, and the compare-and-swap into the conflict answer.
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .busy_timeout(Duration::from_secs(30));
                Pool::Sqlite(
                    SqlitePoolOptions::new()
                        .max_connections(4)
                        .connect_with(options)
                        .await
                        .map_err(WriteError::from)?,
                )
            }
            SourceKind::Postgres(url) => {
                let options: PgConnectOptions = url
                    .parse()
                    .map_err(|e: sqlx::Error| WriteError::Invalid(e.to_string()))?;
                Pool::Postgres(
                    PgPoolOptions::new()
                        .max_connections(4)
                        .acquire_timeout(Duration::from_secs(30))
                        .connect_with(options)
                        .await
                        .map_err(WriteError::from)?,
                )
            }
            SourceKind::File(path) => {
                if !path.is_file() {
                    return Err(WriteError::Invalid(format!(
                        "no such file: {}",
                        path.display()
                    )));
                }
                return Ok(PermissionWriter {
                    pool: None,
                    file: Some(path.clone()),
                    rest: None,
                });
            }
            SourceKind::Rest(url) => {
                return Ok(PermissionWriter {
                    pool: None,
                    file: None,
                    rest: Some(super::write_rest::RestPermissions::new(url)?),
                })
            }
        };
        Ok(PermissionWriter {
            pool: Some(pool),
            file: None,
            rest: None,
        })
    }

    /// This writer acting as the holder of `token` (the signed-in user's access token). Only
    /// REST registries use it: Feast's registry server authorizes each call with it.
    pub fn with_token(&self, token: Option<String>) -> PermissionWriter {
        PermissionWriter {
            rest: self.rest.as_ref().map(|r| r.with_token(token)),
            ..self.clone()
        }
    }

    /// The REST side of this writer, if it writes through a registry server.
    pub fn rest(&self) -> Option<&super::write_rest::RestPermissions> {
        self.rest.as_ref()
    }

    /// The stored row of one permission, if any.
    pub async fn read(&self, project: &str, name: &str) -> Result<Option<StoredRow>, WriteError> {
        if let Some(rest) = &self.rest {
            return rest.read(project, name).await;
        }
        if let Some(path) = &self.file {
            return super::write_file::read_path(path, project, name).await;
        }
        let sql = "SELECT permission_proto, last_updated_timestamp FROM permissions WHERE project_id = $1 AND permission_name = $2";
        let row: Option<(Vec<u8>, i64)> = on_pool!(Pool: self.sql()?, |p| sqlx::query_as(sql)
            .bind(project)
            .bind(name)
            .fetch_optional(p)
            .await)
        .map_err(WriteError::from)?;
        Ok(row.map(|(bytes, last_updated)| StoredRow {
            version: version_of(&bytes),
            bytes,
            last_updated,
        }))
    }

    async fn project_exists(&self, project: &str) -> Result<bool, WriteError> {
        if self.file.is_some() {
            // Checked by the rewrite itself, under the file's lock.
            return Ok(true);
        }
        let sql = "SELECT COUNT(*) FROM projects WHERE project_id = $1";
        let n: i64 = on_pool!(Pool: self.sql()?, |p| sqlx::query_scalar(sql)
            .bind(project)
            .fetch_one(p)
            .await)
        .map_err(WriteError::from)?;
        Ok(n > 0)
    }

    fn sql(&self) -> Result<&Pool, WriteError> {
        self.pool
            .as_ref()
            .ok_or_else(|| WriteError::Unsupported("not a SQL registry".into()))
    }

    /// Creates or replaces `spec` in `project`. `original_name` is the permission the edit
    /// started from (None for a create; a different name renames it); `expected` its version.
    /// Returns the new row.
    pub async fn put(
        &self,
        project: &str,
        original_name: Option<&str>,
        expected: &str,
        mut spec: PermissionSpec,
    ) -> Result<StoredRow, WriteError> {
        if let Some(rest) = &self.rest {
            return rest.put(project, original_name, expected, spec).await;
        }
        // The file registry stores every object's project in its spec; the SQL registry
        // leaves it empty (the row's project_id says it).
        if self.file.is_some() {
            spec.project = project.to_string();
        }
        if !self.project_exists(project).await? {
            return Err(WriteError::Invalid(format!(
                "project `{project}` does not exist in this registry"
            )));
        }
        let stamp = Timestamp::now();
        let secs = stamp.seconds;
        let name = spec.name.clone();
        let base = match original_name {
            Some(orig) => check_version(orig, expected, self.read(project, orig).await?)?,
            None if expected == ABSENT => None,
            None => {
                return Err(WriteError::Invalid(
                    "a create must start from the absent version".into(),
                ))
            }
        };
        let bytes = match &base {
            Some(row) => {
                let mut record = PermissionRecord::decode(&row.bytes)
                    .map_err(|e| WriteError::Invalid(e.to_string()))?;
                let created = record
                    .message
                    .meta
                    .as_ref()
                    .and_then(|m| m.created_timestamp);
                record.message.spec = Some(spec);
                record.message.meta = Some(ObjectMeta {
                    created_timestamp: created.or(Some(stamp)),
                    last_updated_timestamp: Some(stamp),
                });
                record
                    .encode()
                    .map_err(|e| WriteError::Invalid(e.to_string()))?
            }
            None => Permission {
                spec: Some(spec),
                meta: Some(ObjectMeta {
                    created_timestamp: Some(stamp),
                    last_updated_timestamp: Some(stamp),
                }),
            }
            .encode_to_vec(),
        };
        if let Some(path) = &self.file {
            super::write_file::commit(
                path,
                project,
                original_name,
                expected,
                Some((&name, &bytes)),
            )
            .await?;
            return Ok(StoredRow {
                version: version_of(&bytes),
                bytes,
                last_updated: secs,
            });
        }
        let renamed = original_name.is_some_and(|o| o != name);
        let written = on_pool!(Pool: self.sql()?, |p| {
            let mut tx = p.begin().await.map_err(WriteError::from)?;
            let ok = match (&base, renamed) {
                (Some(row), false) => {
                    sqlx::query("UPDATE permissions SET permission_proto = $1, last_updated_timestamp = $2 WHERE project_id = $3 AND permission_name = $4 AND permission_proto = $5")
                        .bind(&bytes).bind(secs).bind(project).bind(&name).bind(&row.bytes)
                        .execute(&mut *tx).await.map_err(WriteError::from)?.rows_affected() == 1
                }
                (Some(row), true) => {
                    let gone = sqlx::query("DELETE FROM permissions WHERE project_id = $1 AND permission_name = $2 AND permission_proto = $3")
                        .bind(project).bind(original_name.unwrap_or_default()).bind(&row.bytes)
                        .execute(&mut *tx).await.map_err(WriteError::from)?.rows_affected() == 1;
                    gone && insert!(tx, project, &name, secs, &bytes)
                }
                (None, _) => insert!(tx, project, &name, secs, &bytes),
            };
            if ok {
                bump_project!(tx, project, secs);
                tx.commit().await.map_err(WriteError::from)?;
            }
            Ok::<bool, WriteError>(ok)
        })?;
        if !written {
            let taken = || {
                WriteError::Conflict(format!(
                    "a permission named `{name}` already exists in `{project}`; nothing was written"
                ))
            };
            let Some(orig) = original_name else {
                return Err(taken());
            };
            let now_version = self
                .read(project, orig)
                .await?
                .map_or(ABSENT.to_string(), |r| r.version);
            return Err(if renamed && now_version == expected {
                taken()
            } else {
                conflict(orig, expected, &now_version)
            });
        }
        Ok(StoredRow {
            version: version_of(&bytes),
            bytes,
            last_updated: secs,
        })
    }

    /// Deletes `name` from `project` if it is still at version `expected`.
    pub async fn delete(
        &self,
        project: &str,
        name: &str,
        expected: &str,
    ) -> Result<StoredRow, WriteError> {
        if let Some(rest) = &self.rest {
            return rest.delete(project, name, expected).await;
        }
        if let Some(path) = &self.file {
            let row = check_version(name, expected, self.read(project, name).await?)?.ok_or_else(
                || {
                    WriteError::Conflict(format!(
                        "permission `{name}` no longer exists in `{project}`"
                    ))
                },
            )?;
            super::write_file::commit(path, project, Some(name), expected, None).await?;
            return Ok(row);
        }
        let Some(row) = check_version(name, expected, self.read(project, name).await?)? else {
            return Err(WriteError::Conflict(format!(
                "permission `{name}` no longer exists in `{project}`"
            )));
        };
        let secs = crate::clock::unix_now();
        let deleted = on_pool!(Pool: self.sql()?, |p| {
            let mut tx = p.begin().await.map_err(WriteError::from)?;
            let ok = sqlx::query("DELETE FROM permissions WHERE project_id = $1 AND permission_name = $2 AND permission_proto = $3")
                .bind(project).bind(name).bind(&row.bytes)
                .execute(&mut *tx).await.map_err(WriteError::from)?.rows_affected() == 1;
            if ok {
                bump_project!(tx, project, secs);
                tx.commit().await.map_err(WriteError::from)?;
            }
            Ok::<bool, WriteError>(ok)
        })?;
        if !deleted {
            let now_version = self
                .read(project, name)
                .await?
                .map_or(ABSENT.to_string(), |r| r.version);
            return Err(conflict(name, expected, &now_version));
        }
        Ok(row)
    }
}
