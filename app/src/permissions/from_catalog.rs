//! Registry objects as Feast's permission check sees them: each catalog object as a
//! [`Resource`], each catalog permission as a [`PermissionSpec`]. Pure; the one conversion the
//! catalog's visibility, the permissions page and the permission commands share.

use crate::catalog::model::{CatalogObject, Detail, ObjectKind};

use super::model::{Action, PermissionSpec, Policy, Resource, ResourceType};

pub fn resource_type(kind: ObjectKind) -> ResourceType {
    match kind {
        ObjectKind::Project => ResourceType::Project,
        ObjectKind::Entity => ResourceType::Entity,
        ObjectKind::DataSource => ResourceType::DataSource,
        ObjectKind::FeatureView => ResourceType::FeatureView,
        ObjectKind::BatchFeatureView => ResourceType::BatchFeatureView,
        ObjectKind::StreamFeatureView => ResourceType::StreamFeatureView,
        ObjectKind::OnDemandFeatureView => ResourceType::OnDemandFeatureView,
        ObjectKind::LabelView => ResourceType::LabelView,
        ObjectKind::FeatureService => ResourceType::FeatureService,
        ObjectKind::SavedDataset => ResourceType::SavedDataset,
        ObjectKind::ValidationReference => ResourceType::ValidationReference,
        ObjectKind::Permission => ResourceType::Permission,
    }
}

/// The object as Feast's check sees it: class, name, tags and, for a permission, its own
/// `required_tags` (the one place Feast's tag filter looks).
pub fn resource_of(object: &CatalogObject) -> Resource {
    let required_tags = match &object.detail {
        Detail::Permission(p) if object.kind == ObjectKind::Permission => p.required_tags.clone(),
        _ => Default::default(),
    };
    Resource {
        resource_type: resource_type(object.kind),
        name: object.name.to_string(),
        tags: object.tags.to_map(),
        required_tags,
    }
}

/// A permission as the catalog decoded it. Unknown type or action names (from a newer Feast)
/// are dropped with a note rather than guessed; an undecodable permission is left out with one.
pub fn permission_spec(o: &CatalogObject, notes: &mut Vec<String>) -> Option<PermissionSpec> {
    let Detail::Permission(d) = &o.detail else {
        notes.push(format!(
            "permission {}: could not be decoded, left out",
            o.name
        ));
        return None;
    };
    let mut types = Vec::new();
    for t in &d.types {
        match ResourceType::from_name(t) {
            Some(t) => types.push(t),
            None => notes.push(format!("permission {}: unknown type {t:?} ignored", o.name)),
        }
    }
    let mut actions = Vec::new();
    for a in &d.actions {
        match Action::parse_with_aliases(a) {
            Some(v) => actions.extend(v),
            None => notes.push(format!(
                "permission {}: unknown action {a:?} ignored",
                o.name
            )),
        }
    }
    // A missing policy: Feast cannot read it back; evaluated as what it was meant to be (grant
    // all), and reported by the AllowAll lint.
    let policy = d.policy.clone().unwrap_or(Policy::AllowAll);
    Some(PermissionSpec {
        name: o.name.to_string(),
        types,
        name_patterns: d.name_patterns.clone(),
        required_tags: d.required_tags.clone(),
        actions,
        policy,
        tags: o.tags.to_map(),
    })
}
