//! What a registry source string means: `[NAME=]SOURCE` as a Feast user would paste it from
//! `feature_store.yaml`. Pure parsing; opening the source is elsewhere.

use std::path::{Path, PathBuf};

/// Where a registry is read from. `Debug` redacts the URLs' passwords.
#[derive(Clone, PartialEq, Eq)]
pub enum SourceKind {
    /// SQL registry on SQLite: the database file.
    Sqlite(PathBuf),
    /// SQL registry on PostgreSQL: a `postgres://` URL sqlx accepts.
    Postgres(String),
    /// File registry: a serialized `feast.core.Registry` (`registry.db`).
    File(PathBuf),
    /// Registry server REST API: base URL ending in `/api/v1`.
    Rest(String),
}

/// One configured registry. `Debug` shows neither the token nor a URL's password.
#[derive(Clone, PartialEq, Eq)]
pub struct RegistrySource {
    /// Display name: given as `NAME=`, or derived from the source.
    pub name: String,
    pub kind: SourceKind,
    /// Bearer token for REST sources.
    pub token: Option<super::token::RegistryToken>,
}

// Sources end up in `{:?}` (error messages, tracing fields, test failures): written by hand so
// that a password or token never does.
impl std::fmt::Debug for SourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SourceKind::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
            SourceKind::Postgres(url) => f
                .debug_tuple("Postgres")
                .field(&crate::db::redact_url(url))
                .finish(),
            SourceKind::File(path) => f.debug_tuple("File").field(path).finish(),
            SourceKind::Rest(url) => f
                .debug_tuple("Rest")
                .field(&crate::db::redact_url(url))
                .finish(),
        }
    }
}

impl std::fmt::Debug for RegistrySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistrySource")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("token", &self.token)
            .finish()
    }
}

impl RegistrySource {
    /// The source for messages and the UI, with any password removed.
    pub fn display(&self) -> String {
        match &self.kind {
            SourceKind::Sqlite(p) => format!("sqlite:///{}", p.display()),
            SourceKind::Postgres(url) => crate::db::redact_url(url),
            SourceKind::File(p) => p.display().to_string(),
            SourceKind::Rest(url) => crate::db::redact_url(url),
        }
    }
}

/// Why a registry source (or the `feature_store.yaml` naming it) cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("empty registry source")]
    Empty,
    #[error("`{0}`: a SQLite registry is written sqlite:///PATH (three slashes)")]
    SqliteSlashes(String),
    /// The URL with its password removed.
    #[error("`{0}`: MySQL registries are not supported yet")]
    MySql(String),
    #[error("`{text}`: {scheme} file registries are not supported yet; copy registry.db locally")]
    ObjectStore { text: String, scheme: &'static str },
    /// The text with any password removed.
    #[error("`{0}` is not a registry source: use sqlite:///PATH, postgresql://..., http(s)://HOST:PORT, or a registry.db path")]
    Unknown(String),
    #[error("cannot read the current folder")]
    CurrentFolder(#[source] std::io::Error),
    #[error("cannot read {}", .path.display())]
    ReadYaml {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A problem inside the `feature_store.yaml` at `path`.
    #[error("{}", .path.display())]
    InYaml {
        path: PathBuf,
        #[source]
        source: Box<SourceError>,
    },
    #[error("not valid YAML")]
    Yaml(#[source] serde_norway::Error),
    #[error("no `registry` setting")]
    NoRegistry,
    #[error("`registry.path` is missing")]
    NoRegistryPath,
    #[error("`registry` must be a path or a mapping")]
    RegistryShape,
    #[error("registry_type file with a non-file path ({0:?})")]
    FileTypeNotFile(SourceKind),
    #[error("registry_type sql needs a sqlite:/// or postgresql:// path, not `{0}`")]
    SqlTypeNotSql(String),
    #[error("registry_type remote ({0}) is Feast's gRPC registry server; point the console at its REST API instead (feast serve_registry --rest-api, http://HOST:6572)")]
    Remote(String),
    #[error("registry_type `{0}` is not supported (file, sql)")]
    UnsupportedType(String),
}

/// Parses `[NAME=]SOURCE`. Relative paths are taken relative to `base` (the current folder,
/// or the folder of the `feature_store.yaml` they came from).
pub fn parse_entry(entry: &str, base: &Path) -> Result<RegistrySource, SourceError> {
    let entry = entry.trim();
    let (name, source) = match entry.split_once('=') {
        Some((n, s)) if is_name(n) => (Some(n.to_string()), s.trim()),
        _ => (None, entry),
    };
    if source.is_empty() {
        return Err(SourceError::Empty);
    }
    let kind = parse_source(source, base)?;
    let name = name.unwrap_or_else(|| default_name(&kind));
    Ok(RegistrySource {
        name,
        kind,
        token: None,
    })
}

pub(super) fn is_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
}

/// Parses a source string (no name).
pub fn parse_source(source: &str, base: &Path) -> Result<SourceKind, SourceError> {
    let lower = source.to_ascii_lowercase();
    if let Some(rest) = source.strip_prefix("sqlite:///") {
        // SQLAlchemy: `sqlite:///rel.db` is relative, `sqlite:////abs.db` absolute. People also
        // write `sqlite:///abs/path.db` meaning absolute; accept that when only it exists.
        let relative = base.join(rest);
        let absolute = Path::new("/").join(rest);
        let path = if rest.starts_with('/') || relative.exists() || !absolute.exists() {
            relative
        } else {
            absolute
        };
        return Ok(SourceKind::Sqlite(path));
    }
    if lower.starts_with("sqlite:") {
        return Err(SourceError::SqliteSlashes(source.to_string()));
    }
    for scheme in [
        "postgresql+psycopg2://",
        "postgresql+psycopg://",
        "postgresql://",
        "postgres://",
    ] {
        if lower.starts_with(scheme) {
            return Ok(SourceKind::Postgres(format!(
                "postgres://{}",
                &source[scheme.len()..]
            )));
        }
    }
    if lower.starts_with("mysql") {
        return Err(SourceError::MySql(crate::db::redact_url(source)));
    }
    if lower.starts_with("http://") || lower.starts_with("https://") {
        let trimmed = source.trim_end_matches('/');
        let base_url = if trimmed.ends_with("/api/v1") {
            trimmed.to_string()
        } else {
            format!("{trimmed}/api/v1")
        };
        return Ok(SourceKind::Rest(base_url));
    }
    if let Some(scheme) = ["s3://", "gs://", "az://", "abfs://"]
        .iter()
        .find(|s| lower.starts_with(*s))
    {
        return Err(SourceError::ObjectStore {
            text: source.to_string(),
            scheme: *scheme,
        });
    }
    let path = source.strip_prefix("file://").unwrap_or(source);
    if path.contains("://") {
        return Err(SourceError::Unknown(crate::db::redact_url(source)));
    }
    Ok(SourceKind::File(base.join(path)))
}

fn default_name(kind: &SourceKind) -> String {
    let stem = |p: &Path| {
        p.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "registry".into())
    };
    match kind {
        SourceKind::Sqlite(p) | SourceKind::File(p) => stem(p),
        SourceKind::Postgres(url) | SourceKind::Rest(url) => {
            let host = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
            let host = host.rsplit_once('@').map(|(_, h)| h).unwrap_or(host);
            host.split(['/', '?']).next().unwrap_or(host).to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> Result<SourceKind, String> {
        parse_source(s, Path::new("/repo")).map_err(|e| e.to_string())
    }

    #[test]
    fn every_spelling_feast_users_paste() {
        assert_eq!(
            kind("sqlite:////data/registry.db"),
            Ok(SourceKind::Sqlite("/data/registry.db".into()))
        );
        assert_eq!(
            kind("sqlite:///registry.db"),
            Ok(SourceKind::Sqlite("/repo/registry.db".into()))
        );
        for url in [
            "postgresql://u:p@h:5432/db",
            "postgresql+psycopg://u:p@h:5432/db",
            "postgresql+psycopg2://u:p@h:5432/db",
        ] {
            assert_eq!(
                kind(url),
                Ok(SourceKind::Postgres("postgres://u:p@h:5432/db".into()))
            );
        }
        assert_eq!(
            kind("http://reg:6572"),
            Ok(SourceKind::Rest("http://reg:6572/api/v1".into()))
        );
        assert_eq!(
            kind("https://reg/api/v1/"),
            Ok(SourceKind::Rest("https://reg/api/v1".into()))
        );
        assert_eq!(
            kind("data/registry.db"),
            Ok(SourceKind::File("/repo/data/registry.db".into()))
        );
        assert_eq!(
            kind("file:///abs/registry.db"),
            Ok(SourceKind::File("/abs/registry.db".into()))
        );
    }

    #[test]
    fn absolute_with_three_slashes_when_only_that_exists() {
        let tmp = std::env::temp_dir();
        let rest = tmp.join("fc-src-test.db");
        std::fs::write(&rest, b"").unwrap();
        let three = format!("sqlite://{}", rest.display()); // sqlite:///tmp/...
        assert_eq!(
            parse_source(&three, Path::new("/nonexistent")).map_err(|e| e.to_string()),
            Ok(SourceKind::Sqlite(rest.clone()))
        );
        let _ = std::fs::remove_file(rest);
    }

    #[test]
    fn unsupported_sources_are_named() {
        assert!(kind("mysql://u:secret@h/db").unwrap_err().contains("MySQL"));
        assert!(!kind("mysql://u:secret@h/db")
            .unwrap_err()
            .contains("secret"));
        assert!(kind("s3://bucket/registry.db")
            .unwrap_err()
            .contains("not supported"));
        assert!(kind("sqlite:registry.db")
            .unwrap_err()
            .contains("three slashes"));
        assert!(kind("ftp://x")
            .unwrap_err()
            .contains("not a registry source"));
    }

    #[test]
    fn names_are_given_or_derived() {
        let base = Path::new("/repo");
        assert_eq!(
            parse_entry("prod=postgresql://u:p@db.internal:5432/feast", base)
                .unwrap()
                .name,
            "prod"
        );
        assert_eq!(
            parse_entry("postgresql://u:p@db.internal:5432/feast", base)
                .unwrap()
                .name,
            "db.internal:5432"
        );
        assert_eq!(
            parse_entry("/x/registry.db", base).unwrap().name,
            "registry"
        );
        // `=` inside a URL is not a name separator.
        let s = parse_entry("postgresql://h/db?sslmode=require", base).unwrap();
        assert_eq!(
            s.kind,
            SourceKind::Postgres("postgres://h/db?sslmode=require".into())
        );
    }
}

#[cfg(test)]
mod debug_tests {
    use super::*;

    #[test]
    fn debug_never_prints_a_secret() {
        for (kind, secret) in [
            (
                SourceKind::Postgres("postgresql://reg:pw-456@db:5432/registry".into()),
                "pw-456",
            ),
            (
                SourceKind::Rest("http://reg:6572/api/v1?token=tok-789".into()),
                "tok-789",
            ),
        ] {
            let source = RegistrySource {
                name: "main".into(),
                kind,
                token: Some("bearer-123".into()),
            };
            let text = format!("{source:?} {:?} {source:#?}", source.kind);
            for s in [secret, "bearer-123"] {
                assert!(!text.contains(s), "{s} shown: {text}");
            }
            assert!(text.contains("main") && text.contains("***"), "{text}");
        }
    }
}
