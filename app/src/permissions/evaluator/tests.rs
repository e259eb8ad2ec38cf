//! One test per rule of `PERMISSION_SEMANTICS.md` (each verified there against Feast 0.67.0).

use std::collections::BTreeMap;

use super::*;
use crate::permissions::model::{Policy, ResourceType as T};

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

fn roles(r: &[&str]) -> Policy {
    Policy::RoleBased {
        roles: r.iter().map(|s| s.to_string()).collect(),
    }
}

fn ns(n: &[&str]) -> Policy {
    Policy::NamespaceBased {
        namespaces: n.iter().map(|s| s.to_string()).collect(),
    }
}

const D: &[Action] = &[Action::Describe];

#[test]
fn required_tags_are_ignored_on_everything_but_permissions() {
    let mut p = perm(
        "team_a_read_shared",
        &[T::FeatureView],
        &[],
        &[Action::Describe, Action::ReadOffline],
        ns(&["team-b"]),
    );
    p.required_tags.insert("visibility".into(), "shared".into());
    let ev = PermissionEvaluator::new(&[p]);
    let private_view =
        Resource::new(T::FeatureView, "driver_quality_sensitive").with_tag("visibility", "private");
    let team_b = User::named("sa").with_namespaces(&["team-b"]);
    let d = ev.evaluate(&team_b, &private_view, &[Action::ReadOffline]);
    assert_eq!(
        d.outcome,
        Outcome::Allow,
        "Feast ignores required_tags here"
    );
    assert_eq!(
        d.intended,
        Outcome::Deny,
        "the author meant only shared views"
    );
    assert_eq!(
        d.permissions[0].tags,
        Some(TagVerdict::IgnoredByFeast {
            intended_match: false
        })
    );
}

#[test]
fn required_tags_apply_to_permission_objects() {
    let mut p = perm("perm_admin", &[T::Permission], &[], D, roles(&["admin"]));
    p.required_tags.insert("team".into(), " a ".into());
    let ev = PermissionEvaluator::new(&[p]);
    let admin = User::named("u").with_roles(&["admin"]);
    let mut other = Resource::new(T::Permission, "other");
    other.required_tags.insert("team".into(), "b".into());
    assert_eq!(ev.outcome(&admin, &other, D), Outcome::Deny);
    other.required_tags.insert("team".into(), "a".into());
    assert_eq!(
        ev.outcome(&admin, &other, D),
        Outcome::Allow,
        "values are stripped"
    );
    // A Permission object without required tags of its own skips the check.
    assert_eq!(
        ev.outcome(&admin, &Resource::new(T::Permission, "plain"), D),
        Outcome::Allow
    );
}

#[test]
fn name_patterns_use_fullmatch() {
    let ev = PermissionEvaluator::new(&[perm(
        "pii",
        &[T::FeatureView],
        &[" .*pii.* ", "driver"],
        D,
        roles(&["r"]),
    )]);
    let u = User::named("u").with_roles(&["r"]);
    assert_eq!(
        ev.outcome(&u, &Resource::new(T::FeatureView, "card_pii_x"), D),
        Outcome::Allow
    );
    assert_eq!(
        ev.outcome(&u, &Resource::new(T::FeatureView, "Card_PII_Features"), D),
        Outcome::Deny
    );
    assert_eq!(
        ev.outcome(&u, &Resource::new(T::FeatureView, "driver_stats"), D),
        Outcome::Deny
    );
    let ci = PermissionEvaluator::new(&[perm(
        "pii",
        &[T::FeatureView],
        &["(?i).*pii.*"],
        D,
        roles(&["r"]),
    )]);
    assert_eq!(
        ci.outcome(&u, &Resource::new(T::FeatureView, "Card_PII_Features"), D),
        Outcome::Allow
    );
}

#[test]
fn no_matching_permission_denies_and_no_permissions_allow_named_users() {
    let ev = PermissionEvaluator::new(&[perm("fv", &[T::FeatureView], &[], D, roles(&["r"]))]);
    let u = User::named("u").with_roles(&["r"]);
    let d = ev.evaluate(&u, &Resource::new(T::Entity, "driver"), D);
    assert_eq!(
        (d.outcome, d.reason),
        (Outcome::Deny, DecisionReason::NoMatchingPermission)
    );
    let open = PermissionEvaluator::new(&[]);
    assert_eq!(
        open.outcome(
            &User::named("anyone"),
            &Resource::new(T::Entity, "e"),
            &Action::ALL
        ),
        Outcome::Allow
    );
    assert_eq!(
        open.outcome(&User::named(""), &Resource::new(T::Entity, "e"), D),
        Outcome::Deny
    );
}

#[test]
fn any_grant_wins_and_all_matching_denials_deny() {
    let ev = PermissionEvaluator::new(&[
        perm("a", &[T::Entity], &[], D, roles(&["x"])),
        perm("b", &[T::Entity], &[], D, roles(&["y"])),
    ]);
    let e = Resource::new(T::Entity, "e");
    let d = ev.evaluate(&User::named("u").with_roles(&["y"]), &e, D);
    assert_eq!(
        (d.outcome, d.granted_by.as_deref()),
        (Outcome::Allow, Some("b"))
    );
    let d = ev.evaluate(&User::named("u").with_roles(&["z"]), &e, D);
    assert_eq!(
        (d.outcome, d.reason),
        (Outcome::Deny, DecisionReason::AllMatchingDenied)
    );
    assert_eq!(
        d.matching_permissions,
        vec!["a".to_string(), "b".to_string()]
    );
}

#[test]
fn an_update_needs_describe_and_update_in_one_permission() {
    let split = PermissionEvaluator::new(&[
        perm("d", &[T::Entity], &[], &[Action::Describe], roles(&["r"])),
        perm("u", &[T::Entity], &[], &[Action::Update], roles(&["r"])),
    ]);
    let u = User::named("u").with_roles(&["r"]);
    let e = Resource::new(T::Entity, "e");
    assert_eq!(split.outcome(&u, &e, &[Action::Update]), Outcome::Allow);
    assert_eq!(
        split.outcome(&u, &e, &Action::UPDATE_REQUEST),
        Outcome::Deny
    );
    let together = PermissionEvaluator::new(&[perm(
        "du",
        &[T::Entity],
        &[],
        &Action::UPDATE_REQUEST,
        roles(&["r"]),
    )]);
    assert_eq!(
        together.outcome(&u, &e, &Action::UPDATE_REQUEST),
        Outcome::Allow
    );
}

#[test]
fn feature_view_type_covers_batch_and_stream_views_only() {
    let ev = PermissionEvaluator::new(&[perm("fv", &[T::FeatureView], &[], D, roles(&["r"]))]);
    let u = User::named("u").with_roles(&["r"]);
    for (t, want) in [
        (T::FeatureView, Outcome::Allow),
        (T::BatchFeatureView, Outcome::Allow),
        (T::StreamFeatureView, Outcome::Allow),
        (T::OnDemandFeatureView, Outcome::Deny),
        (T::LabelView, Outcome::Deny),
    ] {
        assert_eq!(ev.outcome(&u, &Resource::new(t, "v"), D), want, "{t:?}");
    }
    let bfv = PermissionEvaluator::new(&[perm("b", &[T::BatchFeatureView], &[], D, roles(&["r"]))]);
    assert_eq!(
        bfv.outcome(&u, &Resource::new(T::FeatureView, "v"), D),
        Outcome::Deny
    );
    let all = PermissionEvaluator::new(&[perm("all", &[], &[], D, roles(&["r"]))]);
    assert_eq!(
        all.outcome(&u, &Resource::new(T::SavedDataset, "s"), D),
        Outcome::Allow,
        "empty types = all"
    );
}

#[test]
fn policies_compare_exact_strings() {
    let combined = Policy::CombinedGroupNamespace {
        groups: vec!["/dev".into()],
        namespaces: vec!["team-a".into()],
    };
    let ev = PermissionEvaluator::new(&[perm("c", &[T::Entity], &[], D, combined)]);
    let e = Resource::new(T::Entity, "e");
    assert_eq!(
        ev.outcome(&User::named("u").with_groups(&["/dev"]), &e, D),
        Outcome::Allow
    );
    assert_eq!(
        ev.outcome(&User::named("u").with_namespaces(&["team-a"]), &e, D),
        Outcome::Allow
    );
    assert_eq!(
        ev.outcome(&User::named("u").with_groups(&["dev"]), &e, D),
        Outcome::Deny
    );
    let empty = PermissionEvaluator::new(&[perm("none", &[T::Entity], &[], D, roles(&[]))]);
    assert_eq!(
        empty.outcome(&User::named("u").with_roles(&[""]), &e, D),
        Outcome::Deny
    );
    let allow_all =
        PermissionEvaluator::new(&[perm("open", &[T::Entity], &[], D, Policy::AllowAll)]);
    assert_eq!(allow_all.outcome(&User::named(""), &e, D), Outcome::Allow);
}

#[test]
fn list_calls_drop_or_fail_depending_on_the_last_matching_permission() {
    let u = User::named("u");
    let e = Resource::new(T::Entity, "driver");
    let with_patterns_last = PermissionEvaluator::new(&[
        perm("plain", &[T::Entity], &[], D, roles(&["x"])),
        perm("named", &[T::Entity], &["driver"], D, roles(&["x"])),
    ]);
    assert_eq!(
        with_patterns_last.evaluate(&u, &e, D).list_outcome,
        ListOutcome::FilteredOut
    );
    let plain_last = PermissionEvaluator::new(&[
        perm("named", &[T::Entity], &["driver"], D, roles(&["x"])),
        perm("plain", &[T::Entity], &[], D, roles(&["x"])),
    ]);
    assert_eq!(
        plain_last.evaluate(&u, &e, D).list_outcome,
        ListOutcome::FailsCall
    );
    // No matching permission: dropped only if some permission of the type has patterns.
    let other_name =
        PermissionEvaluator::new(&[perm("named", &[T::Entity], &["other"], D, roles(&["x"]))]);
    assert_eq!(
        other_name.evaluate(&u, &e, D).list_outcome,
        ListOutcome::FilteredOut
    );
    let other_type =
        PermissionEvaluator::new(&[perm("fv", &[T::FeatureView], &[], D, roles(&["x"]))]);
    assert_eq!(
        other_type.evaluate(&u, &e, D).list_outcome,
        ListOutcome::FailsCall
    );
}

#[test]
fn invalid_patterns_fail_the_request_unless_an_earlier_pattern_matched() {
    let ev = PermissionEvaluator::new(&[perm(
        "bad",
        &[T::Entity],
        &["driver", "("],
        D,
        roles(&["r"]),
    )]);
    let u = User::named("u").with_roles(&["r"]);
    assert_eq!(
        ev.outcome(&u, &Resource::new(T::Entity, "driver"), D),
        Outcome::Allow
    );
    assert!(matches!(
        ev.outcome(&u, &Resource::new(T::Entity, "rider"), D),
        Outcome::Error(_)
    ));
    // Even for a user the permission would not grant, and for actions it does not list.
    let d = ev.evaluate(
        &User::named("x"),
        &Resource::new(T::Entity, "rider"),
        &[Action::Delete],
    );
    assert_eq!(d.reason, DecisionReason::PatternError);
    // Other types never reach the pattern.
    assert_eq!(
        ev.outcome(&u, &Resource::new(T::Project, "rider"), D),
        Outcome::Deny
    );
}

#[test]
fn unsupported_patterns_only_matter_when_they_could_change_the_answer() {
    let ev = PermissionEvaluator::new(&[
        perm("lookahead", &[T::Entity], &["(?!tmp).*"], D, roles(&["r"])),
        perm("ok", &[T::Entity], &[], D, roles(&["admin"])),
    ]);
    let e = Resource::new(T::Entity, "driver");
    assert!(matches!(
        ev.outcome(&User::named("u").with_roles(&["r"]), &e, D),
        Outcome::Unknown(_)
    ));
    assert_eq!(
        ev.outcome(&User::named("u").with_roles(&["admin"]), &e, D),
        Outcome::Allow
    );
    assert_eq!(ev.outcome(&User::named("u"), &e, D), Outcome::Deny);
}

#[test]
fn explanations_say_why() {
    let ev = PermissionEvaluator::new(&[perm(
        "readers",
        &[T::FeatureView],
        &["team_a_.*"],
        D,
        roles(&["reader"]),
    )]);
    let d = ev.evaluate(
        &User::named("u").with_roles(&["reader"]),
        &Resource::new(T::FeatureView, "team_a_x"),
        &[Action::Describe, Action::Update],
    );
    assert_eq!(d.outcome, Outcome::Deny);
    let text = &d.permissions[0].explanation;
    assert!(text.contains("does not list UPDATE"), "{text}");
    assert!(text.contains("team_a_"), "{text}");
}

/// A hostile name pattern (100,000 nested groups) must not overflow the stack: the evaluator
/// answers Unknown. A 256 KiB stack proves the parser does not recurse that deep.
#[test]
fn a_deeply_nested_pattern_is_unknown_not_a_crash() {
    let outcome = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let pattern = format!("{}a{}", "(".repeat(100_000), ")".repeat(100_000));
            let ev = PermissionEvaluator::new(&[perm(
                "nested",
                &[T::Entity],
                &[pattern.as_str()],
                D,
                roles(&["r"]),
            )]);
            ev.outcome(
                &User::named("u").with_roles(&["r"]),
                &Resource::new(T::Entity, "a"),
                D,
            )
        })
        .expect("spawn the small-stack thread")
        .join()
        .expect("the evaluator must not panic");
    assert!(matches!(outcome, Outcome::Unknown(_)), "{outcome:?}");
}

#[test]
fn an_overlong_pattern_is_unknown() {
    let pattern = "a".repeat(10_000);
    let ev = PermissionEvaluator::new(&[perm(
        "long",
        &[T::Entity],
        &[pattern.as_str()],
        D,
        roles(&["r"]),
    )]);
    let outcome = ev.outcome(
        &User::named("u").with_roles(&["r"]),
        &Resource::new(T::Entity, "a"),
        D,
    );
    assert!(matches!(outcome, Outcome::Unknown(_)), "{outcome:?}");
}
