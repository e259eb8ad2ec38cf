//! `/permissions/edit`: create, edit and delete one Permission (console admins only), with a
//! preview of who gains or loses what, optimistic concurrency and an audit record per save.

pub mod form;
mod render;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use form::{FieldError, PermissionForm};
pub use render::PermissionEditorPage;

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
    pub project: Option<super::backend::ProjectData>,
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
pub fn live_preview(form: &PermissionForm, data: &super::backend::ProjectData) -> SubmitOutcome {
    let mut out = SubmitOutcome::default();
    let original = (!form.is_create()).then_some(form.original_name.as_str());
    match form.to_spec() {
        Err(errors) => out.errors = errors,
        Ok(spec) => {
            let after = apply_edit(&data.permissions, original, Some(&spec));
            (out.preview, out.preview_more) = preview(&data.permissions, &after, &data.objects);
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

/// The form for `name` (empty for a new permission), read straight from the registry.
#[server(prefix = "/api/admin")]
pub async fn permission_editor_load(
    registry: String,
    project: String,
    name: String,
) -> Result<EditorData, ServerFnError> {
    crate::auth::require(crate::auth::ConsoleRole::Admin)?;
    let provider = crate::backend::from_context::<dyn super::backend::PermissionsBackend>(
        super::backend::NOT_CONNECTED,
    )?;
    let choice = provider
        .registries()
        .await
        .into_iter()
        .find(|r| r.name == registry)
        .ok_or_else(|| ServerFnError::new(format!("there is no registry named `{registry}`")))?;
    // An empty list means the registry is not read yet: the load below then says why.
    if !choice.projects.is_empty() && !choice.projects.contains(&project) {
        return Err(ServerFnError::new(format!(
            "registry `{registry}` has no project named `{project}`"
        )));
    }
    let (read_only, demo) = (choice.read_only, choice.demo);
    let mut missing = None;
    let stored = if name.is_empty() || read_only.is_some() {
        None
    } else {
        let s = provider
            .load(registry.clone(), project.clone(), name.clone())
            .await?;
        if s.is_none() {
            missing = Some(format!(
                "permission `{name}` does not exist in `{project}`; the form creates a new one"
            ));
        }
        s
    };
    let form = PermissionForm::from_spec(
        &registry,
        &project,
        stored.as_ref().map(|s| (&s.spec, s.version.as_str())),
    );
    let project_data = provider
        .project(&registry, &project)
        .await
        .filter(|d| d.objects.len() <= LIVE_PREVIEW_LIMIT);
    let write_note = provider.write_note(&registry).await;
    Ok(EditorData {
        form,
        read_only,
        missing,
        write_note,
        project: project_data,
        demo,
    })
}

/// The registries and projects a new permission can go into (the editor opened without one).
#[server(prefix = "/api/admin")]
pub async fn permission_editor_choices(
) -> Result<Vec<super::backend::RegistryChoice>, ServerFnError> {
    crate::auth::require(crate::auth::ConsoleRole::Admin)?;
    let provider = crate::backend::from_context::<dyn super::backend::PermissionsBackend>(
        super::backend::NOT_CONNECTED,
    )?;
    Ok(provider.registries().await)
}

/// Validates, previews, and on `save` / `delete` writes the registry and the audit log.
#[server(prefix = "/api/admin")]
pub async fn permission_editor_submit(
    form: PermissionForm,
) -> Result<SubmitOutcome, ServerFnError> {
    use super::backend::SaveRequest;
    use crate::backend::BackendError;
    let session = crate::auth::require(crate::auth::ConsoleRole::Admin)?;
    let actor = session
        .identity
        .as_ref()
        .map(|i| i.username.clone())
        .unwrap_or_default();
    let provider = crate::backend::from_context::<dyn super::backend::PermissionsBackend>(
        super::backend::NOT_CONNECTED,
    )?;
    let mut out = SubmitOutcome::default();
    let deleting = form.intent == "delete";
    let spec = if deleting {
        None
    } else {
        match form.to_spec() {
            Ok(s) => Some(s),
            Err(errors) => {
                out.errors = errors;
                return Ok(out);
            }
        }
    };
    if deleting && form.is_create() {
        out.failure = Some("there is nothing to delete: this permission was never saved".into());
        return Ok(out);
    }
    let original = (!form.is_create()).then(|| form.original_name.clone());
    if let Some(data) = provider.project(&form.registry, &form.project).await {
        let after = apply_edit(&data.permissions, original.as_deref(), spec.as_ref());
        (out.preview, out.preview_more) = preview(&data.permissions, &after, &data.objects);
    }
    if form.intent != "save" && !deleting {
        return Ok(out);
    }
    if form.reason.trim().is_empty() {
        out.errors.push(FieldError {
            field: "reason".into(),
            message: "say why: the reason is kept in the audit log".into(),
        });
        return Ok(out);
    }
    let request = SaveRequest {
        registry: form.registry.clone(),
        project: form.project.clone(),
        original_name: original,
        expected_version: form.version.clone(),
        spec: spec.clone(),
        actor,
        reason: form.reason.trim().to_string(),
    };
    match provider.save(request).await {
        Ok(version) => {
            out.done = Some(match &spec {
                Some(s) => format!("Saved `{}` (version {version}).", s.name),
                None => format!("Deleted `{}`.", form.original_name),
            });
            out.version = Some(version);
            out.name = Some(spec.map(|s| s.name).unwrap_or_default());
        }
        Err(BackendError::Conflict(m)) => out.conflict = Some(m),
        Err(e) => out.failure = Some(e.to_string()),
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
