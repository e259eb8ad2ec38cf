//! The registry settings of a Feast `feature_store.yaml`.
//!
//! Feast reads the file with `yaml.safe_load(os.path.expandvars(text))`: `$VAR` and `${VAR}`
//! are replaced when the variable exists and left as they are otherwise. [`expand_vars`] does
//! the same, so a yaml that works for Feast works here.

use std::path::Path;

use std::path::PathBuf;

use super::source::{is_name, parse_entry, parse_source, RegistrySource, SourceError, SourceKind};

/// [`parse_entry`], plus `[NAME=]path/to/feature_store.yaml`, which is read (I/O) for its
/// registry settings.
pub fn resolve_entry(entry: &str, base: &Path) -> Result<RegistrySource, SourceError> {
    let trimmed = entry.trim();
    let (name, rest) = match trimmed.split_once('=') {
        Some((n, s)) if is_name(n) => (Some(n), s.trim()),
        _ => (None, trimmed),
    };
    if rest.ends_with(".yaml") || rest.ends_with(".yml") {
        let mut source = registry_from_yaml(&base.join(rest))?;
        if let Some(n) = name {
            source.name = n.to_string();
        }
        return Ok(source);
    }
    parse_entry(entry, base)
}

/// Reads the registry of a `feature_store.yaml`. Relative paths are relative to its folder,
/// as Feast resolves them against the repository.
pub fn registry_from_yaml(path: &Path) -> Result<RegistrySource, SourceError> {
    let text = std::fs::read_to_string(path).map_err(|source| SourceError::ReadYaml {
        path: PathBuf::from(path),
        source,
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut source = parse_registry_yaml(&expand_vars(&text, |v| std::env::var(v).ok()), base)
        .map_err(|e| SourceError::InYaml {
            path: PathBuf::from(path),
            source: Box::new(e),
        })?;
    if source.name.is_empty() {
        source.name = path
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
    }
    Ok(source)
}

/// Pure part of [`registry_from_yaml`]: the name is the yaml's `project`.
pub fn parse_registry_yaml(text: &str, base: &Path) -> Result<RegistrySource, SourceError> {
    let doc: serde_norway::Value = serde_norway::from_str(text).map_err(SourceError::Yaml)?;
    let project = doc
        .get("project")
        .and_then(|p| p.as_str())
        .unwrap_or_default()
        .to_string();
    let registry = doc.get("registry").ok_or(SourceError::NoRegistry)?;
    let (registry_type, path) = match registry {
        serde_norway::Value::String(path) => ("file".to_string(), path.clone()),
        serde_norway::Value::Mapping(_) => {
            let path = registry
                .get("path")
                .and_then(|p| p.as_str())
                .ok_or(SourceError::NoRegistryPath)?;
            let kind = registry
                .get("registry_type")
                .and_then(|t| t.as_str())
                .unwrap_or("file");
            (kind.to_string(), path.to_string())
        }
        _ => return Err(SourceError::RegistryShape),
    };
    let kind = match registry_type.as_str() {
        "file" => match parse_source(&path, base)? {
            // A file registry path is always a file, even if it looks like a URL to us.
            k @ SourceKind::File(_) => k,
            other => return Err(SourceError::FileTypeNotFile(other)),
        },
        "sql" => match parse_source(&path, base)? {
            k @ (SourceKind::Sqlite(_) | SourceKind::Postgres(_)) => k,
            _ => return Err(SourceError::SqlTypeNotSql(path)),
        },
        "remote" => return Err(SourceError::Remote(path)),
        other => return Err(SourceError::UnsupportedType(other.to_string())),
    };
    Ok(RegistrySource {
        name: project,
        kind,
        token: None,
    })
}

/// `os.path.expandvars` for POSIX: `$NAME` and `${NAME}` with NAME = `[A-Za-z0-9_]+`; unknown
/// variables and malformed references stay as written.
pub fn expand_vars(text: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, consumed) = if let Some(braced) = after.strip_prefix('{') {
            match braced.find('}') {
                Some(end) => (&braced[..end], end + 2),
                None => ("", 0),
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], end)
        };
        let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        match valid.then(|| lookup(name)).flatten() {
            Some(value) => {
                out.push_str(&value);
                rest = &after[consumed..];
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "PG_PASSWORD" => Some("s3cret".into()),
            "HOST" => Some("db".into()),
            _ => None,
        }
    }

    #[test]
    fn expands_like_python_expandvars() {
        assert_eq!(
            expand_vars("a ${PG_PASSWORD} b $HOST/x", env),
            "a s3cret b db/x"
        );
        assert_eq!(
            expand_vars("$MISSING ${MISSING} $ ${ x", env),
            "$MISSING ${MISSING} $ ${ x"
        );
        assert_eq!(expand_vars("${HOST}${HOST}", env), "dbdb");
    }

    #[test]
    fn sql_file_and_string_registries() {
        let base = Path::new("/repo");
        let yaml = "project: driver_ranking\nregistry:\n  registry_type: sql\n  path: postgresql+psycopg://u:p@h:5432/feast\n";
        let s = parse_registry_yaml(yaml, base).unwrap();
        assert_eq!(s.name, "driver_ranking");
        assert_eq!(
            s.kind,
            SourceKind::Postgres("postgres://u:p@h:5432/feast".into())
        );
        let s = parse_registry_yaml("project: p\nregistry: data/registry.db\n", base).unwrap();
        assert_eq!(s.kind, SourceKind::File("/repo/data/registry.db".into()));
        let s =
            parse_registry_yaml("project: p\nregistry:\n  path: data/registry.db\n", base).unwrap();
        assert_eq!(s.kind, SourceKind::File("/repo/data/registry.db".into()));
    }

    #[test]
    fn clear_errors() {
        let base = Path::new("/repo");
        assert!(parse_registry_yaml("project: p\n", base)
            .unwrap_err()
            .to_string()
            .contains("no `registry`"));
        assert!(
            parse_registry_yaml("registry:\n  registry_type: remote\n  path: h:6570\n", base)
                .unwrap_err()
                .to_string()
                .contains("REST")
        );
        assert!(parse_registry_yaml("registry: [", base)
            .unwrap_err()
            .to_string()
            .contains("YAML"));
        assert!(
            parse_registry_yaml("registry:\n  registry_type: sql\n  path: data/r.db\n", base)
                .unwrap_err()
                .to_string()
                .contains("sqlite")
        );
    }
}
