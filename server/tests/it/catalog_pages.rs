//! Catalog pages, search and export on the committed demo registry (real Feast output),
//! server-rendered through the real router: everything here works without JavaScript.

use crate::catalog_support::{clean, demo_app, links};

#[tokio::test]
async fn overview_links_to_projects_and_lists() {
    let app = demo_app().await;
    let r = app.get("/catalog").await;
    assert_eq!(r.status, 200);
    let projects = links(&r.body, "/registries/demo/projects/");
    assert!(
        projects
            .iter()
            .any(|(h, t)| h == "/registries/demo/projects/driver_ranking" && t == "driver_ranking"),
        "{projects:?}"
    );
    assert!(!links(&r.body, "/catalog/feature-views").is_empty());
    let page = app.get("/registries/demo/projects/driver_ranking").await;
    assert_eq!(page.status, 200);
    let html = clean(&page.body);
    assert!(html.contains("<h1>driver_ranking</h1>"), "{html}");
    assert!(html.contains("data-testid=\"snapshot-age\""));
    assert!(
        links(
            &html,
            "/catalog/feature-views?registry=demo&project=driver_ranking"
        )
        .len()
            == 1
    );
    assert!(html.contains("Lineage") && html.contains("flowchart LR"));
}

#[tokio::test]
async fn list_pages_filter_sort_and_page_on_the_server() {
    let app = demo_app().await;
    let r = app
        .get("/catalog/feature-views?project=driver_ranking&sort=-name")
        .await;
    assert_eq!(r.status, 200);
    let names: Vec<String> = links(&r.body, "/registries/demo/projects/driver_ranking/")
        .into_iter()
        .filter(|(h, _)| h.matches('/').count() == 6)
        .map(|(_, t)| t)
        .collect();
    assert!(
        names.contains(&"driver_hourly_stats".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"driver_trip_adjusted".to_string()),
        "on-demand views are listed: {names:?}"
    );
    let mut sorted = names.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(names, sorted);
    assert!(
        !names.iter().any(|n| n.contains("merchant")),
        "other projects filtered out"
    );
    let empty = app.get("/catalog/entities?owner=nobody-at-all").await;
    assert!(clean(&empty.body).contains("No object matches these filters."));
    let bad = app.get("/catalog/no-such-list").await;
    assert!(clean(&bad.body).contains("is not a catalog list"));
}

#[tokio::test]
async fn walk_feature_service_to_view_to_data_source() {
    let app = demo_app().await;
    let service = app
        .get("/registries/demo/projects/driver_ranking/feature-services/driver_ranking_v1")
        .await;
    assert_eq!(service.status, 200);
    let html = clean(&service.body);
    assert!(
        html.contains("get_feature_service(&quot;driver_ranking_v1&quot;)")
            || html.contains("get_feature_service(\"driver_ranking_v1\")"),
        "{html}"
    );
    let (view_href, _) = links(&html, "/feature-views/")
        .into_iter()
        .next()
        .expect("the service links its feature views");
    let view = app.get(&view_href).await;
    assert_eq!(view.status, 200, "{view_href}");
    let view_html = clean(&view.body);
    for needle in [
        "Features (",
        "TTL",
        "Materialization intervals",
        "How to use",
        "get_online_features",
        "Used by",
        "driver_ranking_v1",
    ] {
        assert!(
            view_html.contains(needle),
            "{needle} missing on {view_href}"
        );
    }
    let (source_href, _) = links(&view_html, "/data-sources/")
        .into_iter()
        .next()
        .expect("the view links its data source");
    let source = app.get(&source_href).await;
    assert_eq!(source.status, 200);
    let source_html = clean(&source.body);
    assert!(
        source_html.contains("Location") && source_html.contains("Used by"),
        "{source_html}"
    );
    let missing = app
        .get("/registries/demo/projects/driver_ranking/feature-views/nope")
        .await;
    assert!(clean(&missing.body).contains("Not found"));
}

#[tokio::test]
async fn on_demand_view_shows_sources_and_mode() {
    let app = demo_app().await;
    let r = app
        .get(
            "/registries/demo/projects/driver_ranking/on-demand-feature-views/driver_trip_adjusted",
        )
        .await;
    let html = clean(&r.body);
    assert!(
        html.contains("On-demand feature view") && html.contains("Mode"),
        "{html}"
    );
    // Feast's stored source text, escaped as text, and the request source's schema.
    assert!(
        html.contains("def driver_trip_adjusted(inputs: pd.DataFrame) -&gt; pd.DataFrame:"),
        "transformation text: {html}"
    );
    assert!(
        html.contains("Request schema") && html.contains("trip_distance_km"),
        "{html}"
    );
    assert!(
        links(&html, "/feature-views/driver_hourly_stats").len()
            + links(&html, "/data-sources/").len()
            > 0
    );
}

#[tokio::test]
async fn search_form_works_without_javascript() {
    let app = demo_app().await;
    let r = app.get("/search?q=driver").await;
    assert_eq!(r.status, 200);
    let html = clean(&r.body);
    assert!(html.contains("result(s)"), "{html}");
    let hits = links(&html, "/registries/demo/");
    assert!(hits.iter().any(|(_, t)| t == "driver"), "{hits:?}");
    let narrowed = clean(&app.get("/search?q=kind%3Aentity+driver").await.body);
    assert!(narrowed.contains("Entities (1)"), "{narrowed}");
    assert!(!narrowed.contains("Feature views ("));
    let none = clean(&app.get("/search?q=zzzzqqqq").await.body);
    assert!(none.contains("Nothing matches"));
}

#[tokio::test]
async fn export_applies_the_filters() {
    let app = demo_app().await;
    let csv = app
        .get("/catalog/export.csv?list=feature-views&project=driver_ranking")
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let list = app
        .get("/catalog/feature-views?project=driver_ranking&page_size=500")
        .await;
    let mut listed: Vec<String> = links(&list.body, "/registries/demo/projects/driver_ranking/")
        .into_iter()
        .filter(|(h, _)| h.matches('/').count() == 6)
        .map(|(_, t)| t)
        .collect();
    let mut exported: Vec<String> = csv
        .body
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap().to_string())
        .collect();
    listed.sort();
    exported.sort();
    assert_eq!(exported, listed);
    assert!(csv.body.starts_with("registry,kind,project,name,"));
    let json = app
        .get("/catalog/export.json?list=entities&project=driver_ranking")
        .await;
    let v: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"driver") && !names.contains(&"__dummy"),
        "{names:?}"
    );
    assert_eq!(v[0]["registry"], "demo");
    let bad = app
        .get("/catalog/export.csv?list=feature-views&sort=sideways")
        .await;
    assert_eq!(bad.status, 400);
}
