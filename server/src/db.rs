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

/// Query or connection-string keys holding a secret: any key containing one of these, in any
/// case (`password`, `sslpassword`, `PASSWORD`, `client_secret`, `access_token`, ...).
const SECRET_KEY_PARTS: [&str; 7] = [
    "password", "passwd", "pwd", "secret", "token", "api_key", "apikey",
];

/// The text of a URL (or a libpq `key=value` string) as it may be shown: the userinfo password
/// and every secret-named parameter (`SECRET_KEY_PARTS`) replaced with `***`. Text with nothing
/// to hide comes back unchanged.
pub fn redact_url(text: &str) -> String {
    match url::Url::parse(text) {
        Ok(parsed) if userinfo_ends_at_last_at(&parsed) => redact_parsed(text, parsed),
        _ => redact_by_hand(text),
    }
}

/// Whether the parser's userinfo ends at the text's last `@`. A password holding `/`, `?` or
/// `#` ends the authority early for the parser (`u:12/x@h` is host `u`, port 12, path
/// `/x@h`); such text is redacted by hand.
fn userinfo_ends_at_last_at(parsed: &url::Url) -> bool {
    let after_authority = [Some(parsed.path()), parsed.query(), parsed.fragment()];
    !after_authority
        .iter()
        .flatten()
        .any(|part| part.contains('@'))
}

fn redact_parsed(text: &str, mut parsed: url::Url) -> String {
    let mut changed = false;
    if parsed.password().is_some() {
        if parsed.set_password(Some("***")).is_err() {
            return redact_by_hand(text);
        }
        changed = true;
    }
    if let Some(query) = parsed.query() {
        let masked = mask_secret_values(query, &['&', ';']);
        if masked != query {
            parsed.set_query(Some(&masked));
            changed = true;
        }
    }
    if changed {
        parsed.to_string()
    } else {
        text.to_string()
    }
}

/// For what the URL parser refuses (a port that is not a number, a password with `/`, a
/// libpq keyword string): the userinfo ends at the last `@`, since a password may hold `@`,
/// `/`, `?` or `#`. An `@` later in the path or query hides more than needed, never less.
fn redact_by_hand(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return mask_secret_values(text, &[' ', '\t', '\r', '\n', '&', ';']);
    };
    let mut out = format!("{scheme}://");
    let after_userinfo = match rest.rsplit_once('@') {
        Some((userinfo, after)) => {
            match userinfo.split_once(':') {
                Some((user, _)) => {
                    out.push_str(user);
                    out.push_str(":***@");
                }
                None => {
                    out.push_str(userinfo);
                    out.push('@');
                }
            }
            after
        }
        None => rest,
    };
    match after_userinfo.split_once('?') {
        Some((host_and_path, query)) => {
            out.push_str(host_and_path);
            out.push('?');
            out.push_str(&mask_secret_values(query, &['&', ';']));
        }
        None => out.push_str(after_userinfo),
    }
    out
}

/// `key=value` items between `separators`, each value under a secret-named key replaced with
/// `***`. A value may be single-quoted (libpq: `password='a b'`). Every slice is cut where a
/// `find` on characters stopped, so always on a character boundary.
fn mask_secret_values(text: &str, separators: &[char]) -> String {
    let is_separator = |c: char| separators.contains(&c);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let item = rest.find(|c: char| !is_separator(c)).unwrap_or(rest.len());
        out.push_str(&rest[..item]);
        rest = &rest[item..];
        let key_end = rest
            .find(|c: char| c == '=' || is_separator(c))
            .unwrap_or(rest.len());
        let key = &rest[..key_end];
        out.push_str(key);
        rest = &rest[key_end..];
        let Some(value) = rest.strip_prefix('=') else {
            continue;
        };
        let value_end = if value.starts_with('\'') {
            quoted_len(value)
        } else {
            value.find(is_separator).unwrap_or(value.len())
        };
        out.push('=');
        if is_secret_key(key) {
            out.push_str("***");
        } else {
            out.push_str(&value[..value_end]);
        }
        rest = &value[value_end..];
    }
    out
}

/// Length in bytes of a single-quoted value with its quotes (`\'` escapes a quote); all of
/// `value` when the closing quote is missing.
fn quoted_len(value: &str) -> usize {
    let mut escaped = false;
    for (i, c) in value.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '\'' => return i + c.len_utf8(),
            _ => {}
        }
    }
    value.len()
}

fn is_secret_key(key: &str) -> bool {
    // Keys may be percent-encoded (`pass%77ord`); form decoding undoes that.
    let decoded: String = url::form_urlencoded::parse(key.as_bytes())
        .map(|(k, _)| k.into_owned())
        .collect();
    let lower = decoded.trim().to_ascii_lowercase();
    SECRET_KEY_PARTS.iter().any(|part| lower.contains(part))
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    fn assert_hidden(url: &str, secrets: &[&str], shown: &[&str]) {
        let out = redact_url(url);
        for s in secrets {
            assert!(!out.contains(s), "{url} → {out} shows {s}");
        }
        for s in shown {
            assert!(out.contains(s), "{url} → {out} lost {s}");
        }
    }

    #[test]
    fn the_userinfo_password_ends_at_the_last_at_sign() {
        assert_eq!(
            redact_url("postgres://u:p@ss@h/db"),
            "postgres://u:***@h/db"
        );
        assert_hidden(
            "postgres://u:p@ss@h:5432/db",
            &["p@ss", "ss@"],
            &["u:***@h:5432/db"],
        );
        assert_hidden(
            "postgresql://u:p/ss?x#y@h/db",
            &["p/ss", "x#y"],
            &["***", "h/db"],
        );
        assert_eq!(
            redact_url("postgres://fc:s3cret@db:5432/console"),
            "postgres://fc:***@db:5432/console"
        );
        assert_eq!(
            redact_url("redis://:hunter2@cache:6379"),
            "redis://:***@cache:6379"
        );
    }

    #[test]
    fn password_like_query_parameters_are_masked() {
        assert_hidden(
            "postgres://h/db?user=u&password=pw1&sslmode=require",
            &["pw1"],
            &["password=***", "user=u", "sslmode=require"],
        );
        assert_hidden(
            "postgresql://u@h/db?sslpassword=pw2&PASSWORD=pw3&Token=pw4",
            &["pw2", "pw3", "pw4"],
            &["sslpassword=***", "u@h/db"],
        );
        assert_hidden(
            "http://reg:6572/api/v1?api_key=pw5&pwd=pw6&passwd=pw7&client_secret=pw8",
            &["pw5", "pw6", "pw7", "pw8"],
            &["reg:6572"],
        );
        // sqlx's `postgres:///db?host=/socket` form has no host: the query is masked all the same.
        assert_hidden(
            "postgres:///db?host=/run/pg&password=pw9",
            &["pw9"],
            &["host=/run/pg"],
        );
    }

    #[test]
    fn what_the_url_parser_refuses_is_still_redacted() {
        // Not a port, and a space: the `url` crate refuses both.
        assert_hidden("postgres://u:pw1@h:port/db", &["pw1"], &["u:***@h:port/db"]);
        assert_hidden(
            "postgres://u:p w2@h/db?password=pw3",
            &["p w2", "pw3"],
            &["u:***@h/db"],
        );
        assert_hidden(
            "host=h user=u password=pw4 dbname=d",
            &["pw4"],
            &["host=h", "dbname=d"],
        );
    }

    #[test]
    fn urls_without_secrets_are_unchanged() {
        for url in [
            "postgres://u@h/db",
            "http://reg:6572",
            "http://reg:6572/api/v1?project=a",
            "sqlite:///tmp/a.db",
            "/data/registry.db",
        ] {
            assert_eq!(redact_url(url), url);
        }
    }
}
