//! Where the real-Feast fixtures are; a test that needs them fails when they are not built.

use std::path::{Path, PathBuf};

use crate::common;

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace holds the server crate")
        .to_path_buf()
}

/// The committed demo registry (always present).
pub fn demo_sqlite() -> PathBuf {
    workspace_root().join("server/demo/registry/registry.sqlite")
}

pub fn demo_file() -> PathBuf {
    workspace_root().join("server/demo/registry/registry.db")
}

/// `target/feast-fixtures/` as `scripts/make-registries.sh` writes it (FC_TEST_FEAST_FIXTURES
/// overrides). The test fails when it has not been built.
#[track_caller]
pub fn feast_fixtures() -> PathBuf {
    let dir = std::env::var_os("FC_TEST_FEAST_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/feast-fixtures"));
    common::required_path(
        dir.join("sqlite/sdk_dump.json"),
        "the real-Feast registry fixtures",
        "run scripts/make-registries.sh (scripts/test.sh does), or point FC_TEST_FEAST_FIXTURES at them",
    );
    dir
}

/// The Feast venv's python (FC_TEST_FEAST_PYTHON overrides). The test fails without it.
#[track_caller]
pub fn feast_python() -> PathBuf {
    let python = std::env::var_os("FC_TEST_FEAST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".venv/feast/bin/python"));
    common::required_path(
        python,
        "the Feast venv",
        "run scripts/feast-venv.sh (scripts/test.sh does), or set FC_TEST_FEAST_PYTHON",
    )
}

/// The URL of the PostgreSQL registry fixture: FC_TEST_REGISTRY_PG_URL, else the database
/// `scripts/make-registries.sh` built on the test PostgreSQL (`pg/registry_url.txt` in
/// `dir`, the fixtures folder). The test fails when there is none.
#[track_caller]
pub fn pg_registry_url(dir: &Path) -> String {
    if let Some(url) = std::env::var("FC_TEST_REGISTRY_PG_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        return url;
    }
    // The fixture lives on the test PostgreSQL: without it running there is nothing to read.
    common::pg_admin_url();
    let file = common::required_path(
        dir.join("pg/registry_url.txt"),
        "the PostgreSQL registry fixture",
        "run scripts/make-registries.sh with FC_TEST_PG_URL set (scripts/test.sh does), \
         or set FC_TEST_REGISTRY_PG_URL",
    );
    let url = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
        .trim()
        .to_string();
    assert!(!url.is_empty(), "{} is empty", file.display());
    url
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
