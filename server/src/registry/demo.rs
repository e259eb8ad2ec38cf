//! The bundled demo registry (`server/demo/registry/`), used by `serve` when no registry is
//! configured so a first run shows real Feast data. Regenerate with
//! `scripts/make-registries.sh --update-demo`.

use std::path::{Path, PathBuf};

use super::{RegistrySource, SourceKind};

pub const DEMO_NAME: &str = "demo";

/// The demo SQLite registry, looked up from the current folder (a checkout) and from where
/// this crate was built; None when neither has it (an installed binary elsewhere).
pub fn demo_source() -> Option<RegistrySource> {
    let relative = Path::new("server/demo/registry/registry.sqlite");
    let candidates = [
        std::env::current_dir()
            .map(|d| d.join(relative))
            .unwrap_or_else(|_| relative.to_path_buf()),
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("demo/registry/registry.sqlite"),
    ];
    candidates
        .into_iter()
        .find(|p| p.is_file())
        .map(|path| RegistrySource {
            name: DEMO_NAME.to_string(),
            kind: SourceKind::Sqlite(path),
            token: None,
        })
}
