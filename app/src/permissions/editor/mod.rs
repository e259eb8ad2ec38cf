//! `/permissions/edit`: create, edit and delete one Permission (console admins only), with a
//! preview of who gains or loses what, optimistic concurrency and an audit record per save.

pub mod form;

use serde::{Deserialize, Serialize};

pub use form::{FieldError, PermissionForm};

use super::matrix::AccessChange;
use super::model::{PermissionSpec, Resource};

/// What the editor opens with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EditorData {
    pub form: PermissionForm,
    /// Why this registry cannot be written (the form is then shown disabled).
    pub read_only: Option<String>,
    /// The permission asked for does not exist (any more).
    pub missing: Option<String>,
    /// How saves to this registry are checked, when that needs saying (REST registries).
    #[serde(default)]
    pub write_note: Option<String>,
    /// The project as the live snapshot holds it, for the preview computed in the browser as
    /// you type; None for very large projects (the server's preview still works).
    pub project: Option<super::model::ProjectData>,
    /// Set for the demo registry: what it is (see `permissions::demo`).
    #[serde(default)]
    pub demo: Option<String>,
}

/// Projects with more objects than this get no in-browser preview (page size).
pub const LIVE_PREVIEW_LIMIT: usize = 5_000;

/// One changed cell of effective access.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangeRow {
    pub principal: String,
    pub object: String,
    pub actions: String,
    pub gains: bool,
    pub before: String,
    pub after: String,
}

/// The answer to a submit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SubmitOutcome {
    pub errors: Vec<FieldError>,
    pub preview: Vec<ChangeRow>,
    /// Changes beyond those listed.
    pub preview_more: usize,
    /// Set when saved or deleted: what happened.
    pub done: Option<String>,
    /// The version and name to continue editing from after a save.
    pub version: Option<String>,
    pub name: Option<String>,
    /// The permission changed meanwhile; nothing was written.
    pub conflict: Option<String>,
    pub failure: Option<String>,
    /// The permission as the form defines it (previewed or saved; None for a delete or invalid
    /// form): the editor shows its Python for the feature repository.
    #[serde(default)]
    pub spec: Option<PermissionSpec>,
}

pub const PREVIEW_LIMIT: usize = 200;

/// Who gains or loses what when `before` becomes `after` (at most [`PREVIEW_LIMIT`] rows).
pub fn preview(
    before: &[PermissionSpec],
    after: &[PermissionSpec],
    objects: &[Resource],
) -> (Vec<ChangeRow>, usize) {
    let mut all_objects = objects.to_vec();
    all_objects.extend(before.iter().map(Resource::of_permission));
    for p in after {
        if !before.iter().any(|b| b.name == p.name) {
            all_objects.push(Resource::of_permission(p));
        }
    }
    let changes: Vec<AccessChange> = super::matrix::access_diff(before, after, &[], &all_objects);
    let total = changes.len();
    let access = |a: super::access::Access| format!("{a:?}").to_lowercase();
    let rows = changes
        .into_iter()
        .take(PREVIEW_LIMIT)
        .map(|c| ChangeRow {
            gains: c.gained(),
            principal: c.principal,
            object: format!("{} {}", c.object.resource_type.name(), c.object.name),
            actions: c
                .actions
                .iter()
                .map(|a| a.name())
                .collect::<Vec<_>>()
                .join("+"),
            before: access(c.before),
            after: access(c.after),
        })
        .collect();
    (rows, total.saturating_sub(PREVIEW_LIMIT))
}

/// The preview of `form` against `data` (validation errors instead when it is invalid): what
/// the browser shows while the form is edited.
pub fn live_preview(form: &PermissionForm, data: &super::model::ProjectData) -> SubmitOutcome {
    let mut out = SubmitOutcome::default();
    let original = (!form.is_create()).then_some(form.original_name.as_str());
    match form.to_spec() {
        Err(errors) => out.errors = errors,
        Ok(spec) => {
            let after = apply_edit(&data.permissions, original, Some(&spec));
            (out.preview, out.preview_more) = preview(&data.permissions, &after, &data.objects);
            out.spec = Some(spec);
        }
    }
    out
}

/// `before` with `original` replaced by `spec` (appended when new; removed when None).
pub fn apply_edit(
    before: &[PermissionSpec],
    original: Option<&str>,
    spec: Option<&PermissionSpec>,
) -> Vec<PermissionSpec> {
    let mut after: Vec<PermissionSpec> = before
        .iter()
        .filter(|p| Some(p.name.as_str()) != original)
        .cloned()
        .collect();
    if let Some(s) = spec {
        after.retain(|p| p.name != s.name);
        after.push(s.clone());
    }
    after
}

#[cfg(test)]
mod tests;
