use std::{collections::BTreeMap, sync::Arc};

use serde_json::json;

use crate::catalog::model::{
    CatalogObject, Detail, Field, Interval, ObjectKind, PermissionDetail, Projection, ViewDetail,
};
use crate::history::diff::{
    diff_catalogs, diff_objects, diff_values, display, ignored_note, MAX_FIELD_CHANGES,
    MAX_VALUE_CHARS, MORE_CHANGES_PATH,
};
use crate::history::model::{ChangeType, FieldChange};
use crate::permissions::model::Policy;
use crate::util::time::Instant;

fn field(name: &str, dtype: &str) -> Field {
    Field {
        name: name.into(),
        dtype: dtype.into(),
        description: Default::default(),
    }
}

fn view(project: &str, name: &str) -> CatalogObject {
    let mut o = CatalogObject::unreadable(ObjectKind::FeatureView, project, name, String::new());
    o.owner = "ml@example.com".into();
    o.tags.insert("team", "risk");
    o.detail = Detail::View(ViewDetail {
        entities: vec!["driver".into()],
        features: vec![field("conv_rate", "FLOAT"), field("x", "INT64")],
        entity_columns: vec![field("driver_id", "INT64")],
        ttl_seconds: 86_400,
        online: true,
        batch_source: Some("driver_stats".into()),
        stream_source: None,
        materialization_intervals: vec![],
        mode: Default::default(),
    });
    o
}

fn view_detail(o: &mut CatalogObject) -> &mut ViewDetail {
    match &mut o.detail {
        Detail::View(v) => v,
        _ => panic!("a view"),
    }
}

fn change(path: &str, before: Option<&str>, after: Option<&str>) -> FieldChange {
    FieldChange {
        path: path.into(),
        before: before.map(str::to_string),
        after: after.map(str::to_string),
    }
}

#[test]
fn same_definition_with_other_timestamps_and_intervals_is_no_change() {
    let before = view("p", "v");
    let mut after = before.clone();
    after.created = Instant::new(1_700_000_000, 0);
    after.updated = Instant::new(1_700_000_100, 5);
    view_detail(&mut after)
        .materialization_intervals
        .push(Interval {
            start: Instant::new(1, 0),
            end: Instant::new(2, 0),
        });
    assert_eq!(diff_objects(&before, &after), vec![]);
    assert_eq!(
        ignored_note(),
        "ignored: created, updated, materialization_intervals"
    );
}

#[test]
fn top_level_fields_and_tags_by_readable_paths() {
    let before = view("p", "v");
    let mut after = before.clone();
    after.description = "Driver stats".into();
    after.owner = "risk@example.com".into();
    after.tags.insert("team", "fraud");
    after.tags.insert("tier.level", "1");
    view_detail(&mut after).ttl_seconds = 3600;
    view_detail(&mut after).online = false;
    assert_eq!(
        diff_objects(&before, &after),
        vec![
            change("description", Some(""), Some("Driver stats")),
            change("online", Some("true"), Some("false")),
            change("owner", Some("ml@example.com"), Some("risk@example.com")),
            change("tags.team", Some("risk"), Some("fraud")),
            change("tags[\"tier.level\"]", None, Some("1")),
            change("ttl_seconds", Some("86400"), Some("3600")),
        ]
    );
}

#[test]
fn named_list_members_are_compared_by_name() {
    let before = view("p", "v");
    let mut after = before.clone();
    let detail = view_detail(&mut after);
    detail.features = vec![field("acc_rate", "FLOAT"), field("conv_rate", "DOUBLE")];
    detail.entities.push("customer".into());
    detail.batch_source = None;
    assert_eq!(
        diff_objects(&before, &after),
        vec![
            change("batch_source", Some("driver_stats"), Some("none")),
            change("entities[+customer]", None, Some("customer")),
            change("features[-x]", Some("name: x, dtype: INT64"), None),
            change(
                "features[+acc_rate]",
                None,
                Some("name: acc_rate, dtype: FLOAT")
            ),
            change("features[conv_rate].dtype", Some("FLOAT"), Some("DOUBLE")),
        ]
    );
}

#[test]
fn reordered_members_report_the_order() {
    let before = view("p", "v");
    let mut after = before.clone();
    view_detail(&mut after).features.reverse();
    let changes = diff_objects(&before, &after);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].path, "features");
    assert!(changes[0]
        .after
        .as_deref()
        .is_some_and(|a| a.starts_with("[{name: x")));
}

#[test]
fn projections_by_alias_or_view_and_unnamed_lists_by_index() {
    let mut before = CatalogObject::unreadable(ObjectKind::FeatureService, "p", "s", "".into());
    let projection = |view: &str, alias: &str, features: &[&str]| Projection {
        view: view.into(),
        alias: alias.into(),
        features: features.iter().map(|f| f.to_string()).collect(),
    };
    before.detail = Detail::FeatureService {
        projections: vec![projection("v", "", &["a"]), projection("v", "v2", &["a"])],
    };
    let mut after = before.clone();
    after.detail = Detail::FeatureService {
        projections: vec![projection("v", "", &["a", "b"]), projection("w", "", &[])],
    };
    assert_eq!(
        diff_objects(&before, &after),
        vec![
            change(
                "projections[-v2]",
                Some("alias: v2, features: [a], view: v"),
                None
            ),
            change("projections[v].features[+b]", None, Some("b")),
            change(
                "projections[+w]",
                None,
                Some("alias: , features: [], view: w")
            ),
        ]
    );
    let numbers = diff_values(
        &json!({"xs": [[1, 2], [3]]}),
        &json!({"xs": [[1, 5], [3], [4]]}),
    );
    assert_eq!(
        numbers,
        vec![
            change("xs[0][1]", Some("2"), Some("5")),
            change("xs[2]", None, Some("[4]")),
        ]
    );
}

#[test]
fn permission_policy_and_actions() {
    let mut before = CatalogObject::unreadable(ObjectKind::Permission, "p", "readers", "".into());
    before.detail = Detail::Permission(PermissionDetail {
        types: vec!["FEATURE_VIEW".into()],
        name_patterns: vec![],
        required_tags: BTreeMap::new(),
        actions: vec!["DESCRIBE".into()],
        policy: Some(Policy::RoleBased {
            roles: vec!["reader".into()],
        }),
    });
    let mut after = before.clone();
    after.detail = Detail::Permission(PermissionDetail {
        types: vec!["FEATURE_VIEW".into()],
        name_patterns: vec![],
        required_tags: BTreeMap::new(),
        actions: vec!["DESCRIBE".into(), "READ_ONLINE".into()],
        policy: Some(Policy::GroupBased {
            groups: vec!["team".into()],
        }),
    });
    assert_eq!(
        diff_objects(&before, &after),
        vec![
            change("actions[+READ_ONLINE]", None, Some("READ_ONLINE")),
            change("policy.groups", None, Some("[team]")),
            change("policy.kind", Some("role_based"), Some("group_based")),
            change("policy.roles", Some("[reader]"), None),
        ]
    );
}

#[test]
fn another_detail_kind_is_a_field_change_not_a_failure() {
    let before = CatalogObject::unreadable(ObjectKind::FeatureView, "p", "v", "bad bytes".into());
    let after = view("p", "v");
    let changes = diff_objects(&before, &after);
    assert!(changes.contains(&change("detail", Some("unreadable"), Some("view"))));
    assert!(changes.contains(&change("error", Some("bad bytes"), None)));
    assert!(changes.contains(&change("ttl_seconds", None, Some("86400"))));
}

#[test]
fn limits_hold_for_hostile_values() {
    // Thousands of changed tags: the first MAX_FIELD_CHANGES, then a count.
    let mut before = view("p", "v");
    let mut after = before.clone();
    for i in 0..1000 {
        before.tags.insert(format!("k{i:04}"), "a");
        after.tags.insert(format!("k{i:04}"), "b");
    }
    let changes = diff_objects(&before, &after);
    assert_eq!(changes.len(), MAX_FIELD_CHANGES + 1);
    assert_eq!(
        changes.last(),
        Some(&change(
            MORE_CHANGES_PATH,
            None,
            Some(&format!("{} more", 1000 - MAX_FIELD_CHANGES))
        ))
    );
    // Deep nesting is cut, not recursed through.
    let mut deep_b = json!(1);
    let mut deep_a = json!(2);
    for _ in 0..1000 {
        deep_b = json!({ "n": deep_b });
        deep_a = json!({ "n": deep_a });
    }
    let changes = diff_values(&deep_b, &deep_a);
    assert_eq!(changes.len(), 1);
    assert!(changes[0]
        .before
        .as_deref()
        .is_some_and(|b| b.contains('…')));
    // Long values are cut.
    let long = display(&json!("x".repeat(10_000)));
    assert_eq!(long.chars().count(), MAX_VALUE_CHARS + 1);
}

fn arcs(list: Vec<CatalogObject>) -> Vec<Arc<CatalogObject>> {
    list.into_iter().map(Arc::new).collect()
}

#[test]
fn catalogs_merge_to_added_removed_and_changed() {
    let project = {
        let mut p = CatalogObject::unreadable(ObjectKind::Project, "p", "p", "".into());
        p.detail = Detail::Project;
        p
    };
    let dummy = {
        let mut d = CatalogObject::unreadable(ObjectKind::Entity, "p", "__dummy", "".into());
        d.detail = Detail::Entity {
            join_key: "__dummy_id".into(),
            value_type: "INVALID".into(),
        };
        d
    };
    let before = arcs(vec![
        project.clone(),
        view("p", "a"),
        view("p", "b"),
        view("p", "c"),
    ]);
    let mut changed = view("p", "b");
    changed.owner = "new".into();
    let mut touched = view("p", "c");
    touched.updated = Instant::new(5, 0);
    // Unsorted on purpose; `a` is shared (the SQL reader's case), `c` re-read with a new time.
    let after = vec![
        Arc::new(view("q", "z")),
        Arc::new(touched),
        before[1].clone(),
        Arc::new(changed),
        Arc::new(dummy),
        Arc::new(project),
    ];
    let changes = diff_catalogs(&before, &after);
    let summary: Vec<_> = changes
        .iter()
        .map(|c| {
            (
                c.project.as_str(),
                c.name.as_str(),
                c.change,
                c.fields.len(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("p", "b", ChangeType::Changed, 1),
            ("q", "z", ChangeType::Added, 0)
        ]
    );
    let removed = diff_catalogs(&after, &before[..2]);
    let summary: Vec<_> = removed
        .iter()
        .map(|c| (c.name.as_str(), c.change))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("b", ChangeType::Removed),
            ("c", ChangeType::Removed),
            ("z", ChangeType::Removed)
        ]
    );
}

#[test]
fn change_types_have_stable_names() {
    for c in ChangeType::ALL {
        assert_eq!(ChangeType::parse(c.as_str()), Some(c));
    }
    assert_eq!(
        serde_json::to_value(ChangeType::Removed).ok(),
        Some(json!("removed"))
    );
}
