use super::*;
use crate::permissions::model::ProjectData;
use crate::permissions::model::{Action, Policy, ResourceType};

fn data() -> ProjectData {
    ProjectData {
        registry: "r".into(),
        project: "p".into(),
        permissions: vec![PermissionSpec {
            name: "readers".into(),
            types: vec![ResourceType::FeatureView],
            name_patterns: vec![],
            required_tags: Default::default(),
            actions: vec![Action::Describe],
            policy: Policy::RoleBased {
                roles: vec!["reader".into()],
            },
            tags: Default::default(),
        }],
        objects: vec![Resource::new(ResourceType::FeatureView, "driver_stats")],
        notes: vec![],
    }
}

#[test]
fn adding_a_role_shows_who_gains_what() {
    let d = data();
    let mut form = PermissionForm::from_spec("r", "p", Some((&d.permissions[0], "v1")));
    form.roles = "reader, analyst".into();
    let out = live_preview(&form, &d);
    assert!(out.errors.is_empty());
    assert_eq!(out.preview.len(), 1, "{:?}", out.preview);
    let c = &out.preview[0];
    assert_eq!(
        (c.principal.as_str(), c.object.as_str(), c.actions.as_str()),
        ("role:analyst", "FEATURE_VIEW driver_stats", "DESCRIBE")
    );
    assert!(c.gains);
}

#[test]
fn deleting_shows_losses_and_an_invalid_form_shows_errors() {
    let d = data();
    let after = apply_edit(&d.permissions, Some("readers"), None);
    assert!(after.is_empty());
    let (rows, more) = preview(&d.permissions, &after, &d.objects);
    assert_eq!(more, 0);
    // With no permissions left Feast allows any named user: the reader keeps DESCRIBE and
    // gains everything else; no one loses.
    assert!(rows.iter().all(|r| r.gains), "{rows:?}");
    let mut form = PermissionForm::from_spec("r", "p", Some((&d.permissions[0], "v1")));
    form.actions.clear();
    assert_eq!(live_preview(&form, &d).errors[0].field, "actions");
}
