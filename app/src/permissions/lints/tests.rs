use std::collections::BTreeMap;

use super::*;
use crate::permissions::model::ResourceType as T;

fn perm(
    name: &str,
    types: &[T],
    patterns: &[&str],
    actions: &[Action],
    policy: Policy,
) -> PermissionSpec {
    PermissionSpec {
        name: name.into(),
        types: types.to_vec(),
        name_patterns: patterns.iter().map(|s| s.to_string()).collect(),
        required_tags: BTreeMap::new(),
        actions: actions.to_vec(),
        policy,
        tags: BTreeMap::new(),
    }
}

fn ns(n: &[&str]) -> Policy {
    Policy::NamespaceBased {
        namespaces: n.iter().map(|s| s.to_string()).collect(),
    }
}

fn lints(permissions: &[PermissionSpec], objects: &[Resource], server: Option<&str>) -> Vec<Lint> {
    lint_project(&LintContext {
        project: "driver_ranking",
        permissions,
        objects,
        extra_principals: &[],
        registry_server_project: server,
    })
}

fn find(lints: &[Lint], code: LintCode) -> Vec<&Lint> {
    lints.iter().filter(|l| l.code == code).collect()
}

#[test]
fn ignored_required_tags_name_who_gains_access() {
    let mut shared = perm(
        "team_a_read_shared",
        &[T::FeatureView],
        &[],
        &[Action::Describe, Action::ReadOffline],
        ns(&["team-b"]),
    );
    shared
        .required_tags
        .insert("visibility".into(), "shared".into());
    let objects = [
        Resource::new(T::FeatureView, "driver_quality_sensitive").with_tag("visibility", "private"),
        Resource::new(T::FeatureView, "driver_shared").with_tag("visibility", "shared"),
    ];
    let out = lints(&[shared], &objects, None);
    let l = find(&out, LintCode::RequiredTagsIgnored);
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].severity, Severity::Error);
    assert_eq!(l[0].principals, vec!["namespace:team-b".to_string()]);
    assert_eq!(
        l[0].objects,
        vec![ObjectRef {
            resource_type: T::FeatureView,
            name: "driver_quality_sensitive".into()
        }]
    );
}

#[test]
fn allow_all_and_empty_policies_and_actions() {
    let perms = [
        perm(
            "open",
            &[T::Entity],
            &[],
            &[Action::Describe],
            Policy::AllowAll,
        ),
        perm(
            "nobody",
            &[T::Entity],
            &[],
            &[Action::Describe],
            Policy::RoleBased { roles: vec![] },
        ),
        perm(
            "noop",
            &[T::Entity],
            &[],
            &[],
            Policy::RoleBased {
                roles: vec!["r".into()],
            },
        ),
    ];
    let out = lints(&perms, &[Resource::new(T::Entity, "driver")], None);
    assert_eq!(
        find(&out, LintCode::AllowAllUnreadable)[0].severity,
        Severity::Error
    );
    assert_eq!(
        find(&out, LintCode::PolicyNeverGrants)[0]
            .permission
            .as_deref(),
        Some("nobody")
    );
    assert_eq!(
        find(&out, LintCode::EmptyActions)[0].permission.as_deref(),
        Some("noop")
    );
}

#[test]
fn pattern_lints() {
    let perms = [perm(
        "p",
        &[T::FeatureView],
        &[
            "driver_stats",
            "nothing_.*",
            ".*",
            "(",
            "(?=x).*",
            ".*pii.*",
        ],
        &[Action::Describe],
        ns(&["a"]),
    )];
    let objects = [
        Resource::new(T::FeatureView, "Driver_Stats"),
        Resource::new(T::FeatureView, "Card_PII"),
    ];
    let out = lints(&perms, &objects, None);
    let case = find(&out, LintCode::PatternCaseMismatch);
    assert_eq!(case.len(), 2, "{case:?}");
    assert_eq!(case[0].objects[0].name, "Driver_Stats");
    assert_eq!(case[1].objects[0].name, "Card_PII");
    assert!(find(&out, LintCode::PatternMatchesNothing)[0]
        .message
        .contains("nothing_"));
    assert!(find(&out, LintCode::PatternMatchesEverything)[0]
        .message
        .contains("\".*\""));
    assert_eq!(
        find(&out, LintCode::PatternInvalid)[0].severity,
        Severity::Error
    );
    assert_eq!(find(&out, LintCode::PatternUnsupported).len(), 1);
}

#[test]
fn split_update_actions_are_reported() {
    let perms = [
        perm(
            "describe",
            &[T::Entity],
            &[],
            &[Action::Describe],
            ns(&["a"]),
        ),
        perm("update", &[T::Entity], &[], &[Action::Update], ns(&["a"])),
    ];
    let out = lints(&perms, &[Resource::new(T::Entity, "driver")], None);
    let l = find(&out, LintCode::UpdateImpossible);
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].principals, vec!["namespace:a".to_string()]);
    let together = [
        perm(
            "du",
            &[T::Entity],
            &[],
            &[Action::Describe, Action::Update],
            ns(&["a"]),
        ),
        perm("u", &[T::Entity], &[], &[Action::Update], ns(&["a"])),
    ];
    assert!(find(
        &lints(&together, &[Resource::new(T::Entity, "driver")], None),
        LintCode::UpdateImpossible
    )
    .is_empty());
}

#[test]
fn uncovered_objects_and_open_projects() {
    let perms = [perm(
        "fv",
        &[T::FeatureView],
        &[],
        &[Action::Describe],
        ns(&["a"]),
    )];
    let out = lints(
        &perms,
        &[
            Resource::new(T::Entity, "driver"),
            Resource::new(T::FeatureView, "v"),
        ],
        None,
    );
    let l = find(&out, LintCode::ObjectsUncovered);
    // The entity and the permission object itself.
    assert_eq!(l[0].objects.len(), 2, "{:?}", l[0].objects);
    let open = lints(&[], &[Resource::new(T::Entity, "driver")], None);
    assert_eq!(find(&open, LintCode::ProjectWithoutPermissions).len(), 1);
}

#[test]
fn project_permissions_outside_the_server_project_do_not_decide_project_calls() {
    let perms = [perm(
        "projects",
        &[T::Project],
        &[],
        &[Action::Describe],
        ns(&["a"]),
    )];
    let out = lints(&perms, &[], Some("fraud_detection"));
    let l = find(&out, LintCode::ProjectCallsUseServerProject);
    assert_eq!((l.len(), l[0].severity), (1, Severity::Warning));
    assert!(l[0].message.contains("fraud_detection"));
    let own = lints(&perms, &[], Some("driver_ranking"));
    assert_eq!(
        find(&own, LintCode::ProjectCallsUseServerProject)[0].severity,
        Severity::Info
    );
}
