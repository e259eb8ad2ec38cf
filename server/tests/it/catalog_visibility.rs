//! What each person sees is Feast's DESCRIBE decision for them, through the real router on the
//! committed demo registry (real Feast output). In development mode the demo users stand in for
//! signed-in people: `ada-admin` (Feast roles `feast-admin`, `catalog-reader`) may describe every
//! project; `vic-viewer` (`ranking-team`) only driver_ranking; `nora-no-role` is not let in.

use axum::{body::Body, http::Request};

use crate::catalog_support::{clean, demo_app, links};
use crate::common::{TestApp, TestResponse};

async fn get_as(app: &TestApp, user: &str, path: &str) -> TestResponse {
    app.request(
        Request::get(path)
            .header("cookie", format!("fc_demo_user={user}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

fn project_links(html: &str) -> Vec<String> {
    let mut v: Vec<String> = links(html, "/registries/demo/projects/")
        .into_iter()
        .map(|(_, text)| text)
        .collect();
    v.sort();
    v.dedup();
    v
}

#[tokio::test]
async fn two_demo_users_see_different_catalogs() {
    let app = demo_app().await;
    let ada = get_as(&app, "ada-admin", "/catalog").await;
    let vic = get_as(&app, "vic-viewer", "/catalog").await;
    assert_eq!((ada.status, vic.status), (200, 200));
    assert_eq!(
        project_links(&ada.body),
        ["driver_ranking", "fraud_detection", "recommendations"]
    );
    assert_eq!(project_links(&vic.body), ["driver_ranking"]);

    // Lists and their exports: the same objects, and nothing of the hidden projects.
    let list = "/catalog/feature-views";
    let ada_list = clean(&get_as(&app, "ada-admin", list).await.body);
    let vic_list = clean(&get_as(&app, "vic-viewer", list).await.body);
    assert!(ada_list.contains("customer_transactions") && ada_list.contains("item_popularity"));
    assert!(vic_list.contains("driver_hourly_stats"));
    for hidden in [
        "customer_transactions",
        "Card_PII_Features",
        "item_popularity",
    ] {
        assert!(!vic_list.contains(hidden), "{hidden} listed for vic");
    }
    let csv = get_as(&app, "vic-viewer", "/catalog/export.csv?list=feature-views").await;
    assert_eq!(csv.status, 200);
    let column = csv
        .body
        .lines()
        .next()
        .and_then(|h| h.split(',').position(|c| c == "project"))
        .expect("a project column");
    let projects: std::collections::BTreeSet<&str> = csv
        .body
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(column))
        .collect();
    assert_eq!(projects.into_iter().collect::<Vec<_>>(), ["driver_ranking"]);
    let json = get_as(&app, "ada-admin", "/catalog/export.json?list=feature-views").await;
    assert!(json.body.contains("fraud_detection") && json.body.contains("recommendations"));

    // Search (the page and the as-you-type function share the index and the decision).
    let ada_search = clean(&get_as(&app, "ada-admin", "/search?q=user").await.body);
    let vic_search = clean(&get_as(&app, "vic-viewer", "/search?q=user").await.body);
    assert!(ada_search.contains("user_activity"), "{ada_search}");
    assert!(!vic_search.contains("user_activity"), "{vic_search}");
}

#[tokio::test]
async fn a_hidden_object_answers_as_a_missing_one() {
    let app = demo_app().await;
    let hidden = "/registries/demo/projects/fraud_detection/feature-views/customer_transactions";
    let missing = "/registries/demo/projects/fraud_detection/feature-views/no_such_view";
    let shown = get_as(&app, "ada-admin", hidden).await;
    assert_eq!(shown.status, 200);
    assert!(clean(&shown.body).contains("customer_transactions"));
    let as_vic = get_as(&app, "vic-viewer", hidden).await;
    let absent = get_as(&app, "vic-viewer", missing).await;
    assert_eq!((as_vic.status, absent.status), (404, 404));
    let strip = |html: &str, name: &str| clean(html).replace(name, "NAME");
    assert_eq!(
        strip(&as_vic.body, "customer_transactions")
            .split("<main")
            .nth(1)
            .map(|m| m.split("</main>").next().unwrap_or_default().to_string()),
        strip(&absent.body, "no_such_view")
            .split("<main")
            .nth(1)
            .map(|m| m.split("</main>").next().unwrap_or_default().to_string()),
        "no existence leak: the same page for a hidden and a missing view"
    );
    // A hidden project too.
    let project = get_as(
        &app,
        "vic-viewer",
        "/registries/demo/projects/fraud_detection",
    )
    .await;
    let nope = get_as(&app, "vic-viewer", "/registries/demo/projects/nope").await;
    assert_eq!((project.status, nope.status), (404, 404));
}

#[tokio::test]
async fn the_permissions_page_lists_what_the_viewer_may_describe() {
    let app = demo_app().await;
    let page = "/permissions?registry=demo&project=driver_ranking";
    let vic = clean(&get_as(&app, "vic-viewer", page).await.body);
    assert!(vic.contains("driver_hourly_stats"), "{vic}");
    // The project chooser offers only the projects vic may describe.
    assert!(!vic.contains("value=\"fraud_detection\""), "{vic}");
    let ada = clean(&get_as(&app, "ada-admin", page).await.body);
    assert!(ada.contains("value=\"fraud_detection\""));
    // sam (catalog-reader) may describe recommendations and its permissions, not
    // fraud_detection's (only feast-admin may): that project is not offered, and asking for it
    // directly shows nothing of it.
    let sam = clean(&get_as(&app, "sam-sre", page).await.body);
    assert!(
        sam.contains("value=\"recommendations\"") && !sam.contains("value=\"fraud_detection\"")
    );
    let fraud = clean(
        &get_as(
            &app,
            "sam-sre",
            "/permissions?registry=demo&project=fraud_detection",
        )
        .await
        .body,
    );
    assert!(
        !fraud.contains("fraud_admin") && !fraud.contains("customer_transactions"),
        "{fraud}"
    );
}
