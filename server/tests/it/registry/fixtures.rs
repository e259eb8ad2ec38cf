//! Where the real-Feast fixtures are, and skipping politely when they are not built.

use std::path::PathBuf;

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The committed demo registry (always present).
pub fn demo_sqlite() -> PathBuf {
    workspace_root().join("server/demo/registry/registry.sqlite")
}

pub fn demo_file() -> PathBuf {
    workspace_root().join("server/demo/registry/registry.db")
}

/// `target/feast-fixtures/` as `scripts/make-registries.sh` writes it (FC_TEST_FEAST_FIXTURES
/// overrides). None, with a note, when it is missing, unless FC_REQUIRE_FEAST=1.
pub fn feast_fixtures() -> Option<PathBuf> {
    let dir = std::env::var_os("FC_TEST_FEAST_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/feast-fixtures"));
    if dir.join("sqlite/sdk_dump.json").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var("FC_REQUIRE_FEAST").is_err(),
        "FC_REQUIRE_FEAST is set but {} has no fixtures: run scripts/make-registries.sh first",
        dir.display()
    );
    eprintln!(
        "note: {} missing; real-Feast comparisons skipped (run scripts/make-registries.sh)",
        dir.display()
    );
    None
}

/// The Feast venv's python (FC_TEST_FEAST_PYTHON overrides).
pub fn feast_python() -> Option<PathBuf> {
    let python = std::env::var_os("FC_TEST_FEAST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".venv/feast/bin/python"));
    if python.is_file() {
        return Some(python);
    }
    assert!(
        std::env::var("FC_REQUIRE_FEAST").is_err(),
        "FC_REQUIRE_FEAST is set but {} is missing",
        python.display()
    );
    eprintln!(
        "note: {} missing; tests needing Feast are skipped (run scripts/feast-venv.sh)",
        python.display()
    );
    None
}

pub fn sdk_dump(dir: &std::path::Path, backend: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join(backend).join("sdk_dump.json"))
        .expect("sdk_dump.json readable");
    serde_json::from_str(&text).expect("sdk_dump.json is JSON")
}

/// A scratch copy of a file, so tests can modify registries freely.
pub fn scratch_copy(from: &std::path::Path, tag: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("fc-reg-{}-{tag}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let to = dir.join(from.file_name().expect("file name"));
    std::fs::copy(from, &to).expect("copy fixture");
    to
}
