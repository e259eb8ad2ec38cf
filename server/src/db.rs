//! The console's own database: SQLite by default (one process), PostgreSQL when several
//! replicas share state. Migrations for each backend live in `migrations/<backend>/` and are
//! embedded in the binary, so a copied binary migrates without its source tree.

use std::{path::PathBuf, str::FromStr, time::Duration};

use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions},
    PgPool, SqlitePool,
};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// How long to wait for a database connection before giving up with a clear message.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

impl DbKind {
    pub fn of_url(url: &str) -> Result<DbKind, String> {
        if url.starts_with("sqlite:") {
            Ok(DbKind::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DbKind::Postgres)
        } else {
            Err(format!(
                "`{}` is not supported: use sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DB",
                redact_url(url)
            ))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot create the folder for the console database {path}: {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the console database {url}")]
    Connect { url: String, source: OpenCause },
    #[error("cannot migrate the console database {url}")]
    Migrate { url: String, source: OpenCause },
    #[error("console database query failed: {0}")]
    Query(#[from] sqlx::Error),
}

/// Runs one body on whichever pool `$db` holds: `on_pool!(db, |pool| query.execute(pool).await)`.
/// The body is compiled once per backend, so one query text serves both (`$1..$n` placeholders
/// read as positional parameters on SQLite and PostgreSQL alike). Another enum of the same two
/// pools (a Feast SQL registry's) names its type first: `on_pool!(Pool: pool, |p| ...)`.
macro_rules! on_pool {
    ($pools:ident : $db:expr, |$p:ident| $body:expr) => {
        match $db {
            $pools::Sqlite($p) => $body,
            $pools::Postgres($p) => $body,
        }
    };
    ($db:expr, |$p:ident| $body:expr) => {
        match $db {
            $crate::db::ConsoleDb::Sqlite($p) => $body,
            $crate::db::ConsoleDb::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

/// A pool on either backend. Queries that differ by dialect match on the variant.
#[derive(Clone, Debug)]
pub enum ConsoleDb {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl ConsoleDb {
    /// Opens (creating a SQLite file and its folder if needed) and migrates.
    pub async fn open(url: &str, max_connections: u32) -> Result<ConsoleDb, DbError> {
        let shown = redact_url(url);
        let connect_err = |e: sqlx::Error| DbError::Connect {
            url: shown.clone(),
            source: e.into(),
        };
        let db = match DbKind::of_url(url).map_err(|reason| DbError::Connect {
            url: shown.clone(),
            source: OpenCause::Unsupported(reason),
        })? {
            DbKind::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(connect_err)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .busy_timeout(Duration::from_secs(5))
                    .foreign_keys(true);
                let file = options.get_filename().to_owned();
                if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(|source| DbError::Folder {
                        path: parent.to_owned(),
                        source,
                    })?;
                }
                let pool = SqlitePoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    .connect_with(options)
                    .await
                    .map_err(connect_err)?;
                ConsoleDb::Sqlite(pool)
            }
            DbKind::Postgres => {
                let options = PgConnectOptions::from_str(url).map_err(connect_err)?;
                let pool = PgPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    .connect_with(options)
                    .await
                    .map_err(connect_err)?;
                ConsoleDb::Postgres(pool)
            }
        };
        db.migrate().await.map_err(|e| DbError::Migrate {
            url: shown,
            source: e.into(),
        })?;
        Ok(db)
    }

    async fn migrate(&self) -> Result<(), sqlx::Error> {
        match self {
            ConsoleDb::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            ConsoleDb::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    pub fn kind(&self) -> DbKind {
        match self {
            ConsoleDb::Sqlite(_) => DbKind::Sqlite,
            ConsoleDb::Postgres(_) => DbKind::Postgres,
        }
    }

    /// A round trip to the database, for `/readyz`.
    pub async fn ping(&self) -> Result<(), DbError> {
        match self {
            ConsoleDb::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop)?,
            ConsoleDb::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop)?,
        };
        Ok(())
    }

    /// Latest applied migration version.
    pub async fn schema_version(&self) -> Result<i64, DbError> {
        let sql = "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success";
        let v: i64 = match self {
            ConsoleDb::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
            ConsoleDb::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
        };
        Ok(v)
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>, DbError> {
        let v = match self {
            ConsoleDb::Sqlite(pool) => {
                sqlx::query_scalar("SELECT value FROM console_settings WHERE key = ?")
                    .bind(key)
                    .fetch_optional(pool)
                    .await?
            }
            ConsoleDb::Postgres(pool) => {
                sqlx::query_scalar("SELECT value FROM console_settings WHERE key = $1")
                    .bind(key)
                    .fetch_optional(pool)
                    .await?
            }
        };
        Ok(v)
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<(), DbError> {
        let sql_sqlite = "INSERT INTO console_settings (key, value, updated_at) VALUES (?, ?, CURRENT_TIMESTAMP) \
                          ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";
        let sql_pg = "INSERT INTO console_settings (key, value, updated_at) VALUES ($1, $2, now()) \
                      ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";
        match self {
            ConsoleDb::Sqlite(pool) => sqlx::query(sql_sqlite)
                .bind(key)
                .bind(value)
                .execute(pool)
                .await
                .map(drop)?,
            ConsoleDb::Postgres(pool) => sqlx::query(sql_pg)
                .bind(key)
                .bind(value)
                .execute(pool)
                .await
                .map(drop)?,
        };
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            ConsoleDb::Sqlite(pool) => pool.close().await,
            ConsoleDb::Postgres(pool) => pool.close().await,
        }
    }
}

/// Why the console database could not be opened or migrated, in the operator's terms.
#[derive(Debug, thiserror::Error)]
pub enum OpenCause {
    #[error("{0}")]
    Unsupported(String),
    #[error("no connection within {}s (is the server reachable?)", CONNECT_TIMEOUT.as_secs())]
    PoolTimedOut,
    #[error(transparent)]
    Io(std::io::Error),
    /// The server's own message; the error keeps its code and details.
    #[error("{}", .0.message())]
    Database(Box<dyn sqlx::error::DatabaseError>),
    #[error(transparent)]
    Other(sqlx::Error),
}

impl From<sqlx::Error> for OpenCause {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::PoolTimedOut => OpenCause::PoolTimedOut,
            sqlx::Error::Io(io) => OpenCause::Io(io),
            sqlx::Error::Database(db) => OpenCause::Database(db),
            other => OpenCause::Other(other),
        }
    }
}

/// Replaces the password in a URL with `***`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}
