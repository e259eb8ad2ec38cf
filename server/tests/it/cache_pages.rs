//! The registry-cache pages on the demo registry and demo manifests, server-rendered through
//! the real router: the table of deployments, a detail page with its plots and their text
//! alternatives, and the sre role the pages and server functions need.

use axum::body::Body;
use axum::http::Request;

use server::cache::probe::probe_all;

use crate::common::{self, spawn_app, Backend};

async fn probed_app() -> common::TestApp {
    let app = spawn_app(Backend::Sqlite).await;
    let demo = server::registry::demo::demo_source().expect("demo registry in the checkout");
    let samples = probe_all(&app.state.db, &[demo], 100).await;
    assert!(samples[0].ok(), "{:?}", samples[0].error);
    app
}

fn text(html: &str) -> String {
    html.replace("<!>", "")
}

#[tokio::test]
async fn table_lists_the_demo_deployments_with_their_figures() {
    let app = probed_app().await;
    let r = app.get("/cache").await;
    assert_eq!(r.status, 200);
    let html = text(&r.body);
    for needle in [
        "href=\"/cache/feast-system/shared-registry\"",
        "href=\"/cache/team-a/team-a\"",
        "href=\"/cache/team-b/team-b\"",
        "0 (remote registry)",
        "Registry probes",
        "Full-load time of registry demo",
    ] {
        assert!(html.contains(needle), "{needle} missing in {html}");
    }
    // The probe row shows the measurement, and the history plot has its text alternative.
    assert!(html.contains("<td class=\"probe-ok\">ok"), "{html}");
    assert!(html.contains("class=\"plot-text\""), "{html}");
}

#[tokio::test]
async fn detail_page_has_three_plots_each_with_a_text_alternative() {
    let app = probed_app().await;
    let r = app.get("/cache/feast-system/shared-registry").await;
    assert_eq!(r.status, 200);
    let html = text(&r.body);
    assert_eq!(html.matches("class=\"cache-plot\"").count(), 3, "{html}");
    assert_eq!(html.matches("<svg").count(), 3, "{html}");
    assert_eq!(html.matches("class=\"plot-text\"").count(), 3);
    for needle in [
        "Registry reads in the next 10 minutes",
        "copies of the registry",
        "Per pod, at least",
        "cache_mode",
        "registryTTLSeconds",
        "Production (low-latency)",
    ] {
        assert!(html.contains(needle), "{needle} missing in {html}");
    }
    let missing = app.get("/cache/feast-system/nope").await;
    assert!(text(&missing.body).contains("No such FeatureStore"));
}

#[tokio::test]
async fn viewers_may_not_open_the_cache_area() {
    let app = probed_app().await;
    let as_viewer = |path: &str| {
        Request::get(path)
            .header("cookie", "fc_demo_user=vic-viewer")
            .body(Body::empty())
            .unwrap()
    };
    let page = app.request(as_viewer("/cache")).await;
    assert_eq!(page.status, 403, "{}", page.body);
    let api = app
        .request(
            Request::post("/api/sre/load_cache_overview")
                .header("cookie", "fc_demo_user=vic-viewer")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(api.status, 403, "{}", api.body);
    let sre = app
        .request(
            Request::get("/cache")
                .header("cookie", "fc_demo_user=sam-sre")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(sre.status, 200);
}
