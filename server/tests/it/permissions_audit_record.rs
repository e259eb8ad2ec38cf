//! No permission change goes unrecorded: the audit record is written `pending` before the
//! registry write and settled after it, on SQLite and on the real PostgreSQL console database.
//! - a failed write leaves a `failed` record (and no committed one);
//! - records a dead console left pending are reconciled at start-up against the registry:
//!   committed (the change is there), failed (it is not), unknown (it changed since); and,
//!   while a console leads, records another process left pending longer than a save takes;
//! - a save whose client goes away mid-write (its request future dropped, as hyper does on a
//!   closed connection) still ends with a committed record.

use std::time::Duration;

use app::permissions::api::{AuditFilter, AuditRecord, SaveRequest};
use app::permissions::audit_state::AuditState;
use app::permissions::Policy;
use server::db::ConsoleDb;
use server::permissions::{audit, store};
use server::registry::write::{PermissionWriter, ABSENT};
use server::registry::{RegistrySource, SourceKind};

use crate::common::{self, Backend, TestApp};
use crate::permissions_crash::{hold_write_lock, release};
use crate::permissions_editing::{spec, sqlite_copy};
use crate::permissions_pages::{submit, CREATE};

const PROJECT: &str = "driver_ranking";

fn source(path: &std::path::Path) -> RegistrySource {
    RegistrySource {
        name: "demo".into(),
        kind: SourceKind::Sqlite(path.to_path_buf()),
        token: None,
    }
}

/// The real state and router on `database_url`, serving a scratch copy of the demo registry.
async fn app_on(database_url: String, registry: &std::path::Path) -> TestApp {
    let mut config = common::test_config(database_url);
    config.registries = vec![source(registry)];
    let state = server::http::serve::build_state(config).await.unwrap();
    state.lifecycle.mark_started();
    let router = server::http::router(state.clone());
    TestApp { state, router }
}

fn create(name: &str, role: &str) -> SaveRequest {
    let mut s = spec(name);
    s.policy = Policy::RoleBased {
        roles: vec![role.into()],
    };
    SaveRequest {
        registry: "demo".into(),
        project: PROJECT.into(),
        original_name: None,
        expected_version: ABSENT.into(),
        spec: Some(s),
        actor: "ada-admin".into(),
        reason: "record test".into(),
    }
}

async fn records(db: &ConsoleDb) -> Vec<AuditRecord> {
    audit::list(db, &AuditFilter::default()).await.unwrap()
}

fn of<'a>(records: &'a [AuditRecord], permission: &str) -> Vec<&'a AuditRecord> {
    records
        .iter()
        .filter(|r| r.permission == permission)
        .collect()
}

/// Waits until `check` holds on the audit records, or fails naming `what`.
async fn until(db: &ConsoleDb, what: &str, check: impl Fn(&[AuditRecord]) -> bool) {
    for _ in 0..600 {
        if check(&records(db).await) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}: not within 30 s; records: {:#?}", records(db).await);
}

async fn failed_writes_leave_failed_records(backend: Backend) {
    let db = ConsoleDb::open(&common::fresh_database_url(backend).await, 4)
        .await
        .unwrap();
    let registry = sqlite_copy("audit-failed").await;
    let writer = PermissionWriter::open(&source(&registry)).await.unwrap();
    let v1 = store::save(&writer, &db, &create("rec_kept", "one"))
        .await
        .expect("create");
    // Based on an old version: a conflict, nothing written.
    let mut stale = create("rec_kept", "two");
    stale.original_name = Some("rec_kept".into());
    stale.expected_version = "000000000000000000000000".into();
    let refused = store::save(&writer, &db, &stale).await;
    assert!(refused.is_err(), "{refused:?}");
    // A create in a project the registry does not have.
    let mut nowhere = create("rec_nowhere", "one");
    nowhere.project = "no_such_project".into();
    assert!(store::save(&writer, &db, &nowhere).await.is_err());

    let all = records(&db).await;
    let kept = of(&all, "rec_kept");
    let states: Vec<AuditState> = kept.iter().map(|r| r.state).collect();
    assert_eq!(
        states,
        vec![AuditState::Failed, AuditState::Committed],
        "{kept:#?}"
    );
    assert_eq!(
        kept[1].after_version, v1,
        "the committed record names the version"
    );
    assert!(
        kept[0].detail.contains("changed since"),
        "{}",
        kept[0].detail
    );
    let nowhere = of(&all, "rec_nowhere");
    assert_eq!(nowhere.len(), 1);
    assert_eq!(nowhere[0].state, AuditState::Failed);
    assert!(
        nowhere[0].detail.contains("does not exist"),
        "{}",
        nowhere[0].detail
    );
    // The stored permission is still the committed one.
    let stored = store::load(&writer, PROJECT, "rec_kept").await.unwrap();
    assert_eq!(stored.map(|s| s.version), Some(v1));

    // A failure's detail quotes errors (which can quote a server's answer): it is bounded.
    let id = left_pending(&db, &create("rec_long", "one")).await;
    let long = "é".repeat(3 * audit::MAX_DETAIL_CHARS);
    audit::settle(
        &db,
        id,
        audit::Settled {
            state: AuditState::Failed,
            after_version: None,
            detail: &long,
            reconciled: false,
        },
    )
    .await
    .unwrap();
    let all = records(&db).await;
    let kept = &of(&all, "rec_long")[0].detail;
    assert_eq!(kept.chars().count(), audit::MAX_DETAIL_CHARS);
}

#[tokio::test]
async fn failed_writes_leave_failed_records_on_sqlite() {
    failed_writes_leave_failed_records(Backend::Sqlite).await;
}

#[tokio::test]
async fn failed_writes_leave_failed_records_on_postgres() {
    failed_writes_leave_failed_records(Backend::Postgres).await;
}

/// Writes a pending record as a console process that then died would have left it.
async fn left_pending(db: &ConsoleDb, req: &SaveRequest) -> i64 {
    let after = req.spec.as_ref();
    let name = after.map_or(req.original_name.clone().unwrap_or_default(), |s| {
        s.name.clone()
    });
    audit::begin(
        db,
        audit::NewRecord {
            actor: &req.actor,
            registry: &req.registry,
            project: &req.project,
            permission: &name,
            original: req.original_name.as_deref(),
            operation: "create",
            reason: &req.reason,
            before: None,
            after,
            before_version: &req.expected_version,
            after_version: "",
            replica: "console-killed-1-deadbeef",
        },
    )
    .await
    .unwrap()
}

/// A create of `name` whose process died after its registry write: the change is there, its
/// record pending.
async fn died_after_writing(db: &ConsoleDb, writer: &PermissionWriter, name: &str) {
    let made = create(name, "one");
    left_pending(db, &made).await;
    let spec = made.spec.as_ref().expect("a create has a spec");
    writer
        .put(PROJECT, None, ABSENT, store::to_proto(spec))
        .await
        .unwrap();
}

async fn pending_records_of_a_dead_console_are_reconciled_at_start_up(backend: Backend) {
    let url = common::fresh_database_url(backend).await;
    let db = ConsoleDb::open(&url, 4).await.unwrap();
    let registry = sqlite_copy("audit-reconcile").await;
    let writer = PermissionWriter::open(&source(&registry)).await.unwrap();
    // Killed after its registry write: the change is there.
    died_after_writing(&db, &writer, "rec_made").await;
    // Killed before it: the change is not.
    left_pending(&db, &create("rec_lost", "one")).await;
    // Killed, and someone else wrote the name since: nobody can tell.
    left_pending(&db, &create("rec_other", "one")).await;
    store::save(&writer, &db, &create("rec_other", "someone-else"))
        .await
        .unwrap();
    assert_eq!(
        of(&records(&db).await, "rec_made")[0].state,
        AuditState::Pending
    );
    tokio::time::sleep(Duration::from_millis(5)).await;

    // The console starts again (a new process: a new name) and leads: it reconciles.
    let app = app_on(url, &registry).await;
    let db = app.state.db.clone();
    until(&db, "every record settled", |all| {
        all.iter().all(|r| r.state != AuditState::Pending)
    })
    .await;
    let all = records(&db).await;
    let one = |name: &str, role: &str| -> &AuditRecord {
        let rs: Vec<_> = of(&all, name)
            .into_iter()
            .filter(|r| {
                r.after.as_ref().is_some_and(|a| {
                    a.policy
                        == Policy::RoleBased {
                            roles: vec![role.into()],
                        }
                })
            })
            .collect();
        assert_eq!(rs.len(), 1, "{name} {role}: {all:#?}");
        rs[0]
    };
    for (name, state) in [
        ("rec_made", AuditState::Committed),
        ("rec_lost", AuditState::Failed),
        ("rec_other", AuditState::Unknown),
    ] {
        let r = one(name, "one");
        assert_eq!(r.state, state, "{r:#?}");
        assert!(
            r.detail.contains("reconciled by console process"),
            "{}",
            r.detail
        );
    }
    assert_eq!(
        one("rec_other", "someone-else").state,
        AuditState::Committed
    );
    let made_now = writer.read(PROJECT, "rec_made").await.unwrap().unwrap();
    assert_eq!(one("rec_made", "one").after_version, made_now.version);
}

#[tokio::test]
async fn pending_records_are_reconciled_at_start_up_on_sqlite() {
    pending_records_of_a_dead_console_are_reconciled_at_start_up(Backend::Sqlite).await;
}

#[tokio::test]
async fn pending_records_are_reconciled_at_start_up_on_postgres() {
    pending_records_of_a_dead_console_are_reconciled_at_start_up(Backend::Postgres).await;
}

async fn a_dropped_request_still_ends_with_a_committed_record(backend: Backend) {
    let registry = sqlite_copy("audit-dropped").await;
    let app = app_on(common::fresh_database_url(backend).await, &registry).await;
    let db = app.state.db.clone();
    // Hold the registry's write lock, so the save waits inside its registry write.
    let blocker = hold_write_lock(&registry).await;
    let request = submit(&app, None, CREATE);
    let router = app.router.clone();
    let client = tokio::spawn(async move {
        use tower::ServiceExt;
        router.oneshot(request).await
    });
    until(&db, "the save's pending record", |all| {
        of(all, "http_created")
            .first()
            .is_some_and(|r| r.state == AuditState::Pending)
    })
    .await;
    // The client goes away: its request future is dropped mid-write.
    client.abort();
    assert!(client.await.is_err_and(|e| e.is_cancelled()));
    release(blocker).await;

    until(&db, "the dropped save's record committed", |all| {
        of(all, "http_created")
            .first()
            .is_some_and(|r| r.state == AuditState::Committed)
    })
    .await;
    let writer = PermissionWriter::open(&source(&registry)).await.unwrap();
    let stored = writer.read(PROJECT, "http_created").await.unwrap();
    let all = records(&db).await;
    assert_eq!(
        stored.map(|r| r.version).as_deref(),
        Some(of(&all, "http_created")[0].after_version.as_str()),
        "the record names the version the registry holds"
    );
}

#[tokio::test]
async fn a_dropped_request_still_ends_with_a_committed_record_on_sqlite() {
    a_dropped_request_still_ends_with_a_committed_record(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_dropped_request_still_ends_with_a_committed_record_on_postgres() {
    a_dropped_request_still_ends_with_a_committed_record(Backend::Postgres).await;
}

#[tokio::test]
async fn a_record_left_pending_while_the_leader_runs_is_reconciled_once_stale() {
    use server::permissions::reconcile::{run, Timing};
    let db = ConsoleDb::open(&common::fresh_database_url(Backend::Sqlite).await, 4)
        .await
        .unwrap();
    let registry = sqlite_copy("audit-stale").await;
    let writer = PermissionWriter::open(&source(&registry)).await.unwrap();
    let timing = Timing {
        stale: Duration::from_millis(300),
        every: Duration::from_millis(100),
        give_up: Duration::from_secs(3600),
    };
    let leader = tokio::spawn(run(
        db.clone(),
        vec![source(&registry)],
        server::lease::Leadership::always("leader"),
        timing,
    ));
    tokio::time::sleep(Duration::from_millis(50)).await;
    // Another replica dies after writing its change, while this one leads.
    died_after_writing(&db, &writer, "rec_late").await;
    // This process's own pending record is its own to settle, never reconciled.
    let own = audit::begin(
        &db,
        audit::NewRecord {
            actor: "ada-admin",
            registry: "demo",
            project: PROJECT,
            permission: "rec_in_flight",
            original: None,
            operation: "create",
            reason: "in flight",
            before: None,
            after: None,
            before_version: ABSENT,
            after_version: "",
            replica: server::lease::this_process(),
        },
    )
    .await
    .unwrap();
    until(&db, "the stale record reconciled", |all| {
        of(all, "rec_late")
            .first()
            .is_some_and(|r| r.state == AuditState::Committed)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    leader.abort();
    let all = records(&db).await;
    assert!(
        of(&all, "rec_late")[0]
            .detail
            .contains("reconciled by console process"),
        "{all:#?}"
    );
    let in_flight = of(&all, "rec_in_flight");
    assert_eq!(
        (in_flight[0].id, in_flight[0].state),
        (own, AuditState::Pending)
    );
}
