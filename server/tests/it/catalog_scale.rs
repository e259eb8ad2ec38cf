//! 10,000 synthetic feature views in 50 projects, written as a real `registry.db` and read by
//! the file registry reader: paging to the end, filtering by tag, export of the filtered list.
//! (Stands in for the browser test of paging through 10,000 views: same router, same HTML.)

use crate::synthetic::synthetic_registry;
use server::registry::refresher::Registries;
use server::registry::{RegistrySource, SourceKind};

use crate::catalog_support::{app_with, clean, links};
use crate::common::TestApp;

async fn synthetic_app() -> TestApp {
    let dir = std::env::temp_dir().join(format!("fc_catalog_scale_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("registry.db");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    std::fs::write(&path, synthetic_registry(50, 200, now)).unwrap();
    let source = RegistrySource {
        name: "synthetic".into(),
        kind: SourceKind::File(path),
        token: None,
    };
    app_with(Registries::load_now(&[source]).await).await
}

fn view_links(html: &str) -> Vec<String> {
    links(html, "/registries/synthetic/projects/")
        .into_iter()
        .filter(|(h, _)| h.contains("/feature-views/"))
        .map(|(_, t)| t)
        .collect()
}

#[tokio::test]
async fn ten_thousand_views_page_filter_and_export() {
    let app = synthetic_app().await;
    let first = app.get("/catalog/feature-views").await;
    assert_eq!(first.status, 200);
    let html = clean(&first.body);
    assert!(
        html.contains("1–50 of 10000"),
        "{}",
        &html[..html.len().min(3000)]
    );
    assert_eq!(view_links(&html).len(), 50);
    assert!(
        first.body.len() < 100 * 1024,
        "first page is {} bytes",
        first.body.len()
    );

    // Follow `rel="next"` from page 199 to the last page.
    let mut href = "/catalog/feature-views?page=199".to_string();
    let mut seen_last = false;
    for _ in 0..3 {
        let page = clean(&app.get(&href).await.body);
        if page.contains("9951–10000 of 10000") {
            seen_last = true;
            assert_eq!(view_links(&page).len(), 50);
            assert!(!page.contains("rel=\"next\""));
            break;
        }
        let next = page
            .split("rel=\"next\" href=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("a next link")
            .replace("&amp;", "&");
        href = next;
    }
    assert!(seen_last, "reached the last page");

    // A tag filter: team-1 is one view in five.
    let team = clean(
        &app.get("/catalog/feature-views?tag=team%3Dteam-1&project=project_07&page_size=500")
            .await
            .body,
    );
    assert!(
        team.contains("1–40 of 40"),
        "{}",
        &team[..team.len().min(3000)]
    );
    let mut listed = view_links(&team);
    let csv = app
        .get("/catalog/export.csv?list=feature-views&tag=team%3Dteam-1&project=project_07")
        .await;
    let mut exported: Vec<String> = csv
        .body
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap().to_string())
        .collect();
    listed.sort();
    exported.sort();
    assert_eq!(exported, listed);

    // The whole list exports too (no cap).
    let all = app.get("/catalog/export.csv?list=feature-views").await;
    assert_eq!(all.body.lines().count(), 10_001);

    // Search by tag across every project, grouped by kind.
    let search = clean(
        &app.get("/search?q=tag%3Ateam%3Dteam-1+project%3Aproject_07")
            .await
            .body,
    );
    assert!(search.contains("Feature views (40)"), "{search}");
    // Exact matches lead: the ten shown for `view_0001` are the fifty exact ones.
    let ranked = clean(&app.get("/search?q=view_0001").await.body);
    let shown: Vec<String> = links(&ranked, "/feature-views/")
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    assert_eq!(shown.len(), 10);
    assert!(shown.iter().all(|n| n == "view_0001"), "{shown:?}");

    // Freshness: half the views are older than their one-day TTL.
    let project = clean(
        &app.get("/registries/synthetic/projects/project_00")
            .await
            .body,
    );
    assert!(
        project.contains("100 feature view(s) are older than their TTL"),
        "{project}"
    );
    assert!(
        project.contains("too many to draw"),
        "a 202-node lineage is listed, not drawn"
    );
}
