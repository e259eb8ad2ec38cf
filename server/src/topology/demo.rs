//! The bundled demo manifests (`server/demo/manifests/`), shown when no manifests folder is
//! configured. Classification is cluster-wide, so the demo shows one class folder: the shared
//! registry Enterprise setup, the richest picture of the guide's topologies.

use std::path::{Path, PathBuf};

const DEMO: &str = "demo/manifests/enterprise-shared";

/// The configured paths, or the demo folder when none are configured (looked up from the
/// current folder and from where this crate was built; empty when neither has it).
pub fn manifest_paths(configured: &[PathBuf]) -> Vec<PathBuf> {
    if !configured.is_empty() {
        return configured.to_vec();
    }
    let relative = Path::new("server").join(DEMO);
    let candidates = [
        std::env::current_dir()
            .map(|d| d.join(&relative))
            .unwrap_or(relative),
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(DEMO),
    ];
    candidates
        .into_iter()
        .filter(|p| p.is_dir())
        .take(1)
        .collect()
}
