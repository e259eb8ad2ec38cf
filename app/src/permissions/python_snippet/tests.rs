use std::collections::BTreeMap;

use super::*;

fn spec() -> PermissionSpec {
    PermissionSpec {
        name: "ranking_readers".into(),
        types: vec![ResourceType::FeatureView, ResourceType::Entity],
        name_patterns: vec!["driver.*".into()],
        required_tags: BTreeMap::from([("team".to_string(), "ranking".to_string())]),
        actions: vec![Action::Describe, Action::ReadOnline],
        policy: Policy::RoleBased {
            roles: vec!["reader".into()],
        },
        tags: BTreeMap::from([("owner".to_string(), "console".to_string())]),
    }
}

#[test]
fn a_permission_reads_as_a_person_would_write_it() {
    assert_eq!(
        python_snippet(&spec()),
        r#"from feast.entity import Entity
from feast.feature_view import FeatureView
from feast.permissions.action import AuthzedAction
from feast.permissions.permission import Permission
from feast.permissions.policy import RoleBasedPolicy

ranking_readers = Permission(
    name="ranking_readers",
    types=[FeatureView, Entity],
    name_patterns=["driver.*"],
    required_tags={"team": "ranking"},
    actions=[AuthzedAction.DESCRIBE, AuthzedAction.READ_ONLINE],
    policy=RoleBasedPolicy(roles=["reader"]),
    tags={"owner": "console"},
)
"#
    );
}

#[test]
fn empty_fields_are_left_out_and_exact_aliases_used() {
    let mut s = spec();
    s.types.clear();
    s.name_patterns.clear();
    s.required_tags.clear();
    s.tags.clear();
    s.actions = Action::ALL.to_vec();
    s.policy = Policy::CombinedGroupNamespace {
        groups: vec!["/team-a".into()],
        namespaces: vec!["team-b".into()],
    };
    let text = python_snippet(&s);
    assert_eq!(
        text,
        r#"from feast.permissions.action import ALL_ACTIONS
from feast.permissions.permission import Permission
from feast.permissions.policy import CombinedGroupNamespacePolicy

# No types: the permission covers every type (Feast stores all of them).
ranking_readers = Permission(
    name="ranking_readers",
    actions=ALL_ACTIONS,
    policy=CombinedGroupNamespacePolicy(groups=["/team-a"], namespaces=["team-b"]),
)
"#
    );
    s.actions = vec![Action::ReadOffline, Action::ReadOnline];
    assert!(python_snippet(&s).contains("    actions=READ,\n"));
    // The same actions in another order are not the alias (Feast keeps the order).
    s.actions = vec![Action::ReadOnline, Action::ReadOffline];
    assert!(python_snippet(&s)
        .contains("actions=[AuthzedAction.READ_ONLINE, AuthzedAction.READ_OFFLINE],"));
}

#[test]
fn long_lists_split_as_black_splits_them() {
    let mut s = spec();
    s.types = ResourceType::ALL.to_vec();
    s.policy = Policy::GroupBased {
        groups: (0..12).map(|i| format!("group-number-{i}")).collect(),
    };
    let text = python_snippet(&s);
    // Twelve types do not fit on one line, even between the brackets: one per line.
    assert!(text.contains("    types=[\n        FeatureView,\n        OnDemandFeatureView,\n"));
    assert!(text.contains("        LabelView,\n    ],\n"));
    assert!(text.contains(
        "    policy=GroupBasedPolicy(\n        groups=[\n            \"group-number-0\",\n"
    ));
    assert!(text.contains("            \"group-number-11\",\n        ]\n    ),\n"));
    assert!(text.contains("from feast.saved_dataset import SavedDataset, ValidationReference\n"));
    for line in text.lines() {
        assert!(line.chars().count() <= 88, "{line:?} is too long");
    }
    // A call whose arguments fit on one line has them between its brackets on a line of their own.
    s.policy = Policy::CombinedGroupNamespace {
        groups: vec!["/team-a".into(), "/team-b".into(), "/team-c".into()],
        namespaces: vec!["team-a-namespace".into(), "team-b-namespace".into()],
    };
    let text = python_snippet(&s);
    // A list literal that does not fit is one item per line, even when the items would fit
    // on a line of their own between the brackets (black splits literals, not calls, so).
    s.actions = vec![Action::Describe, Action::ReadOnline, Action::ReadOffline];
    assert!(python_snippet(&s).contains(
        "    actions=[\n        AuthzedAction.DESCRIBE,\n        AuthzedAction.READ_ONLINE,\n        AuthzedAction.READ_OFFLINE,\n    ],\n"
    ));
    // Both arguments on one line would be 98 columns: one argument per line.
    assert!(text.contains(
        "    policy=CombinedGroupNamespacePolicy(\n        groups=[\"/team-a\", \"/team-b\", \"/team-c\"],\n        namespaces=[\"team-a-namespace\", \"team-b-namespace\"],\n    ),\n"
    ), "{text}");
    s.policy = Policy::CombinedGroupNamespace {
        groups: vec!["/team-a".into()],
        namespaces: vec!["team-a-namespace".into(), "team-b-namespace".into()],
    };
    let text = python_snippet(&s);
    assert!(text.contains(
        "    policy=CombinedGroupNamespacePolicy(\n        groups=[\"/team-a\"], namespaces=[\"team-a-namespace\", \"team-b-namespace\"]\n    ),\n"
    ), "{text}");
}

#[test]
fn strings_are_python_literals_of_the_exact_text() {
    assert_eq!(py_str("plain"), r#""plain""#);
    assert_eq!(py_str(r#"a"b\c"#), r#""a\"b\\c""#);
    assert_eq!(py_str("line\nbreak\r\ttab"), r#""line\nbreak\r\ttab""#);
    assert_eq!(
        py_str("nul\0bell\u{7}del\u{7f}"),
        r#""nul\x00bell\x07del\x7f""#
    );
    // Letters from any script stay readable; invisible controls are escaped.
    assert_eq!(py_str("équipe-データ"), "\"équipe-データ\"");
    assert_eq!(
        py_str("a\u{202e}b\u{200b}c\u{2028}d\u{feff}"),
        r#""a\u202eb\u200bc\u2028d\ufeff""#
    );
}

#[test]
fn the_variable_is_a_python_name_that_cannot_clash() {
    assert_eq!(variable_name("ranking_readers"), "ranking_readers");
    assert_eq!(variable_name("Team-A readers!"), "team_a_readers");
    assert_eq!(variable_name("9lives"), "permission_9lives");
    assert_eq!(variable_name("\"; import os; \""), "import_os");
    assert_eq!(variable_name("データ"), "permission");
    assert_eq!(variable_name("class"), "class_");
    assert_eq!(variable_name("Permission"), "permission");
}

#[test]
fn hostile_names_stay_inside_their_literal() {
    let mut s = spec();
    s.name = "x\")\nimport os\n#".into();
    s.tags = BTreeMap::from([("k\"".to_string(), "\\\n".to_string())]);
    let text = python_snippet(&s);
    assert!(text.contains(r#"    name="x\")\nimport os\n#","#), "{text}");
    assert!(text.contains(r#"    tags={"k\"": "\\\n"},"#), "{text}");
    assert!(!text.lines().any(|l| l.starts_with("import")), "{text}");
}

#[test]
fn what_feast_would_change_is_said() {
    let mut s = spec();
    assert!(!python_snippet(&s).contains('#'));
    s.tags.insert(" padded ".into(), "v".into());
    assert!(python_snippet(&s).contains("# Feast strips the spaces"));
    s.policy = Policy::AllowAll;
    let text = python_snippet(&s);
    assert!(text.contains("from feast.permissions.policy import AllowAll\n"));
    assert!(text.contains("    policy=AllowAll,\n"));
    assert!(text.contains("cannot read it back"));
}
