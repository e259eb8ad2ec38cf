//! The permissions page at scale (#20): one project of 1,000 objects, 20 principals and 50
//! permissions, read from a real `registry.db` through the real router. The page carries each
//! cell's decision only; an explanation is fetched when the cell is opened.

use app::catalog::query::EveryObject;
use app::permissions::api::{PermissionCellExplanation, PermissionsBackend};
use app::permissions::page_model::{cell_explanation, CellExplanation, ViewQuery};
use app::permissions::PermissionEvaluator;
use axum::{body::Body, http::Request};
use leptos::server_fn::ServerFn;
use server::permissions::backend::ServerPermissions;
use server::registry::refresher::Registries;
use server::registry::{RegistrySource, SourceKind};

use crate::catalog_support::{app_with, demo_app};
use crate::common::TestApp;
use crate::synthetic::permissions_registry;

const PAGE: &str = "/permissions?registry=big&project=project_00";

async fn big_app() -> TestApp {
    let dir = std::env::temp_dir().join(format!("fc_perm_page_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("registry.db");
    std::fs::write(&path, permissions_registry(1_000, 20, 50, 1_767_225_600)).unwrap();
    let source = RegistrySource {
        name: "big".into(),
        kind: SourceKind::File(path),
        token: None,
    };
    app_with(Registries::load_now(&[source]).await).await
}

#[tokio::test]
async fn a_large_project_page_stays_under_200_kib() {
    let app = big_app().await;
    let started = std::time::Instant::now();
    let page = app.get(PAGE).await;
    let took = started.elapsed();
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("role:role-19"),
        "every principal has a row"
    );
    eprintln!(
        "big project page: {} bytes in {:.1} ms",
        page.body.len(),
        took.as_secs_f64() * 1000.0
    );
    if let Ok(path) = std::env::var("FC_DUMP_PERMISSIONS_PAGE") {
        std::fs::write(path, &page.body).unwrap();
    }
    let demo = demo_app().await.get("/permissions").await;
    eprintln!("demo /permissions: {} bytes", demo.body.len());
    assert!(
        page.body.len() <= 200 * 1024,
        "page is {} bytes",
        page.body.len()
    );
    assert!(
        !page.body.contains("data:text/csv"),
        "the matrix CSV is a download"
    );

    // The matrix CSV keeps every cell: a download, not part of the page.
    let csv = app
        .get("/permissions/matrix.csv?registry=big&project=project_00")
        .await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    let cells = page.body.matches("name=\"explain\"").count();
    assert_eq!(csv.body.lines().count(), 1 + cells);
    assert!(
        csv.body.contains("role:role-19,FEATURE_VIEW,DESCRIBE,"),
        "{}",
        &csv.body[..300]
    );
}

/// `permission_cell_explanation(query, key)` as the hydrated page posts it, as `user`.
fn explain_request(app: &TestApp, user: &str, query: &ViewQuery, key: &str) -> Request<Body> {
    let mut body: Vec<String> = query
        .fields()
        .into_iter()
        .map(|(k, v)| format!("query%5B{k}%5D={}", urlencoding(v)))
        .collect();
    body.push(format!("key={}", urlencoding(key)));
    Request::post(PermissionCellExplanation::PATH)
        .header("origin", format!("http://{}", app.state.config.listen))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("fc_demo_user={user}"))
        .body(Body::from(body.join("&")))
        .unwrap()
}

fn urlencoding(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Opening a cell fetches the explanation the page used to inline: the same as the pure
/// evaluator's for that cell, for the first and a middle cell; `?explain=KEY` draws it without
/// JavaScript; a user without a console role is refused (403), and a key naming no cell gets
/// none.
#[tokio::test]
async fn an_opened_cell_is_explained_by_the_server_function() {
    let app = big_app().await;
    let query = ViewQuery {
        registry: "big".into(),
        project: "project_00".into(),
        ..ViewQuery::default()
    };
    let data = ServerPermissions::new(app.state.registries.clone(), app.state.db.clone())
        .project("big", "project_00", &EveryObject)
        .await
        .expect("the generated project");
    let evaluator = PermissionEvaluator::new(&data.permissions);
    for key in ["0.0", "7.13", "19.20"] {
        let expected = cell_explanation(&data, &query, key, &evaluator).expect("a cell");
        assert!(expected.lines.len() > 1, "{expected:?}");
        let answer = app
            .request(explain_request(&app, "ada-admin", &query, key))
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let got: Option<CellExplanation> = serde_json::from_str(&answer.body).unwrap();
        assert_eq!(got.as_ref(), Some(&expected));

        // Without JavaScript: the same explanation drawn on the page.
        let page = app.get(&format!("{PAGE}&explain={key}")).await;
        assert_eq!(page.status, 200);
        let first = expected.lines[0]
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(page.body.contains(&first), "{first} missing");
    }

    let stale = app
        .request(explain_request(&app, "ada-admin", &query, "99.0"))
        .await;
    assert_eq!((stale.status, stale.body.as_str()), (200, "null"));

    let refused = app
        .request(explain_request(&app, "nora-no-role", &query, "0.0"))
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let refused_csv = app
        .request(
            Request::get("/permissions/matrix.csv?registry=big&project=project_00")
                .header("cookie", "fc_demo_user=nora-no-role")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(refused_csv.status, 403);
}

/// The lints, most of a big page's cost, are computed once per snapshot and objects shown:
/// four views of the project with other filters and pages share them (and get the same).
#[tokio::test]
async fn a_snapshots_lints_are_computed_once_for_every_filter() {
    let app = big_app().await;
    let backend = ServerPermissions::new(app.state.registries.clone(), app.state.db.clone())
        .with_cpu(
            app.state.cpu.clone(),
            app.state.compiled_permissions.clone(),
        );
    let base = ViewQuery {
        registry: "big".into(),
        project: "project_00".into(),
        ..ViewQuery::default()
    };
    let mut seen = Vec::new();
    for change in [
        |_: &mut ViewQuery| {},
        |q: &mut ViewQuery| q.r#type = "FEATURE_VIEW".into(),
        |q: &mut ViewQuery| q.action = "DESCRIBE".into(),
        |q: &mut ViewQuery| q.page = "3".into(),
    ] {
        let mut query = base.clone();
        change(&mut query);
        let view = backend
            .project_view(&query, &EveryObject)
            .await
            .unwrap()
            .expect("the project");
        seen.push(view.lints);
    }
    assert_eq!(backend.lints_computed(), 1);
    assert!(seen.iter().all(|l| *l == seen[0]));
}
