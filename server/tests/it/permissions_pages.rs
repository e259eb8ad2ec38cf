//! The permission pages and server functions through the real router: the matrix page renders
//! on the server, the editor's server function validates, saves to a writable registry copy
//! and writes the audit record the audit page lists; viewers are refused.

use axum::{body::Body, http::Request};
use leptos::server_fn::ServerFn;
use server::registry::{RegistrySource, SourceKind};

use crate::common::{self, Backend, TestApp};
use crate::permissions_editing::sqlite_copy;

pub(crate) async fn app_with_a_writable_registry() -> TestApp {
    let path = sqlite_copy("pages").await;
    let url = common::fresh_database_url(Backend::Sqlite).await;
    let mut config = common::test_config(url);
    config.registries = vec![RegistrySource {
        name: "demo".into(),
        kind: SourceKind::Sqlite(path),
        token: None,
    }];
    let state = server::http::serve::build_state(config).await.unwrap();
    state.lifecycle.mark_started();
    for _ in 0..200 {
        if state.registries.handles[0].snapshot().is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let router = server::http::router(state.clone());
    TestApp { state, router }
}

pub(crate) fn submit(app: &TestApp, cookie: Option<&str>, fields: &str) -> Request<Body> {
    let mut r = Request::post(app::permissions::api::PermissionEditorSubmit::PATH)
        .header("origin", format!("http://{}", app.state.config.listen))
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        r = r.header("cookie", c);
    }
    r.body(Body::from(fields.to_string())).unwrap()
}

pub(crate) const CREATE: &str = "form%5Bregistry%5D=demo&form%5Bproject%5D=driver_ranking&form%5Boriginal_name%5D=&form%5Bversion%5D=absent\
&form%5Bname%5D=http_created&form%5Btypes%5D%5BFEATURE_VIEW%5D=on&form%5Bactions%5D%5BREAD%5D=on\
&form%5Bpolicy_kind%5D=role&form%5Broles%5D=http-reader&form%5Breason%5D=http+test&form%5Bintent%5D=save";

/// Saves `http_created` (CREATE) through the editor's server function; its answer.
pub(crate) async fn save_created(app: &TestApp) -> common::TestResponse {
    let saved = app.request(submit(app, None, CREATE)).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(
        saved.body.contains("Saved `http_created`"),
        "{}",
        saved.body
    );
    saved
}

#[tokio::test]
async fn pages_and_the_editor_through_the_router() {
    let app = app_with_a_writable_registry().await;

    let page = app
        .get("/permissions?registry=demo&project=driver_ranking")
        .await;
    assert_eq!(page.status, 200);
    for expected in [
        "Access matrix",
        "name=\"explain\"",
        "required_tags_ignored",
        "role:ranking-reader",
        "Export CSV",
    ] {
        assert!(page.body.contains(expected), "{expected} missing");
    }

    // Invalid: errors by field, nothing written.
    let bad = app
        .request(submit(
            &app,
            None,
            &CREATE.replace("form%5Bactions%5D%5BREAD%5D=on", ""),
        ))
        .await;
    assert_eq!(bad.status, 200, "{}", bad.body);
    assert!(bad.body.contains("\"field\":\"actions\""), "{}", bad.body);

    let saved = save_created(&app).await;
    assert!(
        saved.body.contains("role:http-reader"),
        "preview names the new principal: {}",
        saved.body
    );

    // The same create again: the name is taken, nothing overwritten.
    let again = app.request(submit(&app, None, CREATE)).await;
    assert!(again.body.contains("already exists"), "{}", again.body);

    // A viewer reaches neither the function nor the pages.
    let viewer = app
        .request(submit(&app, Some("fc_demo_user=vic-viewer"), CREATE))
        .await;
    assert_eq!(viewer.status, 403);
    let viewer_page = app
        .request(
            Request::get("/permissions/edit?registry=demo&project=driver_ranking")
                .header("cookie", "fc_demo_user=vic-viewer")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(viewer_page.status, 403);

    let audit = app.get("/permissions/audit").await;
    assert_eq!(audit.status, 200);
    assert!(
        audit.body.contains("http_created") && audit.body.contains("http test"),
        "{}",
        audit.body
    );
    // The save is shown committed; the refused create again as failed, with why.
    assert!(
        audit.body.contains("perm-audit-committed") && audit.body.contains("perm-audit-failed"),
        "{}",
        audit.body
    );
    assert!(audit.body.contains("already exists"), "{}", audit.body);
}
