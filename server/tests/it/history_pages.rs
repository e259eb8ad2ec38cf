//! The history pages, feeds and exports, and the comparison page, through the real router on
//! the committed demo registry (real Feast output), with entries seeded into the history store.
//! Development mode's demo users stand in for people: `ada-admin` may describe every project,
//! `vic-viewer` only driver_ranking (fraud_detection's objects are hidden from vic).

use std::sync::Arc;

use app::auth::ConsoleRole;
use app::catalog::model::CatalogObject;
use app::history::model::{instant_of_millis, ChangeType, FieldChange, HistoryEntry, ObjectChange};
use app::util::csv::formula_cells;
use axum::{body::Body, http::Request};
use server::history::store::{self, Recording};
use server::registry::refresher::{Registries, RegistryHandle};
use server::registry::{RegistrySnapshot, RegistrySource, SourceKind};

use crate::catalog_support::{app_with, clean, demo_app, links};
use crate::common::{Backend, TestApp, TestResponse};

/// 2025-12-01T00:00:00Z.
const DAY_MS: i64 = 1_764_547_200_000;
/// Filler changes of driver_ranking's entity: with the others, more than one page (50).
const FILLER: usize = 55;

async fn get_as(app: &TestApp, user: &str, path: &str) -> TestResponse {
    app.request(
        Request::get(path)
            .header("cookie", format!("fc_demo_user={user}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

fn demo_object(app: &TestApp, project: &str, name: &str) -> CatalogObject {
    let snapshot = app.state.registries.handles[0]
        .snapshot()
        .expect("the demo registry is read");
    snapshot
        .objects
        .iter()
        .find(|o| o.project == project && o.name == name)
        .map(|o| CatalogObject::clone(o))
        .unwrap_or_else(|| panic!("demo has {project}/{name}"))
}

fn entry(object: &CatalogObject, change: ChangeType, at_ms: i64) -> HistoryEntry {
    HistoryEntry {
        id: 0,
        registry: "demo".into(),
        change: ObjectChange {
            kind: object.kind,
            project: object.project.to_string(),
            name: object.name.to_string(),
            change,
            fields: if change == ChangeType::Changed {
                vec![FieldChange {
                    path: "description".into(),
                    before: Some("old <b>text</b>".into()),
                    after: Some(object.description.to_string()),
                }]
            } else {
                vec![]
            },
        },
        object: object.clone(),
        observed_at: instant_of_millis(at_ms),
        not_before: None,
        row_updated: None,
        audit_id: None,
        actor: None,
        reverts_audit: None,
    }
}

/// Records `entries` (oldest first) for the demo registry, after the baseline the app's own
/// recorder (task `history_record`) stores at start-up: seeding first would make that
/// recorder compare the demo registry with the seeded state and record the difference.
async fn seed(app: &TestApp, entries: &[HistoryEntry]) {
    let db = &app.state.db;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let head = loop {
        match store::head(db, "demo").await.unwrap() {
            Some(head) => break head,
            None if std::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await
            }
            None => panic!("the app's recorder stored no baseline of the demo registry"),
        }
    };
    let recording = Recording {
        registry: "demo",
        replica: "test",
        expected: Some(head.generation),
        observed_ms: DAY_MS + 10 * 3_600_000,
        entries,
        baseline: &[],
    };
    assert!(
        store::insert_changes(db, &recording)
            .await
            .unwrap()
            .is_some(),
        "seeded"
    );
}

/// The demo app with: a hidden change (fraud_detection), a visible one with a `not_before`,
/// a console edit with its audit row, a removal, a revert, a hostile name, and filler.
async fn seeded_app() -> TestApp {
    let app = demo_app().await;
    let stats = demo_object(&app, "driver_ranking", "driver_hourly_stats");
    let hidden = demo_object(&app, "fraud_detection", "customer_transactions");
    let driver = demo_object(&app, "driver_ranking", "driver");
    let permission = demo_object(&app, "driver_ranking", "ranking_catalog");
    let mut removed = stats.clone();
    removed.name = "driver_old_stats".into();
    let mut hostile = stats.clone();
    hostile.name = "=HYPERLINK(\"http://evil.example\")".into();

    let mut entries = Vec::new();
    for i in 0..FILLER {
        entries.push(entry(
            &driver,
            ChangeType::Changed,
            DAY_MS + i as i64 * 1000,
        ));
    }
    let mut between = entry(&stats, ChangeType::Changed, DAY_MS + 3_600_000);
    between.not_before = Some(instant_of_millis(DAY_MS - 86_400_000));
    entries.push(between);
    entries.push(entry(&hidden, ChangeType::Changed, DAY_MS + 3_600_000));
    let mut edit = entry(&permission, ChangeType::Added, DAY_MS + 3_700_000);
    edit.audit_id = Some(5);
    edit.actor = Some("ada-admin".into());
    entries.push(edit);
    let mut revert = entry(&permission, ChangeType::Removed, DAY_MS + 3_800_000);
    revert.reverts_audit = Some(5);
    entries.push(revert);
    entries.push(entry(&removed, ChangeType::Removed, DAY_MS + 3_900_000));
    entries.push(entry(&hostile, ChangeType::Added, DAY_MS + 4_000_000));
    seed(&app, &entries).await;
    app
}

fn count(html: &str, needle: &str) -> usize {
    html.matches(needle).count()
}

#[tokio::test]
async fn the_timeline_filters_pages_and_shows_only_what_the_viewer_may_describe() {
    let app = seeded_app().await;
    let ada = clean(
        &get_as(&app, "ada-admin", "/history?registry=demo")
            .await
            .body,
    );
    assert_eq!(count(&ada, "data-testid=\"history-entry\""), 50, "{ada}");
    assert!(ada.contains("customer_transactions") && ada.contains("driver_hourly_stats"));
    assert!(
        ada.contains("between 2025-11-30 00:00:00 UTC and 2025-12-01 01:00:00 UTC"),
        "{ada}"
    );
    assert!(ada.contains("ignored: created, updated, materialization_intervals"));
    assert!(
        ada.contains("old &lt;b&gt;text&lt;/b&gt;"),
        "diff values are text"
    );
    // Older: the rest, then no further link.
    let older = links(&ada, "before=");
    assert_eq!(older.len(), 1, "{older:?}");
    let second = clean(&get_as(&app, "ada-admin", &older[0].0).await.body);
    assert_eq!(
        count(&second, "data-testid=\"history-entry\""),
        FILLER + 6 - 50
    );
    assert!(links(&second, "before=").is_empty());

    // Vic: nothing of fraud_detection, on any page.
    let vic = clean(
        &get_as(&app, "vic-viewer", "/history?registry=demo")
            .await
            .body,
    );
    assert!(vic.contains("driver_hourly_stats"), "{vic}");
    assert!(
        !vic.contains("customer_transactions"),
        "hidden change shown to vic"
    );
    let vic_older = links(&vic, "before=");
    let vic_rest = clean(&get_as(&app, "vic-viewer", &vic_older[0].0).await.body);
    assert!(!vic_rest.contains("customer_transactions"));
    assert_eq!(
        count(&vic, "data-testid=\"history-entry\"")
            + count(&vic_rest, "data-testid=\"history-entry\""),
        FILLER + 5
    );

    // Filters: a console edit with its audit link, the revert marker, removals, an object.
    let permissions = clean(
        &get_as(&app, "vic-viewer", "/history?registry=demo&kind=permission")
            .await
            .body,
    );
    assert_eq!(count(&permissions, "data-testid=\"history-entry\""), 2);
    let audit = links(&permissions, "/permissions/audit?");
    assert!(
        audit
            .iter()
            .any(|(h, t)| h.ends_with("#audit-5") && t == "ada-admin"),
        "{audit:?}"
    );
    assert!(permissions.contains("data-testid=\"history-reverted\""));
    assert!(permissions.contains("outside the console"));
    let removed = clean(
        &get_as(
            &app,
            "vic-viewer",
            "/history?registry=demo&change=removed&project=driver_ranking",
        )
        .await
        .body,
    );
    assert!(removed.contains("driver_old_stats") && removed.contains("ranking_catalog"));
    assert_eq!(count(&removed, "data-testid=\"history-entry\""), 2);
    let one = clean(
        &get_as(
            &app,
            "vic-viewer",
            "/history?registry=demo&project=driver_ranking&kind=feature_view&name=driver_hourly_stats",
        )
        .await
        .body,
    );
    assert_eq!(count(&one, "data-testid=\"history-entry\""), 1);
    assert!(one.contains("data-testid=\"field-diff\""));
    let later = clean(
        &get_as(
            &app,
            "vic-viewer",
            "/history?registry=demo&since=2025-12-02",
        )
        .await
        .body,
    );
    assert!(
        later.contains("No recorded change matches these filters"),
        "{later}"
    );
    let earlier = clean(
        &get_as(
            &app,
            "vic-viewer",
            "/history?registry=demo&until=2025-11-30",
        )
        .await
        .body,
    );
    assert_eq!(count(&earlier, "data-testid=\"history-entry\""), 0);
    let bad = clean(
        &get_as(&app, "vic-viewer", "/history?registry=demo&kind=views")
            .await
            .body,
    );
    assert!(bad.contains("`views` is not an object kind"), "{bad}");
    let unknown = clean(
        &get_as(&app, "vic-viewer", "/history?registry=nope")
            .await
            .body,
    );
    assert!(unknown.contains("no registry is named `nope`"), "{unknown}");
    // No registry chosen: the chooser.
    let chooser = clean(&get_as(&app, "vic-viewer", "/history").await.body);
    assert_eq!(
        links(&chooser, "/history?registry=demo").len(),
        1,
        "{chooser}"
    );
}

#[tokio::test]
async fn an_object_page_links_to_its_history_and_an_empty_registry_says_so() {
    let app = demo_app().await;
    let page = clean(
        &get_as(
            &app,
            "vic-viewer",
            "/registries/demo/projects/driver_ranking/feature-views/driver_hourly_stats",
        )
        .await
        .body,
    );
    let history = links(&page, "/history?");
    assert_eq!(
        history[0].0,
        "/history?registry=demo&project=driver_ranking&kind=feature_view&name=driver_hourly_stats",
        "{history:?}"
    );
    assert_eq!(links(&page, "/history/demo/driver_ranking.atom").len(), 1);
    let empty = clean(&get_as(&app, "vic-viewer", &history[0].0).await.body);
    assert!(empty.contains("data-testid=\"history-empty\""), "{empty}");
}

#[tokio::test]
async fn feeds_are_atom_with_what_the_viewer_may_see() {
    let app = seeded_app().await;
    for (user, path) in [
        ("ada-admin", "/history/demo.atom"),
        ("vic-viewer", "/history/demo.atom"),
        ("vic-viewer", "/history/demo/driver_ranking.atom"),
        ("vic-viewer", "/history/demo/fraud_detection.atom"),
    ] {
        let r = get_as(&app, user, path).await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(
            r.headers["content-type"],
            "application/atom+xml; charset=utf-8"
        );
        let doc = roxmltree::Document::parse(&r.body).expect("the feed is well-formed XML");
        let feed = doc.root_element();
        assert_eq!(feed.tag_name().name(), "feed");
        assert_eq!(
            feed.tag_name().namespace(),
            Some("http://www.w3.org/2005/Atom")
        );
        let entries: Vec<_> = feed
            .children()
            .filter(|n| n.tag_name().name() == "entry")
            .collect();
        let titles: Vec<String> = entries
            .iter()
            .filter_map(|e| e.children().find(|c| c.tag_name().name() == "title"))
            .map(|t| t.text().unwrap_or_default().to_string())
            .collect();
        assert!(entries.len() <= 50, "{path}: {}", entries.len());
        for e in &entries {
            for required in ["id", "title", "updated", "author", "link"] {
                assert!(
                    e.children().any(|c| c.tag_name().name() == required),
                    "{path}: an entry without {required}"
                );
            }
        }
        let hidden = titles.iter().any(|t| t.contains("customer_transactions"));
        match (user, path) {
            ("ada-admin", _) => assert!(hidden, "ada sees the fraud_detection change"),
            (_, "/history/demo/fraud_detection.atom") => assert!(titles.is_empty(), "{titles:?}"),
            _ => assert!(!hidden, "{path}: {titles:?}"),
        }
        if path == "/history/demo/driver_ranking.atom" {
            assert!(
                titles[0].starts_with("feature_view =HYPERLINK"),
                "{titles:?}"
            );
        }
    }
    assert_eq!(
        get_as(&app, "vic-viewer", "/history/nope.atom")
            .await
            .status,
        404
    );
    assert_eq!(
        get_as(&app, "vic-viewer", "/history/demo.rss").await.status,
        404
    );
}

#[tokio::test]
async fn exports_follow_the_filter_guard_formulas_and_hide_what_the_viewer_may_not_see() {
    let app = seeded_app().await;
    let ada = get_as(&app, "ada-admin", "/history.csv?registry=demo").await;
    assert_eq!(ada.status, 200);
    assert!(ada.body.starts_with("id,observed_at,not_before,registry"));
    assert!(formula_cells(&ada.body).is_empty(), "{}", ada.body);
    assert!(ada.body.contains("'=HYPERLINK"));
    assert!(ada.body.contains("customer_transactions"));
    assert!(!ada.body.contains("truncated at"));
    let rows = ada
        .body
        .lines()
        .filter(|l| {
            l.split(',')
                .next()
                .is_some_and(|id| id.parse::<i64>().is_ok())
        })
        .count();
    assert_eq!(rows, FILLER + 6);
    let vic = get_as(&app, "vic-viewer", "/history.csv?registry=demo").await;
    assert!(!vic.body.contains("customer_transactions"));
    let json = get_as(
        &app,
        "vic-viewer",
        "/history.json?registry=demo&kind=permission",
    )
    .await;
    let value: serde_json::Value = serde_json::from_str(&json.body).expect("JSON");
    assert_eq!(value["truncated"], false);
    assert_eq!(value["entries"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        get_as(&app, "vic-viewer", "/history.csv").await.status,
        400,
        "a registry is needed"
    );
}

/// The demo registry and a copy of it with two views changed: one in driver_ranking, one in
/// fraud_detection (hidden from vic).
async fn two_registries() -> TestApp {
    let source = server::registry::demo::demo_source().expect("demo registry in the checkout");
    let demo = Registries::load_now(&[source]).await;
    let snapshot = demo.handles[0].snapshot().expect("read");
    let changed = |o: &Arc<CatalogObject>| {
        if ["driver_hourly_stats", "customer_transactions"].contains(&o.name.as_str()) {
            let mut copy = CatalogObject::clone(o);
            copy.description = "changed in staging".into();
            copy
        } else {
            CatalogObject::clone(o)
        }
    };
    let copy = RegistrySnapshot::build(
        snapshot
            .projects
            .iter()
            .chain(snapshot.objects.iter())
            .map(changed),
        Vec::new(),
        snapshot.loaded_at,
        snapshot.load_duration,
    );
    let handle = RegistryHandle::new(&RegistrySource {
        name: "staging".into(),
        kind: SourceKind::File("/nonexistent/registry.db".into()),
        token: None,
    });
    handle.record(Ok(Some(copy)));
    let mut handles = demo.handles.clone();
    handles.push(Arc::new(handle));
    app_with(Registries { handles }).await
}

#[tokio::test]
async fn the_comparison_shows_differences_the_viewer_may_see() {
    let app = two_registries().await;
    let path = "/compare?left=demo&right=staging";
    let ada = clean(&get_as(&app, "ada-admin", path).await.body);
    assert!(ada.contains("Different: 2"), "{ada}");
    assert!(ada.contains("driver_ranking/driver_hourly_stats"));
    assert!(ada.contains("fraud_detection/customer_transactions"));
    assert!(ada.contains("changed in staging"));
    assert!(ada.contains("ignored: created, updated, materialization_intervals"));
    let vic = clean(&get_as(&app, "vic-viewer", path).await.body);
    assert!(vic.contains("Different: 1"), "{vic}");
    assert!(vic.contains("driver_hourly_stats"));
    assert!(!vic.contains("customer_transactions") && !vic.contains("fraud_detection/"));
    // Vic's choices are the projects vic may see.
    assert!(!vic.contains(">fraud_detection</option>"), "{vic}");

    // Two projects: the same project on both sides when one is named.
    let project = clean(
        &get_as(
            &app,
            "vic-viewer",
            "/compare?left=demo&left_project=driver_ranking&right=staging&kind=feature_view",
        )
        .await
        .body,
    );
    assert!(
        project.contains("demo / driver_ranking ↔ staging / driver_ranking"),
        "{project}"
    );
    assert!(
        project.contains("Different: 1") && project.contains("Only in demo / driver_ranking: 0")
    );
    let links_right = links(
        &project,
        "/registries/staging/projects/driver_ranking/feature-views/driver_hourly_stats",
    );
    assert_eq!(links_right.len(), 1, "{project}");
    // The same registry on both sides: nothing differs.
    let same = clean(
        &get_as(&app, "vic-viewer", "/compare?left=demo&right=demo")
            .await
            .body,
    );
    assert!(same.contains("data-testid=\"compare-same\""), "{same}");
    let bad = clean(
        &get_as(&app, "vic-viewer", "/compare?left=demo&right=nope")
            .await
            .body,
    );
    assert!(bad.contains("no registry is named `nope`"), "{bad}");
}

#[tokio::test]
async fn list_pages_filter_by_changed_since_and_say_what_it_means() {
    let app = demo_app().await;
    let all = clean(
        &get_as(&app, "vic-viewer", "/catalog/feature-views?registry=demo")
            .await
            .body,
    );
    let future = clean(
        &get_as(
            &app,
            "vic-viewer",
            "/catalog/feature-views?registry=demo&changed_since=2999-01-01",
        )
        .await
        .body,
    );
    assert!(all.contains("driver_hourly_stats"));
    assert!(
        future.contains("No object matches these filters"),
        "{future}"
    );
    assert!(future.contains("data-testid=\"changed-since-note\""));
    assert!(future.contains("last_updated_timestamp"));
    assert_eq!(
        links(&future, "/history?registry=demo&since=2999-01-01").len(),
        1
    );
    let past = clean(
        &get_as(
            &app,
            "vic-viewer",
            "/catalog/feature-views?registry=demo&changed_since=2000-01-01",
        )
        .await
        .body,
    );
    assert!(past.contains("driver_hourly_stats"));
}

#[tokio::test]
async fn with_a_provider_the_functions_and_downloads_check_the_caller() {
    let app = crate::auth_support::console_for("http://127.0.0.1:9", Backend::Sqlite).await;
    let functions: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_string())
        .filter(|p| p.contains("/history_"))
        .collect();
    assert_eq!(functions.len(), 2, "{functions:?}");
    let no_role = crate::auth_routes::session_for(&app, None).await;
    let viewer = crate::auth_routes::session_for(&app, Some(ConsoleRole::Viewer)).await;
    for path in &functions {
        assert!(path.starts_with("/api/viewer/"), "{path}");
        let post = |cookie: Option<&str>| {
            let mut r = Request::post(path.as_str())
                .header("origin", crate::auth_support::CONSOLE)
                .header("content-type", "application/x-www-form-urlencoded");
            if let Some(c) = cookie {
                r = r.header("cookie", c);
            }
            r.body(Body::empty()).unwrap()
        };
        assert_eq!(app.request(post(None)).await.status, 401, "{path}");
        assert_eq!(
            app.request(post(Some(&no_role))).await.status,
            403,
            "{path}"
        );
        let allowed = app.request(post(Some(&viewer))).await.status;
        assert!(allowed != 401 && allowed != 403, "{path}: {allowed}");
    }
    for path in [
        "/history.csv?registry=demo",
        "/history/demo.atom",
        "/history",
        "/compare",
    ] {
        let anonymous = app.get(path).await;
        assert_eq!(anonymous.status, 303, "{path}: sent to sign in");
        let r = app
            .request(
                Request::get(path)
                    .header("cookie", no_role.as_str())
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, 403, "{path}");
    }
}

/// Feed readers cannot sign in: with a provider, the timeline gives the signed-in person a feed
/// link with a key, and that link (no cookie) serves exactly the feed the person sees signed
/// in. A changed key, a key for another feed or a key on anything but a feed is refused.
#[tokio::test]
async fn with_a_provider_feed_readers_read_a_personal_link() {
    let app = crate::auth_support::console_for("http://127.0.0.1:9", Backend::Sqlite).await;
    app.state
        .registries
        .first_reads(std::time::Duration::from_secs(30))
        .await;
    let stats = demo_object(&app, "driver_ranking", "driver_hourly_stats");
    let hidden = demo_object(&app, "fraud_detection", "customer_transactions");
    seed(
        &app,
        &[
            entry(&stats, ChangeType::Changed, DAY_MS),
            entry(&hidden, ChangeType::Changed, DAY_MS + 1000),
        ],
    )
    .await;
    let viewer = crate::auth_routes::session_for(&app, Some(ConsoleRole::Viewer)).await;
    let with_cookie = |path: &str| {
        Request::get(path)
            .header("cookie", viewer.as_str())
            .body(Body::empty())
            .unwrap()
    };
    let page = app.request(with_cookie("/history?registry=demo")).await;
    let feed_links = links(&page.body, "/history/demo.atom?key=");
    assert_eq!(feed_links.len(), 1, "{}", page.body);
    let (href, text) = &feed_links[0];
    assert!(text.contains("personal link"), "{text}");
    let key = href
        .split_once("?key=")
        .map(|(_, k)| k.to_string())
        .unwrap();

    let signed_in = app.request(with_cookie("/history/demo.atom")).await;
    assert_eq!(signed_in.status, 200);
    let keyed = app.get(href).await;
    assert_eq!(keyed.status, 200, "{}", keyed.body);
    assert_eq!(
        keyed.body.replace(&format!("?key={key}"), ""),
        signed_in.body,
        "the same feed as signed in, its self link keeping the key"
    );
    assert!(keyed
        .body
        .contains(&format!("/history/demo.atom?key={key}")));

    let mut changed = key.clone();
    let last = changed.pop().unwrap();
    changed.push(if last == 'A' { 'B' } else { 'A' });
    for (path, why) in [
        (
            format!("/history/demo.atom?key={changed}"),
            "not one the console made",
        ),
        (
            format!("/history/demo.atom?key={}", "x".repeat(9000)),
            "not one the console made",
        ),
        (
            format!("/history/demo/driver_ranking.atom?key={key}"),
            "another feed",
        ),
    ] {
        let r = app.get(&path).await;
        assert_eq!(
            (r.status, r.body.contains(why)),
            (403, true),
            "{path:.60}: {}",
            r.body
        );
    }
    for path in [
        format!("/history.csv?registry=demo&key={key}"),
        format!("/history?registry=demo&key={key}"),
    ] {
        assert_eq!(
            app.get(&path).await.status,
            303,
            "{path:.60}: sent to sign in"
        );
    }
}
