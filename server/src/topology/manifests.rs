//! Manifests source: a folder (or files) of YAML or JSON, as in a GitOps repository, read into a
//! [`ClusterSnapshot`]. Every problem becomes a [`SourceError`] naming the file and document;
//! the rest is still read. Secrets are skipped without reading their values. Each FeatureStore
//! is checked against the bundled CRD ([`Admitter`]); kustomizations are recognised
//! ([`super::kustomize`]).

use std::path::{Path, PathBuf};

use app::topology::objects::KubeObject;
use app::topology::snapshot::{ClusterSnapshot, SourceError};
use serde::Deserialize;
use serde_json::Value;

use super::crd_admission::Admitter;
use super::kustomize;

/// Largest file read; manifests are small, and a runaway file should not exhaust memory.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// Bound on documents per file, so no parser state can make reading loop forever.
const MAX_DOCUMENTS: usize = 100_000;

/// Reads every path (a file, or a folder searched recursively) into one snapshot.
pub fn load_paths(paths: &[PathBuf]) -> ClusterSnapshot {
    load_paths_against(paths, None)
}

/// Like [`load_paths`], checking FeatureStores against `admitter`'s CRD (None: the bundled one).
pub fn load_paths_against(paths: &[PathBuf], admitter: Option<Admitter>) -> ClusterSnapshot {
    let mut reading = Reading::new(ClusterSnapshot::default(), admitter);
    for path in paths {
        let mut files = Vec::new();
        collect_files(path, true, &mut files, &mut reading.snapshot.errors);
        let (kustomizations, manifests): (Vec<PathBuf>, Vec<PathBuf>) = files
            .into_iter()
            .partition(|f| kustomize::is_kustomization_file(f));
        let mut patches = Vec::new();
        for file in kustomizations {
            patches.extend(kustomize::check(&file, path, &mut reading.snapshot));
        }
        for file in manifests {
            if kustomize::is_patch(&file, &patches) {
                reading.snapshot.notes.push(error(
                    file.display().to_string(),
                    "a kustomize patch (partial object); not read as a manifest",
                ));
            } else {
                reading.file(&file);
            }
        }
    }
    reading.snapshot.sort();
    reading.snapshot
}

/// Reads manifests from text; `file` names them in errors.
pub fn load_text(file: &str, text: &str, json: bool, snapshot: &mut ClusterSnapshot) {
    let mut reading = Reading::new(std::mem::take(snapshot), None);
    reading.text(file, text, json);
    *snapshot = reading.snapshot;
}

/// One read of manifests: the snapshot being built and the CRD its FeatureStores are checked
/// against.
struct Reading {
    snapshot: ClusterSnapshot,
    admitter: Option<Admitter>,
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
    ) || kustomize::is_kustomization_file(path)
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

impl Reading {
    fn new(snapshot: ClusterSnapshot, admitter: Option<Admitter>) -> Reading {
        let admitter = admitter.or_else(Admitter::bundled);
        let mut snapshot = snapshot;
        if admitter.is_none() {
            snapshot.errors.push(error(
                "FeatureStore CRD",
                "the bundled CRD cannot be read; FeatureStores are not checked against it",
            ));
        }
        Reading { snapshot, admitter }
    }

    /// Reads one file: every document in it, each to the snapshot or to an error.
    fn file(&mut self, path: &Path) {
        let snapshot = &mut self.snapshot;
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
        self.text(&name, &text, json);
    }

    fn text(&mut self, file: &str, text: &str, json: bool) {
        let documents = if json {
            json_documents(file, text, &mut self.snapshot.errors)
        } else {
            yaml_documents(file, text, &mut self.snapshot.errors)
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
                        self.object(&format!("{location} item {}", i + 1), item.clone());
                    }
                    continue;
                }
            }
            if kustomize::is_kustomization(&value) {
                self.snapshot
                    .notes
                    .push(error(location, kustomize::NOT_RENDERED));
                continue;
            }
            self.object(&location, value);
        }
    }

    fn object(&mut self, location: &str, value: Value) {
        if value.is_null() {
            return;
        }
        if let Some(admitter) = self
            .admitter
            .as_mut()
            .filter(|a| a.is_custom_resource(&value))
        {
            admitter.admit(location, &value, &mut self.snapshot);
        }
        match KubeObject::from_value(value) {
            Ok(Some(object)) => self.snapshot.push(object),
            Ok(None) => {}
            Err(e) => self.snapshot.errors.push(error(location, e.to_string())),
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
