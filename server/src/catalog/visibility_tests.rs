use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use app::auth::identity::Identity;
use app::catalog::model::{Detail, ObjectKind, PermissionDetail};
use app::permissions::model::Policy;

use super::*;
use crate::registry::source::{RegistrySource, SourceKind};
use app::catalog::visibility::VisibilityRule;

fn object(kind: ObjectKind, project: &str, name: &str) -> CatalogObject {
    let mut o = CatalogObject::unreadable(kind, project, name, String::new());
    o.detail = Detail::Project;
    o
}

fn snapshot(views: usize) -> RegistrySnapshot {
    let mut objects = vec![object(ObjectKind::Project, "p", "p")];
    for i in 0..views {
        objects.push(object(ObjectKind::FeatureView, "p", &format!("view_{i}")));
    }
    let mut readers = object(ObjectKind::Permission, "p", "readers");
    readers.detail = Detail::Permission(PermissionDetail {
        types: vec!["FEATURE_VIEW".into(), "PROJECT".into()],
        name_patterns: vec!["view_1.*".into(), "p".into()],
        required_tags: BTreeMap::new(),
        actions: vec!["DESCRIBE".into()],
        policy: Some(Policy::RoleBased {
            roles: vec!["reader".into()],
        }),
    });
    objects.push(readers);
    RegistrySnapshot::build(objects, vec![], SystemTime::now(), Duration::ZERO)
}

fn user(roles: &[&str]) -> User {
    User::named("u").with_roles(roles)
}

#[test]
fn a_decision_is_made_once_per_snapshot_and_identity() {
    let cache = VisibilityCache::new(1 << 20);
    let snap = Arc::new(snapshot(20));
    let reader = user(&["reader"]);
    let first = cache.decision(&snap, Some(&reader));
    let again = cache.decision(&snap, Some(&reader));
    assert!(
        Arc::ptr_eq(&first, &again),
        "the second page reuses the decision"
    );
    // view_1 and view_10..view_19, plus the project.
    assert_eq!(first.visible(), 12);
    let other = cache.decision(&snap, Some(&user(&["nobody"])));
    assert_eq!(other.visible(), 0);
    assert_eq!(cache.figures().decisions, 2);

    // A new snapshot is decided again; the old one's entries go with it.
    let next = Arc::new(snapshot(20));
    let fresh = cache.decision(&next, Some(&reader));
    assert!(!Arc::ptr_eq(&first, &fresh));
    drop(snap);
    drop(first);
    drop(again);
    drop(other);
    let _ = cache.decision(&next, Some(&user(&["x"])));
    assert_eq!(
        cache.figures().decisions,
        2,
        "entries of a dropped snapshot are gone"
    );
}

#[test]
fn the_cache_stays_under_its_byte_bound() {
    let snap = Arc::new(snapshot(5_000));
    // The snapshot's shared index, and then each identity's bits.
    let probe = VisibilityCache::new(usize::MAX);
    let _ = probe.decision(&snap, Some(&user(&["r0"])));
    let first = probe.figures().bytes;
    let _ = probe.decision(&snap, Some(&user(&["r1"])));
    let per_identity = probe.figures().bytes - first;
    assert!(
        per_identity < 1_000,
        "about a bit per object: {per_identity} B"
    );
    let limit = first + 3 * per_identity;
    let cache = VisibilityCache::new(limit);
    for i in 0..50 {
        let _ = cache.decision(&snap, Some(&user(&[&format!("r{i}")])));
        assert!(cache.figures().bytes <= limit, "{:?}", cache.figures());
    }
    assert_eq!(
        cache.figures().decisions,
        4,
        "the least recently used went first"
    );
}

#[test]
fn objects_not_in_the_snapshot_are_not_shown() {
    let cache = VisibilityCache::new(1 << 20);
    let snap = Arc::new(snapshot(3));
    let decision = cache.decision(&snap, Some(&user(&["reader"])));
    let view = snap.objects.iter().find(|o| o.name == "view_1").unwrap();
    assert!(decision.allows(view));
    let copy: CatalogObject = (**view).clone();
    assert!(
        !decision.allows(&copy),
        "a copy is not the snapshot's object: fail closed"
    );
}

fn session(role: Option<ConsoleRole>, roles: &[&str]) -> SessionView {
    SessionView {
        auth_off: true,
        identity: Some(Identity {
            username: "u".into(),
            feast_roles: roles.iter().map(|r| r.to_string()).collect(),
            ..Identity::default()
        }),
        role,
    }
}

fn visibility(
    rule: VisibilityRule,
    admins: VisibilityRule,
) -> (CatalogVisibility, Arc<RegistrySnapshot>) {
    let source = RegistrySource {
        name: "r".into(),
        kind: SourceKind::File("/nonexistent".into()),
        token: None,
    };
    let registries = Registries::new(&[source]);
    registries.handles[0].record(Ok(Some(snapshot(3))));
    let snap = registries.handles[0].snapshot().unwrap();
    let v = CatalogVisibility::new(
        rule,
        admins,
        registries,
        Arc::new(VisibilityCache::new(1 << 20)),
        Arc::new(CrossCheck::new(0)),
    );
    (v, snap)
}

#[test]
fn rules_and_roles_decide_who_follows_feast() {
    let (feast, snap) = visibility(VisibilityRule::Feast, VisibilityRule::Feast);
    let view_2 = snap.objects.iter().find(|o| o.name == "view_2").unwrap();
    let view_1 = snap.objects.iter().find(|o| o.name == "view_1").unwrap();
    let reader = feast.for_session(&session(Some(ConsoleRole::Viewer), &["reader"]));
    assert!(reader.may_describe("r", view_1) && !reader.may_describe("r", view_2));
    assert!(
        !reader.may_describe("other", view_1),
        "an unknown registry shows nothing"
    );
    let admin = feast.for_session(&session(Some(ConsoleRole::Admin), &[]));
    assert!(
        !admin.may_describe("r", view_1),
        "admins follow Feast in the catalog by default"
    );
    let nobody = feast.for_session(&SessionView::default());
    assert!(
        !nobody.may_describe("r", view_1),
        "no identity sees nothing"
    );

    let (admins_all, snap) = visibility(VisibilityRule::Feast, VisibilityRule::All);
    let view_2 = snap.objects.iter().find(|o| o.name == "view_2").unwrap();
    assert!(admins_all
        .for_session(&session(Some(ConsoleRole::Admin), &[]))
        .may_describe("r", view_2));
    assert!(!admins_all
        .for_session(&session(Some(ConsoleRole::Viewer), &[]))
        .may_describe("r", view_2));

    let (all, snap) = visibility(VisibilityRule::All, VisibilityRule::Feast);
    let view_2 = snap.objects.iter().find(|o| o.name == "view_2").unwrap();
    assert!(all
        .for_session(&session(Some(ConsoleRole::Viewer), &[]))
        .may_describe("r", view_2));
}

#[test]
fn a_decision_answers_by_position_only_for_its_own_snapshot() {
    let cache = VisibilityCache::new(1 << 20);
    let snap = Arc::new(snapshot(30));
    let visibility = RequestVisibility {
        everything: false,
        registries: vec![("r".into(), cache.decision(&snap, Some(&user(&["reader"]))))],
    };
    let Some(Decided::Bits(bits)) = visibility.decided("r", Arc::as_ptr(&snap) as usize) else {
        panic!("the decided snapshot answers by position");
    };
    // Positions: projects, then objects; each bit is the object-by-object answer.
    for (position, o) in ordered(&snap).enumerate() {
        assert_eq!(
            bits.allows(position),
            visibility.may_describe("r", o),
            "{}",
            o.name
        );
    }
    // A refreshed snapshot (the list's index was built from it) is asked object by object.
    let refreshed = Arc::new(snapshot(30));
    assert!(visibility
        .decided("r", Arc::as_ptr(&refreshed) as usize)
        .is_none());
    assert!(matches!(
        visibility.decided("elsewhere", Arc::as_ptr(&snap) as usize),
        Some(Decided::Nothing)
    ));
    let everything = RequestVisibility {
        everything: true,
        registries: Vec::new(),
    };
    assert!(matches!(
        everything.decided("r", 1),
        Some(Decided::Everything)
    ));
}
