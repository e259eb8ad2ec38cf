//! The rendered-page cache (`page_cache_ms`): catalog pages are served again while nothing they
//! depend on changed, each time with a new CSP nonce; anything else renders every time.

use std::{sync::Arc, time::Duration};

use axum::{body::Body, http::Request};
use server::http::page_cache::{nonce_of, PageCache, CACHE_STATUS};

use crate::catalog_support::demo_app;
use crate::common::TestResponse;

const PAGE: &str = "/catalog/feature-views?project=driver_ranking";

fn status(r: &TestResponse) -> Option<&str> {
    r.headers.get(CACHE_STATUS).and_then(|v| v.to_str().ok())
}

fn nonce(r: &TestResponse) -> String {
    let policy = r.headers["content-security-policy"].to_str().unwrap();
    nonce_of(policy).expect("pages carry a nonce")
}

#[tokio::test]
async fn a_repeat_view_is_served_from_the_cache_with_a_new_nonce() {
    let app = demo_app().await;
    let first = app.get(PAGE).await;
    let second = app.get(PAGE).await;
    assert_eq!((first.status, second.status), (200, 200));
    assert_eq!(status(&first), Some("miss"));
    assert_eq!(status(&second), Some("hit"));
    let (n1, n2) = (nonce(&first), nonce(&second));
    assert_ne!(n1, n2, "a nonce is never sent twice");
    // The page's scripts carry the response's own nonce, and nothing of the old one is left.
    assert!(second.body.contains(&format!("nonce=\"{n2}\"")));
    assert!(!second.body.contains(&n1));
    assert_eq!(first.body.replace(&n1, "N"), second.body.replace(&n2, "N"));
    assert!(second.body.contains("driver_hourly_stats"));
}

#[tokio::test]
async fn a_new_snapshot_or_a_failed_read_ends_an_entry_at_once() {
    let app = demo_app().await;
    assert_eq!(status(&app.get(PAGE).await), Some("miss"));
    assert_eq!(status(&app.get(PAGE).await), Some("hit"));

    // A refresh records a new snapshot (here with the same content): the next view renders.
    let handle = &app.state.registries.handles[0];
    let same = (*handle.snapshot().expect("demo loaded")).clone();
    handle.record(Ok(Some(same)));
    assert_eq!(status(&app.get(PAGE).await), Some("miss"));
    assert_eq!(status(&app.get(PAGE).await), Some("hit"));

    // A failed read keeps the snapshot but the page warns about it: that ends the entry too.
    handle.record(Err(server::registry::LoadError::new(
        "demo",
        server::registry::load_error::LoadProblem::Empty,
    )));
    assert_eq!(status(&app.get(PAGE).await), Some("miss"));
    assert_eq!(status(&app.get(PAGE).await), Some("hit"));
}

#[tokio::test]
async fn one_session_never_gets_another_sessions_page() {
    let app = demo_app().await;
    let with_cookie = |cookie: &'static str| {
        Request::get(PAGE)
            .header("cookie", cookie)
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(
        status(&app.request(with_cookie("fc_theme=dark")).await),
        Some("miss")
    );
    assert_eq!(
        status(&app.request(with_cookie("fc_theme=light")).await),
        Some("miss")
    );
    assert_eq!(
        status(&app.request(with_cookie("fc_theme=dark")).await),
        Some("hit")
    );
    assert_eq!(
        status(&app.get(PAGE).await),
        Some("miss"),
        "no cookie is its own key"
    );
}

#[tokio::test]
async fn only_catalog_pages_are_kept_and_an_entry_expires() {
    let mut app = demo_app().await;
    for path in ["/permissions", "/topology", "/recovery", "/healthz"] {
        app.get(path).await;
        let again = app.get(path).await;
        assert_eq!(status(&again), None, "{path} is never cached");
    }
    let bearer = Request::get(PAGE)
        .header("authorization", "Bearer x")
        .body(Body::empty())
        .unwrap();
    assert_eq!(status(&app.request(bearer).await), None);

    // A short lifetime, to see an entry end by age.
    app.state.page_cache = Arc::new(PageCache::new(Duration::from_millis(200)));
    app.router = server::http::router(app.state.clone());
    assert_eq!(status(&app.get(PAGE).await), Some("miss"));
    assert_eq!(status(&app.get(PAGE).await), Some("hit"));
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(status(&app.get(PAGE).await), Some("miss"));

    // page_cache_ms = 0 renders every request.
    app.state.page_cache = Arc::new(PageCache::new(Duration::ZERO));
    app.router = server::http::router(app.state.clone());
    app.get(PAGE).await;
    assert_eq!(status(&app.get(PAGE).await), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_misses_of_one_page_render_it_once() {
    use tower::ServiceExt;
    let app = demo_app().await;
    let requests = (0..24).map(|_| {
        let router = app.router.clone();
        tokio::spawn(async move {
            let response = router
                .oneshot(Request::get(PAGE).body(Body::empty()).unwrap())
                .await
                .expect("router answers");
            (
                response.status().as_u16(),
                response
                    .headers()
                    .get(CACHE_STATUS)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
            )
        })
    });
    let mut misses = 0;
    for r in requests.collect::<Vec<_>>() {
        let (code, cache) = r.await.expect("request task");
        assert_eq!(code, 200);
        match cache.as_deref() {
            Some("miss") => misses += 1,
            Some("hit") => {}
            other => panic!("unexpected cache status {other:?}"),
        }
    }
    assert_eq!(misses, 1, "one render, every other request got its result");
}
