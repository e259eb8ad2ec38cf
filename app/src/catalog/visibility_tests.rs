use std::collections::BTreeMap;

use super::*;
use crate::catalog::model::{Detail, PermissionDetail};
use crate::permissions::model::Policy;

fn object(kind: ObjectKind, project: &str, name: &str) -> CatalogObject {
    let mut o = CatalogObject::unreadable(kind, project, name, String::new());
    o.detail = Detail::Project;
    o
}

fn permission(
    project: &str,
    name: &str,
    types: &[&str],
    patterns: &[&str],
    policy: Policy,
) -> CatalogObject {
    let mut o = object(ObjectKind::Permission, project, name);
    o.detail = Detail::Permission(PermissionDetail {
        types: types.iter().map(|t| t.to_string()).collect(),
        name_patterns: patterns.iter().map(|t| t.to_string()).collect(),
        required_tags: BTreeMap::new(),
        actions: vec!["DESCRIBE".into()],
        policy: Some(policy),
    });
    o
}

fn registry() -> Vec<CatalogObject> {
    vec![
        object(ObjectKind::Project, "a", "a"),
        object(ObjectKind::FeatureView, "a", "driver_stats"),
        object(ObjectKind::FeatureView, "a", "payments"),
        object(ObjectKind::Entity, "a", "driver"),
        permission(
            "a",
            "readers",
            &["FEATURE_VIEW"],
            &["driver_.*"],
            Policy::RoleBased {
                roles: vec!["reader".into()],
            },
        ),
        object(ObjectKind::Project, "open", "open"),
        object(ObjectKind::FeatureView, "open", "anything"),
    ]
}

fn visible(objects: &[CatalogObject], user: Option<&User>) -> Vec<String> {
    let refs: Vec<&CatalogObject> = objects.iter().collect();
    let d = describable(&refs, user, None);
    objects
        .iter()
        .enumerate()
        .filter(|(i, _)| d.allows(*i))
        .map(|(_, o)| format!("{}/{}", o.project, o.name))
        .collect()
}

#[test]
fn each_object_is_feasts_describe_decision() {
    let objects = registry();
    let reader = User::named("rita").with_roles(&["reader"]);
    // In `a`, only driver_.* views are granted; everything else there matches no permission
    // and is denied. `open` has no permissions: any named user may describe it.
    assert_eq!(
        visible(&objects, Some(&reader)),
        ["a/driver_stats", "open/open", "open/anything"]
    );
    let other = User::named("otto");
    assert_eq!(
        visible(&objects, Some(&other)),
        ["open/open", "open/anything"]
    );
}

#[test]
fn no_identity_or_no_name_sees_nothing() {
    let objects = registry();
    assert!(visible(&objects, None).is_empty());
    // Feast refuses a nameless user even where no permission is defined.
    assert!(visible(&objects, Some(&User::default())).is_empty());
}

#[test]
fn what_the_evaluator_cannot_decide_is_hidden_and_counted() {
    let mut objects = registry();
    // A pattern Python's `re` would reject: Feast answers 500, the console hides the object.
    objects.push(permission(
        "b",
        "broken",
        &["FEATURE_VIEW"],
        &["(unclosed"],
        Policy::AllowAll,
    ));
    objects.push(object(ObjectKind::FeatureView, "b", "x"));
    // A permission whose bytes could not be decoded makes its whole project undecidable.
    let mut unreadable = object(ObjectKind::Permission, "c", "garbled");
    unreadable.detail = Detail::Unreadable {
        error: "cannot decode".into(),
    };
    objects.push(unreadable);
    objects.push(object(ObjectKind::FeatureView, "c", "y"));
    let refs: Vec<&CatalogObject> = objects.iter().collect();
    let user = User::named("rita").with_roles(&["reader"]);
    let d = describable(&refs, Some(&user), None);
    let shown: Vec<&str> = objects
        .iter()
        .enumerate()
        .filter(|(i, _)| d.allows(*i))
        .map(|(_, o)| o.name.as_str())
        .collect();
    assert!(!shown.contains(&"x") && !shown.contains(&"y") && !shown.contains(&"garbled"));
    assert_eq!(d.undecided, 3, "x, garbled and y");
    assert_eq!(d.visible(), shown.len());
}

#[test]
fn the_internal_entity_is_neither_shown_nor_counted() {
    let mut objects = registry();
    objects.push(object(ObjectKind::Entity, "c", "__dummy"));
    objects.push(object(ObjectKind::Entity, "open", "__dummy"));
    let mut unreadable = object(ObjectKind::Permission, "c", "garbled");
    unreadable.detail = Detail::Unreadable {
        error: "cannot decode".into(),
    };
    objects.push(unreadable);
    let refs: Vec<&CatalogObject> = objects.iter().collect();
    let d = describable(&refs, Some(&User::named("rita")), None);
    assert_eq!(d.undecided, 1, "only garbled: the page never lists __dummy");
    assert!(!visible(&objects, Some(&User::named("rita"))).contains(&"open/__dummy".to_string()));
}

#[test]
fn projects_follow_the_server_project_when_there_is_one() {
    let objects = registry();
    let refs: Vec<&CatalogObject> = objects.iter().collect();
    let user = User::named("otto");
    // `a` has permissions, none for projects: deciding projects with them hides both.
    let d = describable(&refs, Some(&user), Some("a"));
    assert!(!d.allows(0) && !d.allows(5));
    assert!(d.allows(6), "objects still follow their own project");
}

#[test]
fn demo_identities_map_to_feast_users() {
    let identity = crate::auth::demo::DEMO_USERS[2].identity();
    let user = feast_user(&identity);
    assert_eq!(user.username, identity.username);
    assert_eq!(user.roles, identity.feast_roles);
    assert_eq!(user.namespaces, identity.namespaces);
}

#[test]
fn rules_decide_copies_and_removed_objects_as_the_snapshot_would() {
    let objects = registry();
    let rules = DescribeRules::new(objects.iter(), None);
    let reader = User::named("rita").with_roles(&["reader"]);
    // A copy (a history entry's object) gets its original's decision.
    let shown = visible(&objects, Some(&reader));
    for o in &objects {
        let copy = o.clone();
        assert_eq!(
            rules.decide(&reader, &copy) == Decision::Allow,
            shown.contains(&format!("{}/{}", o.project, o.name)),
            "{}/{}",
            o.project,
            o.name
        );
    }
    // An object no longer in the registry is decided by its project's current permissions.
    let gone = object(ObjectKind::FeatureView, "a", "driver_gone");
    assert_eq!(rules.decide(&reader, &gone), Decision::Allow);
    let hidden = object(ObjectKind::FeatureView, "a", "payments_gone");
    assert_eq!(rules.decide(&reader, &hidden), Decision::Deny);
}
