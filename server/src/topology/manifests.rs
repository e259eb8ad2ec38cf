//! Manifests source: a folder (or files) of YAML or JSON, as in a GitOps repository, read into a
//! [`ClusterSnapshot`]. Every problem becomes a [`SourceError`] naming the file and document;
//! the rest is still read. Secrets are skipped without reading their values.

use std::path::{Path, PathBuf};

use app::topology::objects::KubeObject;
use app::topology::snapshot::{ClusterSnapshot, SourceError};
use serde::Deserialize;
use serde_json::Value;

use super::schema::unknown_fields;

/// Largest file read; manifests are small, and a runaway file should not exhaust memory.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// Bound on documents per file, so no parser state can make reading loop forever.
const MAX_DOCUMENTS: usize = 100_000;

/// Reads every path (a file, or a folder searched recursively) into one snapshot.
pub fn load_paths(paths: &[PathBuf]) -> ClusterSnapshot {
    let mut snapshot = ClusterSnapshot::default();
    for path in paths {
        let mut files = Vec::new();
        collect_files(path, true, &mut files, &mut snapshot.errors);
        for file in files {
            load_file(&file, &mut snapshot);
        }
    }
    snapshot.sort();
    snapshot
}

fn error(location: impl Into<String>, message: impl Into<String>) -> SourceError {
    SourceError {
        location: location.into(),
        message: message.into(),
    }
}

fn is_manifest(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

fn collect_files(
    path: &Path,
    explicit: bool,
    out: &mut Vec<PathBuf>,
    errors: &mut Vec<SourceError>,
) {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            return errors.push(error(
                path.display().to_string(),
                format!("cannot read: {e}"),
            ))
        }
    };
    if meta.is_file() {
        // A file named on the command line is read whatever its extension.
        if explicit || is_manifest(path) {
            out.push(path.to_path_buf());
        }
        return;
    }
    if !meta.is_dir() {
        return;
    }
    let entries = match std::fs::read_dir(path) {
        Ok(e) => e,
        Err(e) => {
            return errors.push(error(
                path.display().to_string(),
                format!("cannot list folder: {e}"),
            ))
        }
    };
    let mut children: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    children.sort();
    for child in children {
        // Hidden entries (.git, editor files) are never manifests; symlinks are not followed,
        // so a link loop cannot recurse forever.
        let hidden = child
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        let link = std::fs::symlink_metadata(&child)
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(true);
        if !hidden && !link {
            collect_files(&child, false, out, errors);
        }
    }
}

/// Reads one file: every document in it, each to the snapshot or to an error.
pub fn load_file(path: &Path, snapshot: &mut ClusterSnapshot) {
    let name = path.display().to_string();
    match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_FILE_BYTES => {
            return snapshot.errors.push(error(
                &name,
                format!("larger than {MAX_FILE_BYTES} bytes; skipped"),
            ));
        }
        Err(e) => {
            return snapshot
                .errors
                .push(error(&name, format!("cannot read: {e}")))
        }
        Ok(_) => {}
    }
    let text = match std::fs::read(path).map(String::from_utf8) {
        Ok(Ok(t)) => t,
        Ok(Err(_)) => return snapshot.errors.push(error(&name, "not UTF-8 text")),
        Err(e) => {
            return snapshot
                .errors
                .push(error(&name, format!("cannot read: {e}")))
        }
    };
    let json = path.extension().and_then(|e| e.to_str()) == Some("json");
    load_text(&name, &text, json, snapshot);
}

/// Reads manifests from text; `file` names them in errors.
pub fn load_text(file: &str, text: &str, json: bool, snapshot: &mut ClusterSnapshot) {
    let documents = if json {
        json_documents(file, text, &mut snapshot.errors)
    } else {
        yaml_documents(file, text, &mut snapshot.errors)
    };
    for (index, value) in documents {
        let location = format!("{file}#{index}");
        // `kubectl get -o yaml` wraps objects in a List.
        if value
            .get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k.ends_with("List"))
        {
            if let Some(items) = value.get("items").and_then(Value::as_array) {
                for (i, item) in items.iter().enumerate() {
                    read_object(
                        &format!("{location} item {}", i + 1),
                        item.clone(),
                        snapshot,
                    );
                }
                continue;
            }
        }
        read_object(&location, value, snapshot);
    }
}

fn read_object(location: &str, value: Value, snapshot: &mut ClusterSnapshot) {
    if value.is_null() {
        return;
    }
    report_unknown_fields(location, &value, &mut snapshot.errors);
    match KubeObject::from_value(value) {
        Ok(Some(object)) => snapshot.push(object),
        Ok(None) => {}
        Err(e) => snapshot.errors.push(error(location, e.to_string())),
    }
}

fn report_unknown_fields(location: &str, value: &Value, errors: &mut Vec<SourceError>) {
    let api_version = value
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some(version) = api_version.strip_prefix("feast.dev/") else {
        return;
    };
    if value.get("kind").and_then(Value::as_str) != Some("FeatureStore") {
        return;
    }
    let name = value
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("<unnamed>");
    match unknown_fields(value, version) {
        None => errors.push(error(location, format!("FeatureStore {name}: apiVersion {api_version} is not served by the operator (v1, v1alpha1); read as v1"))),
        Some(unknown) => {
            for field in unknown {
                errors.push(error(location, format!("FeatureStore {name}: unknown field {field} (not in the {api_version} CRD; the API server would drop it)")));
            }
        }
    }
}

fn json_documents(file: &str, text: &str, errors: &mut Vec<SourceError>) -> Vec<(usize, Value)> {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => vec![(1, v)],
        Err(e) => {
            errors.push(error(
                format!("{file}#1"),
                format!(
                    "malformed JSON at line {} column {}: {e}",
                    e.line(),
                    e.column()
                ),
            ));
            Vec::new()
        }
    }
}

/// Every YAML document as JSON, up to the first one that fails. The parser cannot resync
/// after an error: it goes on from the middle of the broken node, yielding made-up documents
/// (`x: [*missing, y]` gave a document `"y"`) and at last panics on an unbalanced end
/// (found by fuzzing). So the documents before the error are kept and the rest is not read.
fn yaml_documents(file: &str, text: &str, errors: &mut Vec<SourceError>) -> Vec<(usize, Value)> {
    let mut out = Vec::new();
    for (i, document) in serde_norway::Deserializer::from_str(text)
        .enumerate()
        .take(MAX_DOCUMENTS)
    {
        let index = i + 1;
        match Value::deserialize(document) {
            Ok(v) => out.push((index, v)),
            Err(e) => {
                let at = e
                    .location()
                    .map(|l| format!(" at line {} column {}", l.line(), l.column()))
                    .unwrap_or_default();
                errors.push(error(
                    format!("{file}#{index}"),
                    format!("malformed YAML{at}: {e}; the rest of the file is not read"),
                ));
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the manifest fuzzer (server/tests/fuzz/manifests.rs): after an unknown anchor
    /// the YAML reader made up a document, then panicked on an unbalanced sequence end.
    #[test]
    fn reading_stops_at_the_first_broken_document() {
        let text = "apiVersion: v1\nkind: Service\nmetadata: {name: before, namespace: ns}\n\
                    ---\nx: [*missing, *missing]\n---\napiVersion: v1\nkind: Service\n\
                    metadata: {name: after, namespace: ns}\n";
        let mut snapshot = ClusterSnapshot::default();
        load_text("broken.yaml", text, false, &mut snapshot);
        assert_eq!(snapshot.errors.len(), 1, "{:?}", snapshot.errors);
        assert_eq!(snapshot.errors[0].location, "broken.yaml#2");
        assert!(
            snapshot.errors[0].message.contains("unknown anchor"),
            "{:?}",
            snapshot.errors
        );
        let names: Vec<_> = snapshot
            .services
            .iter()
            .map(|s| s.metadata.name.as_str())
            .collect();
        assert_eq!(names, ["before"]);
    }
}
