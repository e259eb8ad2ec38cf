use super::*;

fn form() -> PermissionForm {
    let mut f = PermissionForm::from_spec("r", "p", None);
    f.name = "readers".into();
    f.roles = "reader, analyst\n".into();
    f
}

#[test]
fn a_filled_form_becomes_the_spec_feast_stores() {
    let mut f = form();
    f.types.insert("FEATURE_VIEW".into(), "on".into());
    f.types.insert("ENTITY".into(), "on".into());
    f.actions.insert("READ".into(), "on".into());
    f.name_patterns = "  driver.*  \n\n(?i)card_.*".into();
    f.required_tags = "team = a\n".into();
    f.tags = "owner=ops".into();
    let spec = f.to_spec().unwrap();
    assert_eq!(spec.name, "readers");
    assert_eq!(
        spec.types,
        vec![ResourceType::FeatureView, ResourceType::Entity]
    );
    assert_eq!(
        spec.actions,
        vec![Action::Describe, Action::ReadOnline, Action::ReadOffline]
    );
    assert_eq!(spec.name_patterns, vec!["driver.*", "(?i)card_.*"]);
    assert_eq!(
        spec.required_tags.get("team").map(String::as_str),
        Some("a")
    );
    assert_eq!(
        spec.policy,
        Policy::RoleBased {
            roles: vec!["reader".into(), "analyst".into()]
        }
    );
    // And back: the form of a stored spec yields the same spec.
    let again = PermissionForm::from_spec("r", "p", Some((&spec, "v1")));
    assert_eq!(again.to_spec().unwrap(), spec);
    assert_eq!(again.version, "v1");
    assert!(!again.is_create());
}

#[test]
fn no_types_means_every_type_and_all_expands() {
    let mut f = form();
    f.actions.insert("ALL".into(), "on".into());
    let spec = f.to_spec().unwrap();
    assert_eq!(spec.types, ResourceType::ALL.to_vec());
    assert_eq!(spec.actions, Action::ALL.to_vec());
}

#[test]
fn every_problem_is_reported_by_field() {
    let f = PermissionForm {
        policy_kind: "group".into(),
        name_patterns: "driver(".into(),
        required_tags: "nokey".into(),
        ..Default::default()
    };
    let errors = f.to_spec().unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        vec![
            "name",
            "name_patterns",
            "required_tags",
            "actions",
            "policy_kind"
        ]
    );
    assert!(errors[1].message.contains("cannot compile"), "{errors:?}");
}

#[test]
fn allow_all_is_refused() {
    let mut f = form();
    f.policy_kind = "allow_all".into();
    let errors = f.to_spec().unwrap_err();
    assert!(errors[0].message.contains("cannot read it back"));
}

#[test]
fn a_pattern_beyond_the_console_limits_is_a_field_error() {
    let mut f = form();
    f.actions.insert("DESCRIBE".into(), "on".into());
    f.name_patterns = format!("{}a{}", "(".repeat(1000), ")".repeat(1000));
    let errors = f.to_spec().unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].field, "name_patterns");
    assert!(errors[0].message.contains("64 levels deep"), "{errors:?}");
}
