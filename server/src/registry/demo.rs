//! The bundled demo registry (`server/demo/registry/`), used by `serve` when no registry is
//! configured so a first run shows real Feast data. Regenerate with
//! `scripts/make-registries.sh --update-demo`.
//!
//! `serve` never writes the bundled file: it serves a copy kept in the data folder
//! ([`DemoRegistry`]), made on the first start, so the demo's admin can try the permission
//! editor; "Reset demo" puts the bundled rows back into that copy.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sqlx::{sqlite::SqliteConnectOptions, ConnectOptions, Connection};

use super::source::RegistrySource;
use super::source::SourceKind;

pub const DEMO_NAME: &str = "demo";

/// The copy's file name in the data folder.
pub const COPY_FILE: &str = "demo-registry.sqlite";

/// The bundled demo SQLite registry, looked up from the current folder (a checkout) and from
/// where this crate was built; None when neither has it (an installed binary elsewhere).
pub fn bundled_path() -> Option<PathBuf> {
    let relative = Path::new("server/demo/registry/registry.sqlite");
    let candidates = [
        std::env::current_dir()
            .map(|d| d.join(relative))
            .unwrap_or_else(|_| relative.to_path_buf()),
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("demo/registry/registry.sqlite"),
    ];
    candidates.into_iter().find(|p| p.is_file())
}

/// The bundled demo registry itself (read-only use: the command line, tests).
pub fn demo_source() -> Option<RegistrySource> {
    bundled_path().map(source_at)
}

fn source_at(path: PathBuf) -> RegistrySource {
    RegistrySource {
        name: DEMO_NAME.to_string(),
        kind: SourceKind::Sqlite(path),
        token: None,
    }
}

/// Why the demo copy could not be made or reset.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot create {}", .path.display())]
    CreateFolder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot copy the demo registry to {}", .path.display())]
    Copy {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot reset the demo registry {}", .path.display())]
    Reset {
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },
}

/// The demo registry `serve` reads: a writable copy of the bundled one in the data folder.
#[derive(Clone, Debug)]
pub struct DemoRegistry {
    pub bundled: PathBuf,
    pub copy: PathBuf,
}

impl DemoRegistry {
    /// Copies the bundled registry into `data_dir` unless a copy is already there (edits
    /// survive restarts). None when this binary has no bundled registry.
    pub fn prepare(data_dir: &Path) -> Result<Option<DemoRegistry>, DemoError> {
        let Some(bundled) = bundled_path() else {
            return Ok(None);
        };
        let demo = DemoRegistry {
            bundled,
            copy: data_dir.join(COPY_FILE),
        };
        if !demo.copy.is_file() {
            std::fs::create_dir_all(data_dir).map_err(|source| DemoError::CreateFolder {
                path: data_dir.to_owned(),
                source,
            })?;
            demo.copy_fresh()?;
        }
        Ok(Some(demo))
    }

    pub fn source(&self) -> RegistrySource {
        source_at(self.copy.clone())
    }

    /// When the bundled registry was last written: the time of the demo's only "backup".
    pub fn bundled_modified(&self) -> Option<SystemTime> {
        std::fs::metadata(&self.bundled)
            .and_then(|m| m.modified())
            .ok()
    }

    /// Writes the copy beside its final name, then renames it (nothing reads a half copy).
    fn copy_fresh(&self) -> Result<(), DemoError> {
        let partial = self.copy.with_extension("sqlite.partial");
        let fail = |source: std::io::Error| DemoError::Copy {
            path: self.copy.clone(),
            source,
        };
        std::fs::copy(&self.bundled, &partial).map_err(fail)?;
        // An installed bundle may be read-only; the copy is there to be written.
        let mut perms = std::fs::metadata(&partial).map_err(fail)?.permissions();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            perms.set_mode(perms.mode() | 0o200); // the owner's write bit only
        }
        #[cfg(not(unix))]
        perms.set_readonly(false);
        std::fs::set_permissions(&partial, perms).map_err(fail)?;
        self.stamp(&partial);
        std::fs::rename(&partial, &self.copy).map_err(fail)
    }

    /// Gives `path` the bundled file's modification time: its rows are the bundled ones, so
    /// the recovery page's "changed N ago" is the bundled copy's age until someone edits.
    fn stamp(&self, path: &Path) {
        let (Some(at), Ok(file)) = (
            self.bundled_modified(),
            std::fs::OpenOptions::new().write(true).open(path),
        ) else {
            return;
        };
        if let Err(e) = file.set_modified(at) {
            tracing::debug!(error = %e, path = %path.display(), "cannot set the demo copy's modification time");
        }
    }

    /// Puts the bundled rows back into the copy, in one transaction on the copy itself: the
    /// console's open readers and writers of the copy stay valid and see the change at once
    /// (replacing the file would leave them reading the old one).
    pub async fn reset(&self) -> Result<(), DemoError> {
        if !self.copy.is_file() {
            return self.copy_fresh();
        }
        let fail = |source: sqlx::Error| DemoError::Reset {
            path: self.copy.clone(),
            source,
        };
        let mut conn = SqliteConnectOptions::new()
            .filename(&self.copy)
            .busy_timeout(Duration::from_secs(30))
            .connect()
            .await
            .map_err(fail)?;
        sqlx::query("ATTACH DATABASE ? AS bundled")
            .bind(read_only_uri(&self.bundled))
            .execute(&mut conn)
            .await
            .map_err(fail)?;
        let restored = restore(&mut conn).await.map_err(fail);
        let _ = sqlx::query("DETACH DATABASE bundled")
            .execute(&mut conn)
            .await;
        let _ = conn.close().await;
        restored?;
        self.stamp(&self.copy);
        Ok(())
    }
}

/// Drops every table of the copy and recreates them, indexes and rows from `bundled`.
async fn restore(conn: &mut sqlx::SqliteConnection) -> Result<(), sqlx::Error> {
    let mut tx = conn.begin().await?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(&mut *tx)
    .await?;
    for t in tables {
        let sql = format!("DROP TABLE main.{}", quote(&t));
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await?;
    }
    // Tables before their indexes; SQLite's own automatic indexes have no SQL.
    let schema: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT type, name, sql FROM bundled.sqlite_master \
         WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND type IN ('table', 'index') \
         ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END, rowid",
    )
    .fetch_all(&mut *tx)
    .await?;
    for (kind, name, create) in schema {
        // Unqualified CREATE statements create in `main`, the copy.
        sqlx::query(sqlx::AssertSqlSafe(create))
            .execute(&mut *tx)
            .await?;
        if kind == "table" {
            let copy = format!(
                "INSERT INTO main.{0} SELECT * FROM bundled.{0}",
                quote(&name)
            );
            sqlx::query(sqlx::AssertSqlSafe(copy))
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await
}

/// An SQL identifier in double quotes.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `file:` URI opening `path` read-only (the bundled file is never written).
fn read_only_uri(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut out = String::from("file:");
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out.push_str("?mode=ro");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_escapes_what_sqlite_would_read_as_syntax() {
        assert_eq!(
            read_only_uri(Path::new("/a b/r?x#1%.sqlite")),
            "file:/a%20b/r%3Fx%231%25.sqlite?mode=ro"
        );
        assert_eq!(quote("we\"ird"), "\"we\"\"ird\"");
    }
}
