//! A console save that a later change outside the console undid (the history's
//! `reverts_audit`) is shown on the permissions page, the audit page and in its CSV as
//! "reverted at T, probably by feast apply", and the editor's answer and the audit entry carry the Python that keeps it.

use app::catalog::model::{CatalogObject, ObjectKind};
use app::history::model::{instant_of_millis, ChangeType, HistoryEntry, ObjectChange};
use app::permissions::api::AuditFilter;
use server::history::store::{self, Recording};
use server::permissions::audit;

use crate::permissions_pages::{app_with_a_writable_registry, save_created};

#[tokio::test]
async fn a_reverted_console_save_is_shown_on_the_permissions_and_audit_pages() {
    let app = app_with_a_writable_registry().await;
    let saved = save_created(&app).await;
    // The answer carries the saved definition the editor turns into Python.
    assert!(
        saved.body.contains("\"spec\":{\"name\":\"http_created\""),
        "{}",
        saved.body
    );
    let db = &app.state.db;
    let records = audit::list(db, &AuditFilter::default()).await.unwrap();
    let id = records[0].id;
    assert_eq!(records[0].permission, "http_created");

    // Not reverted yet: nothing said.
    let page = app.get("/permissions/audit").await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains("probably by feast apply"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("http_created = Permission(") && page.body.contains("perm-snippet"),
        "the committed save's Python is in its entry: {}",
        page.body
    );

    // The history records its removal outside the console, reverting that save.
    let object = CatalogObject::unreadable(
        ObjectKind::Permission,
        "driver_ranking",
        "http_created",
        String::new(),
    );
    let first = Recording {
        registry: "demo",
        replica: "test",
        expected: None,
        observed_ms: 1_000,
        entries: &[],
        baseline: &[],
    };
    store::insert_changes(db, &first).await.unwrap().unwrap();
    let removed = HistoryEntry {
        id: 0,
        registry: "demo".into(),
        change: ObjectChange {
            kind: ObjectKind::Permission,
            project: "driver_ranking".into(),
            name: "http_created".into(),
            change: ChangeType::Removed,
            fields: vec![],
        },
        object,
        observed_at: instant_of_millis(1_764_759_600_000),
        not_before: None,
        row_updated: None,
        audit_id: None,
        actor: None,
        reverts_audit: Some(id),
    };
    let rec = Recording {
        registry: "demo",
        replica: "test",
        expected: Some(1),
        observed_ms: 1_764_759_600_000,
        entries: &[removed],
        baseline: &[],
    };
    let matrix = "/permissions?registry=demo&project=driver_ranking";
    let before = app.get(matrix).await;
    assert!(
        !before.body.contains("perm-reverted-edits"),
        "{}",
        before.body
    );
    store::insert_changes(db, &rec).await.unwrap().unwrap();

    // The permissions page lists it, linked to its audit entries.
    let page = app.get(matrix).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("Console edits undone outside the console"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("saved in the console by ada-admin")
            && page.body.contains(
                "reverted at 2025-12-03 11:00:00 UTC, probably by feast apply (deleted outside the console)"
            )
            && page.body.contains("permission=http_created"),
        "{}",
        page.body
    );

    let page = app.get("/permissions/audit").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(
            "reverted at 2025-12-03 11:00:00 UTC, probably by feast apply (deleted outside the console)"
        ),
        "{}",
        page.body
    );
    // The CSV (a data: link on the page) has the same words in its `reverted` column.
    let csv = page
        .body
        .split("data:text/csv;charset=utf-8,")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the CSV link");
    assert!(csv.contains("before%2Cafter%2Creverted%0A"), "{csv}");
    assert!(
        csv.contains("probably%20by%20feast%20apply%20%28deleted%20outside%20the%20console%29"),
        "{csv}"
    );
}
