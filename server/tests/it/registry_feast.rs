//! The console's registry readers against real Feast 0.67.0: what it decodes from SQLite,
//! PostgreSQL, file and REST registries equals, field for field, what Feast's SDK reports.
//!
//! Needs `scripts/make-registries.sh` (and, for PostgreSQL, FC_TEST_PG_URL while it runs, or
//! FC_TEST_REGISTRY_PG_URL pointing at the registry database); the tests fail without them.

use crate::auth_support::provider;
use crate::common;
use crate::registry;
use crate::registry_user_token::{start_feast, FeastServer};

use std::time::{Duration, Instant};

use app::catalog::model::{Detail, ObjectKind};
use app::permissions::Policy;
use registry::{compare::differences, fixtures};
use server::registry::{source::parse_entry, Reader};

async fn load(entry: &str) -> server::registry::RegistrySnapshot {
    let source = parse_entry(entry, &fixtures::workspace_root()).expect("source parses");
    Reader::load_once(&source)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn assert_same(diffs: Vec<String>) {
    assert!(
        diffs.is_empty(),
        "{} differences from Feast:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[tokio::test]
async fn sqlite_registry_matches_feast_sdk() {
    let dir = fixtures::feast_fixtures();
    let snapshot = load(&format!(
        "sqlite:///{}",
        dir.join("sqlite/registry.sqlite").display()
    ))
    .await;
    assert_eq!(snapshot.projects.len(), 3);
    assert_same(differences(
        &fixtures::sdk_dump(&dir, "sqlite"),
        &snapshot,
        &[],
    ));
    assert!(
        !snapshot.versions.is_empty(),
        "version history rows are read"
    );
}

#[tokio::test]
async fn file_registry_matches_feast_sdk() {
    let dir = fixtures::feast_fixtures();
    let snapshot = load(&format!(
        "file://{}",
        dir.join("file/registry.db").display()
    ))
    .await;
    assert_eq!(snapshot.projects.len(), 3);
    assert_same(differences(
        &fixtures::sdk_dump(&dir, "file"),
        &snapshot,
        &[],
    ));
}

#[tokio::test]
async fn postgres_registry_matches_feast_sdk() {
    let dir = fixtures::feast_fixtures();
    let url = fixtures::pg_registry_url(&dir);
    let snapshot = load(&url).await;
    assert_eq!(snapshot.projects.len(), 3);
    assert_same(differences(&fixtures::sdk_dump(&dir, "pg"), &snapshot, &[]));
}

/// Starts `feast serve_registry --rest-api` in `repo` and reads it through the REST source.
async fn serve_and_load(
    python: &std::path::Path,
    repo: &std::path::Path,
) -> (FeastServer, server::registry::RegistrySnapshot) {
    let port = provider::free_port();
    let server = start_feast(python, repo, port);
    let source = parse_entry(&format!("http://127.0.0.1:{port}"), repo).expect("source parses");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        match Reader::load_once(&source).await {
            Ok(s) => return (server, s),
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(500)).await
            }
            Err(e) => panic!("REST registry server never answered: {e}"),
        }
    }
}

#[tokio::test]
async fn rest_registry_matches_feast_sdk() {
    let (dir, python) = (fixtures::feast_fixtures(), fixtures::feast_python());
    let (server, snapshot) = serve_and_load(&python, &dir.join("sqlite/driver_ranking")).await;
    assert_eq!(snapshot.projects.len(), 3);
    // The REST server re-serializes objects and may reorder a view's features.
    assert_same(differences(
        &fixtures::sdk_dump(&dir, "sqlite"),
        &snapshot,
        &["features"],
    ));
    drop(server);
}

/// Feast writes an AllowAll permission but cannot read it back (SDK, gRPC and REST all fail
/// on that project). The console reads it from the SQL registry, and over REST it shows that
/// one listing as unreadable while everything else loads.
#[tokio::test]
async fn allow_all_permission_is_read_where_feast_cannot() {
    let (dir, python) = (fixtures::feast_fixtures(), fixtures::feast_python());
    common::required_path(
        dir.join("allowall/registry.sqlite"),
        "the allowall registry fixture",
        "run scripts/make-registries.sh again (its output predates the allowall fixture)",
    );
    let snapshot = load(&format!(
        "sqlite:///{}",
        dir.join("allowall/registry.sqlite").display()
    ))
    .await;
    let open = snapshot
        .objects
        .iter()
        .find(|o| o.name == "sandbox_open_describe")
        .expect("AllowAll permission listed");
    let Detail::Permission(p) = &open.detail else {
        panic!("not decoded: {:?}", open.detail)
    };
    assert_eq!(p.policy, Some(Policy::AllowAll));
    assert_eq!(snapshot.projects.len(), 4);

    let (server, rest) = serve_and_load(&python, &dir.join("allowall/driver_ranking")).await;
    let unreadable: Vec<_> = rest.objects.iter().filter(|o| o.is_unreadable()).collect();
    assert_eq!(unreadable.len(), 1, "{unreadable:?}");
    assert_eq!(
        (unreadable[0].project.as_str(), unreadable[0].kind),
        ("sandbox", ObjectKind::Permission)
    );
    let Detail::Unreadable { error } = &unreadable[0].detail else {
        unreachable!()
    };
    assert!(error.contains("422") && error.contains("policy"), "{error}");
    assert!(rest
        .objects
        .iter()
        .any(|o| o.project == "sandbox" && o.name == "scratch"));
    assert!(rest.objects.iter().any(|o| o.name == "driver_hourly_stats"));
    drop(server);
}
