//! The history store on both console database backends: recordings happen once per generation
//! (a second recorder with the same expectation writes nothing), the recorded state reads back
//! whole, timelines page newest first with filters, retention by age and count, and the
//! links to permission audit rows.

use std::sync::Arc;

use app::catalog::model::{CatalogObject, Detail, ObjectKind};
use app::history::model::{
    instant_of_millis, ChangeType, FieldChange, HistoryEntry, HistoryFilter, ObjectChange,
};
use server::db::ConsoleDb;
use server::history::audit_link;
use server::history::retention::{self, Retention};
use server::history::store::{self, Recording};

use crate::common::{self, Backend};

fn object(kind: ObjectKind, project: &str, name: &str) -> CatalogObject {
    let mut o = CatalogObject::unreadable(kind, project, name, String::new());
    o.detail = Detail::Project;
    o.owner = format!("{name}@example.com").into();
    o
}

fn entry(o: &CatalogObject, change: ChangeType, observed_ms: i64) -> HistoryEntry {
    HistoryEntry {
        id: 0,
        registry: "r".into(),
        change: ObjectChange {
            kind: o.kind,
            project: o.project.to_string(),
            name: o.name.to_string(),
            change,
            fields: vec![FieldChange {
                path: "owner".into(),
                before: Some("a".into()),
                after: Some("b".into()),
            }],
        },
        object: o.clone(),
        observed_at: instant_of_millis(observed_ms),
        not_before: None,
        row_updated: None,
        audit_id: None,
        actor: None,
        reverts_audit: None,
    }
}

async fn open(backend: Backend) -> ConsoleDb {
    ConsoleDb::open(&common::fresh_database_url(backend).await, 4)
        .await
        .expect("open the console database")
}

async fn record_once_page_and_prune(backend: Backend) {
    let db = open(backend).await;
    assert_eq!(store::head(&db, "r").await.unwrap(), None);
    let baseline: Vec<Arc<CatalogObject>> = vec![
        Arc::new(object(ObjectKind::FeatureView, "p", "b")),
        Arc::new(object(ObjectKind::Entity, "p", "a")),
    ];
    let first = Recording {
        registry: "r",
        replica: "one",
        expected: None,
        observed_ms: 1_000,
        entries: &[],
        baseline: &baseline,
    };
    assert_eq!(store::insert_changes(&db, &first).await.unwrap(), Some(1));
    // A second first recording (another replica) writes nothing.
    assert_eq!(store::insert_changes(&db, &first).await.unwrap(), None);
    let head = store::head(&db, "r").await.unwrap().unwrap();
    assert_eq!((head.generation, head.recorded_ms), (1, 1_000));
    let state = store::last_recorded_snapshot(&db, "r").await.unwrap();
    let names: Vec<_> = state.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, vec!["a", "b"], "sorted by (project, kind, name)");
    assert_eq!(*state[1], *baseline[0]);

    // A year of changes at one a "day": add c, change b, remove a, then many changes of c.
    let c = object(ObjectKind::FeatureView, "q", "c");
    let mut changed_b = object(ObjectKind::FeatureView, "p", "b");
    changed_b.owner = "new".into();
    let entries = vec![
        entry(&c, ChangeType::Added, 2_000),
        entry(&changed_b, ChangeType::Changed, 2_000),
        entry(&baseline[1], ChangeType::Removed, 2_000),
    ];
    let second = Recording {
        registry: "r",
        replica: "one",
        expected: Some(1),
        observed_ms: 2_000,
        entries: &entries,
        baseline: &[],
    };
    assert_eq!(store::insert_changes(&db, &second).await.unwrap(), Some(2));
    assert_eq!(
        store::insert_changes(&db, &second).await.unwrap(),
        None,
        "the same generation twice writes nothing"
    );
    let state = store::last_recorded_snapshot(&db, "r").await.unwrap();
    let names: Vec<_> = state
        .iter()
        .map(|o| (o.name.as_str(), o.owner.as_str()))
        .collect();
    assert_eq!(names, vec![("b", "new"), ("c", "c@example.com")]);
    let mut generation = 2;
    for day in 0..300 {
        let mut c = c.clone();
        c.description = format!("day {day}").into();
        let entries = vec![entry(&c, ChangeType::Changed, 10_000 + day)];
        let rec = Recording {
            registry: "r",
            replica: "one",
            expected: Some(generation),
            observed_ms: 10_000 + day,
            entries: &entries,
            baseline: &[],
        };
        generation = store::insert_changes(&db, &rec).await.unwrap().unwrap();
    }
    assert!(store::touch(&db, "r", generation, 99_000, "one")
        .await
        .unwrap());
    assert!(!store::touch(&db, "r", generation - 1, 99_500, "one")
        .await
        .unwrap());
    assert_eq!(
        store::head(&db, "r").await.unwrap().unwrap().recorded_ms,
        99_000
    );

    // Paging newest first, each page continuing where the last stopped.
    let all = HistoryFilter::registry("r");
    let page = store::query(&db, &all, None, 100).await.unwrap();
    assert_eq!(page.entries.len(), 100);
    assert_eq!(page.entries[0].change.project, "q");
    assert!(page.entries.windows(2).all(|w| w[0].id > w[1].id));
    let mut seen = page.entries.len();
    let mut next = page.next_before_id;
    while let Some(before) = next {
        let page = store::query(&db, &all, Some(before), 100).await.unwrap();
        assert!(page.entries.iter().all(|e| e.id < before));
        seen += page.entries.len();
        next = page.next_before_id;
    }
    assert_eq!(seen, 303);
    // Filters.
    let filter = HistoryFilter {
        project: Some("p".into()),
        ..HistoryFilter::registry("r")
    };
    let page = store::query(&db, &filter, None, 50).await.unwrap();
    let got: Vec<_> = page
        .entries
        .iter()
        .map(|e| (e.change.name.as_str(), e.change.change))
        .collect();
    assert_eq!(
        got,
        vec![("a", ChangeType::Removed), ("b", ChangeType::Changed)]
    );
    assert_eq!(page.next_before_id, None);
    assert_eq!(page.entries[1].object.owner, "new");
    assert_eq!(page.entries[1].change.fields[0].path, "owner");
    let filter = HistoryFilter {
        kind: Some(ObjectKind::Entity),
        change: Some(ChangeType::Removed),
        ..HistoryFilter::registry("r")
    };
    assert_eq!(
        store::query(&db, &filter, None, 50)
            .await
            .unwrap()
            .entries
            .len(),
        1
    );
    let filter = HistoryFilter {
        since: Some(instant_of_millis(10_100)),
        until: Some(instant_of_millis(10_110)),
        name: Some("c".into()),
        ..HistoryFilter::registry("r")
    };
    assert_eq!(
        store::query(&db, &filter, None, 50)
            .await
            .unwrap()
            .entries
            .len(),
        10
    );
    let other = HistoryFilter::registry("other");
    assert!(store::query(&db, &other, None, 50)
        .await
        .unwrap()
        .entries
        .is_empty());

    // Retention: by age, then by count.
    assert_eq!(
        retention::prune_registry(&db, "r", 10_000, 1_000_000)
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        retention::prune_registry(&db, "r", 0, 120).await.unwrap(),
        180
    );
    let page = store::query(&db, &all, None, 1000).await.unwrap();
    assert_eq!(page.entries.len(), 120);
    assert_eq!(page.entries[0].object.description, "day 299");
    assert_eq!(store::registries(&db).await.unwrap(), vec!["r".to_string()]);
    // The hourly task's settings: days 180 to 249 are more than a day older than `now`; the 50
    // left are within the count.
    let now = std::time::UNIX_EPOCH + std::time::Duration::from_millis(86_400_000 + 10_250);
    let settings = Retention {
        days: 1,
        max_entries: 100,
    };
    assert_eq!(retention::prune(&db, settings, now).await.unwrap(), 70);
    let page = store::query(&db, &all, None, 1000).await.unwrap();
    assert_eq!(page.entries.len(), 50);
    assert_eq!(page.entries[49].object.description, "day 250");
    // Nothing left to prune: a second run deletes nothing.
    assert_eq!(retention::prune(&db, settings, now).await.unwrap(), 0);
    db.close().await;
}

#[tokio::test]
async fn record_once_page_and_prune_on_sqlite() {
    record_once_page_and_prune(Backend::Sqlite).await;
}

#[tokio::test]
async fn record_once_page_and_prune_on_postgres() {
    record_once_page_and_prune(Backend::Postgres).await;
}

async fn audit_row(db: &ConsoleDb, permission: &str, operation: &str, committed: bool) -> i64 {
    use app::permissions::audit_state::AuditState;
    use server::permissions::audit::{self, NewRecord, Settled};
    let id = audit::begin(
        db,
        NewRecord {
            actor: "alice",
            registry: "r",
            project: "p",
            permission,
            original: None,
            operation,
            reason: "test",
            before: None,
            after: None,
            before_version: "absent",
            after_version: "",
            replica: "test",
        },
    )
    .await
    .unwrap();
    let state = if committed {
        AuditState::Committed
    } else {
        AuditState::Failed
    };
    let settled = Settled {
        state,
        after_version: None,
        detail: "",
        reconciled: false,
    };
    audit::settle(db, id, settled).await.unwrap();
    id
}

/// Console edits not linked yet are offered for matching; a recorded change's previous change
/// is found; reversions are reported per audit row (the first one).
async fn audit_links_and_reversions(backend: Backend) {
    let db = open(backend).await;
    let saved = audit_row(&db, "readers", "create", true).await;
    let _failed = audit_row(&db, "writers", "create", false).await;
    let saves = audit_link::unlinked_saves(&db, "r", 0).await.unwrap();
    assert_eq!(saves.len(), 1, "committed rows only");
    assert_eq!((saves[0].id, saves[0].actor.as_str()), (saved, "alice"));
    assert!(audit_link::unlinked_saves(&db, "other", 0)
        .await
        .unwrap()
        .is_empty());
    assert!(audit_link::unlinked_saves(&db, "r", i64::MAX)
        .await
        .unwrap()
        .is_empty());

    let permission = object(ObjectKind::Permission, "p", "readers");
    let first = Recording {
        registry: "r",
        replica: "one",
        expected: None,
        observed_ms: 1,
        entries: &[],
        baseline: &[],
    };
    store::insert_changes(&db, &first).await.unwrap();
    let mut added = entry(&permission, ChangeType::Added, 2);
    added.audit_id = Some(saved);
    added.actor = Some("alice".into());
    let rec = Recording {
        registry: "r",
        replica: "one",
        expected: Some(1),
        observed_ms: 2,
        entries: &[added.clone()],
        baseline: &[],
    };
    store::insert_changes(&db, &rec).await.unwrap();
    assert!(
        audit_link::unlinked_saves(&db, "r", 0)
            .await
            .unwrap()
            .is_empty(),
        "a linked row is not offered again"
    );
    let previous = audit_link::previous_change(&db, "r", &added.change)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (previous.change, previous.audit_id),
        (ChangeType::Added, Some(saved))
    );
    let mut removed = entry(&permission, ChangeType::Removed, 3);
    removed.reverts_audit = Some(saved);
    removed.not_before = Some(instant_of_millis(2));
    let rec = Recording {
        registry: "r",
        replica: "one",
        expected: Some(2),
        observed_ms: 3,
        entries: &[removed],
        baseline: &[],
    };
    store::insert_changes(&db, &rec).await.unwrap();
    let reverts = audit_link::reverts_of_audit(&db, &[saved, 999])
        .await
        .unwrap();
    assert_eq!(reverts.len(), 1);
    let r = &reverts[&saved];
    assert_eq!(r.change, ChangeType::Removed);
    assert_eq!(r.observed_at, instant_of_millis(3));
    assert_eq!(r.not_before, Some(instant_of_millis(2)));
    db.close().await;
}

#[tokio::test]
async fn audit_links_and_reversions_on_sqlite() {
    audit_links_and_reversions(Backend::Sqlite).await;
}

#[tokio::test]
async fn audit_links_and_reversions_on_postgres() {
    audit_links_and_reversions(Backend::Postgres).await;
}
