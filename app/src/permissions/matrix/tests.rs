use std::collections::BTreeMap;

use super::*;
use crate::permissions::model::ResourceType as T;

fn perm(name: &str, types: &[T], actions: &[Action], policy: Policy) -> PermissionSpec {
    PermissionSpec {
        name: name.into(),
        types: types.to_vec(),
        name_patterns: vec![],
        required_tags: BTreeMap::new(),
        actions: actions.to_vec(),
        policy,
        tags: BTreeMap::new(),
    }
}

fn roles(r: &[&str]) -> Policy {
    Policy::RoleBased {
        roles: r.iter().map(|s| s.to_string()).collect(),
    }
}

#[test]
fn principals_come_from_every_policy_once() {
    let perms = vec![
        perm("a", &[], &[Action::Describe], roles(&["reader", "admin"])),
        perm("b", &[], &[Action::Describe], roles(&["admin"])),
        perm(
            "c",
            &[],
            &[Action::Describe],
            Policy::CombinedGroupNamespace {
                groups: vec!["/dev".into()],
                namespaces: vec!["team-a".into()],
            },
        ),
    ];
    let labels: Vec<String> = principals_from_policies(&perms, &[])
        .into_iter()
        .map(|p| p.label)
        .collect();
    assert_eq!(
        labels,
        [
            "role:reader",
            "role:admin",
            "group:/dev",
            "namespace:team-a"
        ]
    );
}

#[test]
fn matrix_counts_objects_per_type_and_action() {
    let perms = vec![perm(
        "readers",
        &[T::FeatureView],
        &[Action::Describe, Action::ReadOnline],
        roles(&["reader"]),
    )];
    let objects = vec![
        Resource::new(T::FeatureView, "a"),
        Resource::new(T::BatchFeatureView, "b"),
        Resource::new(T::OnDemandFeatureView, "c"),
    ];
    let principals = principals_from_policies(&perms, &[]);
    let m = access_matrix(&perms, &principals, &objects);
    let col = |t, a| {
        m.columns
            .iter()
            .position(|c| *c == (t, a))
            .unwrap_or(usize::MAX)
    };
    let row = &m.rows[0];
    assert_eq!(row[col(T::FeatureView, Action::Describe)].allowed, 1);
    assert_eq!(row[col(T::BatchFeatureView, Action::ReadOnline)].allowed, 1);
    assert_eq!(row[col(T::BatchFeatureView, Action::Update)].denied, 1);
    assert_eq!(
        row[col(T::OnDemandFeatureView, Action::Describe)].denied,
        1,
        "FEATURE_VIEW does not cover on-demand views"
    );
}

#[test]
fn diff_reports_gains_and_losses_including_updates() {
    let objects = vec![Resource::new(T::Entity, "driver")];
    let before = vec![perm(
        "d",
        &[T::Entity],
        &[Action::Describe],
        roles(&["dev"]),
    )];
    let mut after = before.clone();
    after.push(perm("u", &[T::Entity], &[Action::Update], roles(&["dev"])));
    let changes = access_diff(&before, &after, &[], &objects);
    // UPDATE alone is gained, but an update (DESCRIBE+UPDATE) stays impossible.
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].actions, vec![Action::Update]);
    assert!(changes[0].gained());
    let merged = vec![perm(
        "du",
        &[T::Entity],
        &[Action::Describe, Action::Update],
        roles(&["dev"]),
    )];
    let changes = access_diff(&before, &merged, &[], &objects);
    assert!(
        changes
            .iter()
            .any(|c| c.actions == Action::UPDATE_REQUEST && c.gained()),
        "{changes:?}"
    );
    let removed = access_diff(
        &before,
        &[perm(
            "other",
            &[T::Project],
            &[Action::Describe],
            roles(&["x"]),
        )],
        &[],
        &objects,
    );
    assert!(removed
        .iter()
        .any(|c| c.principal == "role:dev" && c.lost()));
}

#[test]
fn removing_the_last_permission_opens_the_project() {
    let objects = vec![Resource::new(T::Entity, "driver")];
    let before = vec![perm(
        "d",
        &[T::Entity],
        &[Action::Describe],
        roles(&["dev"]),
    )];
    let extra = [Principal::new("alice", User::named("alice"))];
    let changes = access_diff(&before, &[], &extra, &objects);
    assert!(changes
        .iter()
        .any(|c| c.principal == "alice" && c.actions == [Action::Delete] && c.gained()));
}
