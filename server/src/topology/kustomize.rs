//! Kustomize folders in a manifests source. No well-kept Rust crate renders kustomizations
//! exactly as `kustomize build` does (patches, generators, components, remote bases), so the
//! console does not render them: it says so once per kustomization, reads the plain manifests
//! of the folder as they are, and checks what each kustomization lists under `resources`
//! (and `components`): relative paths, inside the folder being checked, that exist.

use std::path::{Component, Path, PathBuf};

use app::topology::snapshot::{ClusterSnapshot, SourceError};
use serde_json::Value;

/// Kustomize's own file names for a kustomization.
const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
/// A kustomization is small; anything bigger is not one worth reading.
const MAX_KUSTOMIZATION_BYTES: u64 = 1024 * 1024;
/// Entries per list checked, so a generated file cannot make the check run long.
const MAX_ENTRIES: usize = 10_000;

pub const NOT_RENDERED: &str = "kustomization not rendered (no Rust crate renders kustomizations exactly); the folder's manifests are checked as written, without its patches, generators or name prefixes";

pub fn is_kustomization_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| KUSTOMIZATION_FILES.contains(&n))
}

/// A document that is a kustomization (`kind: Kustomization` or `Component` of
/// kustomize.config.k8s.io), wherever it was found.
pub fn is_kustomization(value: &Value) -> bool {
    let api_version = value
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    api_version.starts_with("kustomize.config.k8s.io/")
        && matches!(
            value.get("kind").and_then(Value::as_str),
            Some("Kustomization" | "Component")
        )
}

fn problem(location: &str, message: String) -> SourceError {
    SourceError {
        location: location.to_string(),
        message,
    }
}

/// Notes the kustomization is not rendered and checks the entries it lists. `root`: the path
/// the user asked to check (a listed resource outside it is not part of the check). Returns
/// the patch files it names: partial objects, not to be read as manifests.
pub fn check(file: &Path, root: &Path, snapshot: &mut ClusterSnapshot) -> Vec<PathBuf> {
    let location = file.display().to_string();
    let text = match std::fs::metadata(file) {
        Ok(m) if m.len() > MAX_KUSTOMIZATION_BYTES => {
            snapshot.errors.push(problem(
                &location,
                format!("kustomization larger than {MAX_KUSTOMIZATION_BYTES} bytes; skipped"),
            ));
            return Vec::new();
        }
        _ => match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                snapshot
                    .errors
                    .push(problem(&location, format!("cannot read: {e}")));
                return Vec::new();
            }
        },
    };
    let value: Value = match serde_norway::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            snapshot
                .errors
                .push(problem(&location, format!("malformed kustomization: {e}")));
            return Vec::new();
        }
    };
    snapshot
        .notes
        .push(problem(&location, NOT_RENDERED.to_string()));
    let folder = file.parent().unwrap_or(Path::new("."));
    let root = if root.is_file() {
        root.parent().unwrap_or(Path::new("."))
    } else {
        root
    };
    for list in ["resources", "components"] {
        let entries = value.get(list).and_then(Value::as_array);
        for entry in entries.into_iter().flatten().take(MAX_ENTRIES) {
            let Some(entry) = entry.as_str() else {
                snapshot.errors.push(problem(
                    &location,
                    format!("{list}: an entry is not a string"),
                ));
                continue;
            };
            if let Some(message) = entry_problem(folder, root, entry) {
                snapshot
                    .errors
                    .push(problem(&location, format!("{list}: {entry}: {message}")));
            }
        }
    }
    patch_files(&value)
        .into_iter()
        .map(|p| normalize(&folder.join(p)))
        .collect()
}

/// The files a kustomization applies as patches (`patches[].path`, `patchesStrategicMerge`,
/// `patchesJson6902[].path`).
fn patch_files(kustomization: &Value) -> Vec<String> {
    let list = |key: &str| {
        kustomization
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let paths = list("patches")
        .into_iter()
        .chain(list("patchesJson6902"))
        .filter_map(|p| p.get("path").and_then(Value::as_str).map(str::to_string));
    let merges = list("patchesStrategicMerge")
        .into_iter()
        .filter_map(|p| p.as_str().map(str::to_string))
        // An inline patch is YAML text, not a path.
        .filter(|p| !p.contains('\n'));
    paths.chain(merges).take(MAX_ENTRIES).collect()
}

/// Whether `file` is one of the patch files the kustomizations named.
pub fn is_patch(file: &Path, patches: &[PathBuf]) -> bool {
    let file = normalize(file);
    patches.iter().any(|p| *p == file)
}

/// Why a listed entry is not a file or folder inside the checked folder, if it is not.
fn entry_problem(folder: &Path, root: &Path, entry: &str) -> Option<String> {
    if entry.contains("://") || entry.starts_with("git@") || entry.starts_with("github.com/") {
        return Some("a remote resource; the console reads local files only".to_string());
    }
    let path = Path::new(entry);
    if path.is_absolute() {
        return Some(
            "an absolute path; kustomize takes paths relative to the kustomization".to_string(),
        );
    }
    let resolved = normalize(&folder.join(path));
    if !resolved.starts_with(normalize(root)) {
        return Some(format!(
            "outside the folder checked ({}), so its objects are not checked",
            root.display()
        ));
    }
    if !resolved.exists() {
        return Some("does not exist (kustomize build would fail)".to_string());
    }
    None
}

/// `a/b/../c` → `a/c`, without touching the file system (symlinks are not followed anyway).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_relative_inside_and_present() {
        let dir = std::env::temp_dir().join(format!("fc-kustomize-{}", std::process::id()));
        let overlay = dir.join("overlays/prod");
        let _ = std::fs::create_dir_all(&overlay);
        let _ = std::fs::create_dir_all(dir.join("base"));
        assert_eq!(entry_problem(&overlay, &dir, "../../base"), None);
        assert!(entry_problem(&overlay, &dir, "../../../etc")
            .is_some_and(|m| m.starts_with("outside the folder")));
        assert!(entry_problem(&overlay, &dir, "/etc/passwd")
            .is_some_and(|m| m.starts_with("an absolute path")));
        assert!(entry_problem(&overlay, &dir, "missing.yaml")
            .is_some_and(|m| m.starts_with("does not exist")));
        assert!(
            entry_problem(&overlay, &dir, "https://github.com/x/y//base")
                .is_some_and(|m| m.starts_with("a remote resource"))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
