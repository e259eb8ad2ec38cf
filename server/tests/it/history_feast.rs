//! Registry history against real Feast 0.67: `feast apply` changes a repository between the
//! console's reads (add, change fields, remove, rename, re-apply unchanged) on SQLite, file
//! and PostgreSQL registries and a SQLite registry read through Feast's REST registry server,
//! and the recorded history is exactly what was done:
//! - two consoles recording the same registry into one console database write each change once
//!   (each compares with what the other recorded; racing, one of them writes);
//! - changes made while no console runs are recorded by the next one, "between" the last
//!   recorded time and its read (`not_before`);
//! - a permission saved in the console's editor is linked to its audit row and actor, and its
//!   removal by the next `feast apply` (a repository without it) is marked as reverting it.

use app::catalog::model::ObjectKind;
use app::history::model::ChangeType;
use app::permissions::api::SaveRequest;
use app::permissions::Policy;
use server::db::ConsoleDb;
use server::history::recorder::Recorded;
use server::history::{audit_link, store};
use server::permissions::store as permissions;
use server::registry::write::{PermissionWriter, ABSENT};

use crate::common::{self, Backend};
use crate::history_support::{all_entries, summary, Console, FeastRepo, RegistryKind};
use crate::permissions_editing::spec;

const HEAD: &str = r#"
from datetime import timedelta
from feast import Entity, FeatureView, Field, FileSource, Project, ValueType
from feast.types import Float32, Int64
project = Project(name="shop", description="Shop", owner="shop@example.com")
customer = Entity(name="customer", join_keys=["customer_id"], value_type=ValueType.INT64)
orders = FileSource(name="orders", path="/tmp/orders.parquet", timestamp_field="ts")
"#;

/// A feature view of `customer` over `orders`: name, ttl in days, extra features, team tag.
fn view(name: &str, ttl_days: u32, extra: &[&str], team: &str) -> String {
    let mut schema = vec![
        "Field(name=\"customer_id\", dtype=Int64)".to_string(),
        "Field(name=\"spend\", dtype=Float32)".to_string(),
    ];
    schema.extend(
        extra
            .iter()
            .map(|f| format!("Field(name=\"{f}\", dtype=Int64)")),
    );
    format!(
        "{name} = FeatureView(name=\"{name}\", entities=[customer], ttl=timedelta(days={ttl_days}), \
         schema=[{}], source=orders, tags={{\"team\": \"{team}\"}}, owner=\"growth@example.com\")\n",
        schema.join(", ")
    )
}

fn repo_with(views: &[String]) -> String {
    format!("{HEAD}{}", views.concat())
}

fn save_request(name: &str) -> SaveRequest {
    let mut s = spec(name);
    s.name_patterns = vec!["customer.*".into()];
    s.required_tags.clear();
    s.policy = Policy::RoleBased {
        roles: vec!["analyst".into()],
    };
    SaveRequest {
        registry: "shop".into(),
        project: "shop".into(),
        original_name: None,
        expected_version: ABSENT.into(),
        spec: Some(s),
        actor: "ada-admin".into(),
        reason: "history test".into(),
    }
}

fn changes(r: Recorded) -> usize {
    match r {
        Recorded::Changes(n) => n,
        _ => 0,
    }
}

async fn history_equals_what_was_done(kind: RegistryKind, backend: Backend) {
    let repo = FeastRepo::new(kind).await;
    let db = ConsoleDb::open(&common::fresh_database_url(backend).await, 4)
        .await
        .expect("console database");
    let source = repo.source();
    let stats = |ttl, extra: &[&str], team| view("customer_stats", ttl, extra, team);
    repo.apply(&repo_with(&[stats(1, &[], "growth")])).await;
    let mut a = Console::start(&db, &source, "replica-a").await;
    let mut b = Console::start(&db, &source, "replica-b").await;
    assert_eq!(a.look().await, Recorded::Baseline);
    assert_eq!(
        b.look().await,
        Recorded::Unchanged,
        "b compares with what a stored"
    );

    // A permission saved in the console, then a repository without it applied.
    // A REST registry is written with the user's own token; Feast's server here has no auth.
    let writer = PermissionWriter::open(&source)
        .await
        .expect("writer")
        .with_token(Some("no-auth".into()));
    permissions::save(&writer, &db, &save_request("shop_readers"))
        .await
        .expect("console save");
    assert_eq!(a.look().await, Recorded::Changes(1));

    // Add a view (b records; a's copy is then one generation behind and reloads).
    let orders_view = view("customer_orders", 7, &["orders"], "growth");
    repo.apply(&repo_with(&[stats(1, &[], "growth"), orders_view.clone()]))
        .await;
    let added = changes(b.look().await);
    assert_eq!(a.look().await, Recorded::Unchanged);
    // Change fields (a records).
    repo.apply(&repo_with(&[
        stats(2, &["visits"], "retention"),
        orders_view,
    ]))
    .await;
    let changed = changes(a.look().await);
    assert_eq!(b.look().await, Recorded::Unchanged);
    // Remove a view, both consoles racing: one records.
    repo.apply(&repo_with(&[stats(2, &["visits"], "retention")]))
        .await;
    a.refresh().await;
    b.refresh().await;
    let (ra, rb) = tokio::join!(a.record(), b.record());
    assert_eq!(changes(ra) + changes(rb), 1, "{ra:?} {rb:?}");
    let recorded_before_restart = store::head(&db, "shop").await.unwrap().unwrap();

    // Both consoles stop; a rename is applied; a new console records it "between".
    drop((a, b));
    let renamed = view("customer_profile", 2, &["visits"], "retention");
    repo.apply(&repo_with(std::slice::from_ref(&renamed))).await;
    let mut c = Console::start(&db, &source, "replica-c").await;
    assert_eq!(c.look().await, Recorded::Changes(2));
    // Re-applied unchanged: nothing.
    repo.apply(&repo_with(&[renamed])).await;
    let again = c.look().await;
    assert!(
        matches!(again, Recorded::Same | Recorded::Unchanged),
        "{again:?}"
    );

    let entries = all_entries(&db, "shop").await;
    let got: Vec<String> = entries.iter().map(summary).collect();
    assert_eq!(
        got,
        vec![
            "added permission shop_readers []",
            "added feature_view customer_orders []",
            "removed permission shop_readers []",
            "changed feature_view customer_stats [features[+visits], tags.team, ttl_seconds]",
            "removed feature_view customer_orders []",
            "added feature_view customer_profile []",
            "removed feature_view customer_stats []",
        ],
        "what was done, once each"
    );
    assert_eq!(
        (added, changed),
        (2, 1),
        "the permission's removal came with the add"
    );
    // The console's save: its audit row and actor; the removal by feast apply reverts it.
    let saved = &entries[0];
    assert_eq!(saved.actor.as_deref(), Some("ada-admin"));
    let audit_id = saved.audit_id.expect("linked to its audit row");
    let removed = &entries[2];
    assert_eq!((removed.audit_id, removed.actor.as_deref()), (None, None));
    assert_eq!(removed.reverts_audit, Some(audit_id));
    assert_eq!(removed.object.kind, ObjectKind::Permission);
    let reverts = audit_link::reverts_of_audit(&db, &[audit_id])
        .await
        .unwrap();
    assert_eq!(reverts[&audit_id].history_id, removed.id);
    // Field values as people read them.
    let fields = &entries[3].change.fields;
    assert!(
        fields[0]
            .after
            .as_deref()
            .is_some_and(|v| v.starts_with("name: visits, dtype: ")),
        "{fields:?}"
    );
    assert_eq!(
        (fields[2].before.as_deref(), fields[2].after.as_deref()),
        (Some("86400"), Some("172800"))
    );
    // Only the changes made while no console ran are "between T1 and T2".
    for e in &entries[..5] {
        assert_eq!(e.not_before, None, "{}", summary(e));
    }
    for e in &entries[5..] {
        let t1 = app::history::model::instant_of_millis(recorded_before_restart.recorded_ms);
        assert_eq!(e.not_before, Some(t1), "{}", summary(e));
        assert!(e.observed_at >= t1);
        assert_eq!(
            e.change.change == ChangeType::Removed,
            e.row_updated.is_none()
        );
    }
    db.close().await;
}

#[tokio::test]
async fn sqlite_registry_history_equals_what_was_done() {
    history_equals_what_was_done(RegistryKind::Sqlite, Backend::Sqlite).await;
}

#[tokio::test]
async fn file_registry_history_equals_what_was_done() {
    history_equals_what_was_done(RegistryKind::File, Backend::Sqlite).await;
}

#[tokio::test]
async fn rest_registry_history_equals_what_was_done() {
    history_equals_what_was_done(RegistryKind::Rest, Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_registry_history_equals_what_was_done() {
    history_equals_what_was_done(RegistryKind::Postgres, Backend::Postgres).await;
}
