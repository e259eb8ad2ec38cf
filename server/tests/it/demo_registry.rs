//! The demo a console serves with no registry configured, through the real router: a copy of
//! the bundled registry in the data folder that the demo admin edits and "Reset demo" restores
//! (the bundled file is never written); the recovery page's demo evidence; and pages whose
//! server function fails saying what is missing instead of Leptos' raw error text.

use std::path::Path;
use std::time::{Duration, Instant};

use axum::{body::Body, http::Request};
use leptos::server_fn::ServerFn;
use server::registry::demo::{bundled_path, DemoRegistry, COPY_FILE};
use server::registry::SourceKind;
use sha2::{Digest, Sha256};

use crate::common::{self, Backend, TestApp};
use crate::permissions_pages::{submit, CREATE};

const RAW_ERROR: &str = "error running server function";
const PROJECT_PAGE: &str = "/permissions?registry=demo&project=driver_ranking";

fn digest(path: &Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(path).expect("read")).to_vec()
}

/// The permissions of the demo registry file at `path`: (project, name, stored bytes).
async fn permission_rows(path: &Path) -> Vec<(String, String, Vec<u8>)> {
    let url = format!("sqlite://{}?mode=ro", path.display());
    let pool = sqlx::SqlitePool::connect(&url)
        .await
        .expect("open registry");
    let mut rows: Vec<(String, String, Vec<u8>)> =
        sqlx::query_as("SELECT project_id, permission_name, permission_proto FROM permissions")
            .fetch_all(&pool)
            .await
            .expect("read permissions");
    pool.close().await;
    rows.sort();
    rows
}

async fn demo_app() -> TestApp {
    let app = common::spawn_app(Backend::Sqlite).await;
    let start = Instant::now();
    while app.state.registries.handles[0].snapshot().is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the demo registry never loaded"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    app
}

fn reset(app: &TestApp, cookie: Option<&str>) -> Request<Body> {
    let mut r = Request::post(app::permissions::api::PermissionsDemoReset::PATH)
        .header("origin", format!("http://{}", app.state.config.listen))
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        r = r.header("cookie", c);
    }
    r.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn the_demo_admin_edits_a_copy_and_reset_demo_restores_it() {
    let bundled = bundled_path().expect("the bundled demo registry in the checkout");
    let bundled_before = digest(&bundled);
    let app = demo_app().await;

    // The console reads a copy in its data folder, not the bundled file.
    let copy = app.state.config.data_dir.join(COPY_FILE);
    let demo = app.state.demo.as_ref().expect("the demo is in use");
    assert_eq!(demo.copy, copy);
    assert_eq!(
        app.state.registries.handles[0].source_config().kind,
        SourceKind::Sqlite(copy.clone())
    );
    let original = permission_rows(&bundled).await;
    assert_eq!(permission_rows(&copy).await, original);

    // The page says it is demo data and offers the reset to the admin.
    let page = app.get(PROJECT_PAGE).await;
    assert_eq!(page.status, 200);
    for expected in ["Demo data.", "Reset demo", COPY_FILE, "New permission"] {
        assert!(
            page.body.contains(expected),
            "{expected} missing: {}",
            page.body
        );
    }
    assert!(!page.body.contains("never written"), "{}", page.body);

    // The demo admin (development mode's default user) saves a permission into the copy.
    let saved = app.request(submit(&app, None, CREATE)).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(
        saved.body.contains("Saved `http_created`"),
        "{}",
        saved.body
    );
    assert!(app.get(PROJECT_PAGE).await.body.contains("http_created"));
    assert_eq!(permission_rows(&copy).await.len(), original.len() + 1);

    // A restart keeps the copy as edited.
    let again = DemoRegistry::prepare(&app.state.config.data_dir)
        .expect("prepare")
        .expect("bundled");
    assert_eq!(again.copy, copy);
    assert_eq!(permission_rows(&copy).await.len(), original.len() + 1);

    // Only an admin may reset, and only by a same-origin POST.
    let sre = app.request(reset(&app, Some("fc_demo_user=sam-sre"))).await;
    assert_eq!(sre.status, 403, "{}", sre.body);
    let foreign = app
        .request(
            Request::post(app::permissions::api::PermissionsDemoReset::PATH)
                .header("origin", "http://elsewhere.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(foreign.status, 403, "{}", foreign.body);
    assert_eq!(permission_rows(&copy).await.len(), original.len() + 1);

    // Reset: the bundled rows are back, and the pages show them at once.
    let done = app.request(reset(&app, None)).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("back as bundled"), "{}", done.body);
    assert_eq!(permission_rows(&copy).await, original);
    let page = app.get(PROJECT_PAGE).await;
    assert!(!page.body.contains("http_created"), "{}", page.body);
    assert!(page.body.contains("role:ranking-reader"), "{}", page.body);

    // The edit after a reset works on the restored copy (its writer is still good).
    let saved = app.request(submit(&app, None, CREATE)).await;
    assert!(
        saved.body.contains("Saved `http_created`"),
        "{}",
        saved.body
    );

    // The bundled registry was never written.
    assert_eq!(digest(&bundled), bundled_before);
}

#[tokio::test]
async fn reset_demo_is_refused_when_registries_are_configured() {
    let path = crate::permissions_editing::sqlite_copy("demo-reset").await;
    let url = common::fresh_database_url(Backend::Sqlite).await;
    let mut config = common::test_config(url);
    config.registries = vec![server::registry::RegistrySource {
        name: "demo".into(),
        kind: SourceKind::Sqlite(path.clone()),
        token: None,
    }];
    let state = server::http::serve::build_state(config).await.unwrap();
    state.lifecycle.mark_started();
    let router = server::http::router(state.clone());
    let app = TestApp { state, router };
    assert!(app.state.demo.is_none());
    assert!(!app.state.config.data_dir.join(COPY_FILE).exists());
    let before = digest(&path);
    let refused = app.request(reset(&app, None)).await;
    assert_ne!(refused.status, 200, "{}", refused.body);
    assert!(
        refused.body.contains("no demo registry to reset"),
        "{}",
        refused.body
    );
    assert_eq!(digest(&path), before);
}

#[tokio::test]
async fn the_editor_without_a_registry_offers_one_instead_of_an_error() {
    let app = demo_app().await;
    for (path, says) in [
        ("/permissions/edit", "names no registry and project"),
        (
            "/permissions/edit?registry=nope&project=x",
            "There is no registry named `nope`.",
        ),
        (
            "/permissions/edit?registry=demo&project=nope",
            "Registry `demo` has no project named `nope`.",
        ),
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        let body = page.body.replace("&#x27;", "'").replace("&#96;", "`");
        assert!(!body.contains(RAW_ERROR), "{path}: {body}");
        assert!(
            body.contains("Choose where the permission goes"),
            "{path}: {body}"
        );
        assert!(body.contains(says), "{path}: {says} missing: {body}");
        // Every project is a link to the editor, and the matrix is a link away.
        assert!(
            body.contains("href=\"/permissions/edit?registry=demo&amp;project=driver_ranking\""),
            "{path}: {body}"
        );
        assert!(body.contains("href=\"/permissions\""), "{path}");
    }
    // With a registry and project, the form.
    let form = app
        .get("/permissions/edit?registry=demo&project=driver_ranking&name=ranking_readers")
        .await;
    assert!(
        form.body.contains("aria-label=\"Permission\""),
        "{}",
        form.body
    );
    assert!(form.body.contains("Reset demo"), "{}", form.body);
}

#[tokio::test]
async fn the_demo_recovery_page_shows_labelled_demo_evidence() {
    let app = demo_app().await;
    let start = Instant::now();
    let v: serde_json::Value = loop {
        let r = app.get("/recovery/export.json").await;
        if r.status == 200 {
            break serde_json::from_str(&r.body).expect("json");
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no recovery round: {}",
            r.body
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let components = v["components"].as_array().expect("components");
    let evidence = |i: usize| components[i]["evidence"].to_string();
    // Measured: the demo registry's copy, backed up by the bundled file.
    assert!(evidence(0).contains(COPY_FILE), "{}", evidence(0));
    assert!(
        evidence(0).contains("demo: the bundled registry"),
        "{}",
        evidence(0)
    );
    // The first round waited for the registry: the materialization history is known.
    assert!(
        evidence(1).contains("online feature view(s)"),
        "{}",
        evidence(1)
    );
    assert!(
        !evidence(1).contains("no registry loaded"),
        "{}",
        evidence(1)
    );
    // Made up, and every such line says so.
    assert!(
        evidence(1).contains("demo, made up: Redis role master"),
        "{}",
        evidence(1)
    );
    assert!(evidence(2).contains("demo, made up"), "{}", evidence(2));
    let unknown = components
        .iter()
        .filter(|c| c["status"] == "unknown")
        .count();
    assert!(unknown < components.len(), "every component unknown: {v}");
    assert!(
        v["demo"].as_str().is_some_and(|n| n.contains("made up")),
        "{v}"
    );
    // Demo evidence is no deployment's: their tables keep to their specs.
    for d in v["deployments"].as_array().expect("deployments") {
        assert!(!d.to_string().contains("demo, made up"), "{d}");
    }

    let page = app.get("/recovery").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("demo-note"), "{}", page.body);
    assert!(page.body.contains("demo, made up"), "{}", page.body);
    assert!(!page.body.contains(RAW_ERROR));
}
