//! What the permission pages ask of the server, as data: one project's permissions and
//! objects, a stored permission with its version, a save request and its outcome, audit
//! records. The server implements [`PermissionsBackend`] and puts it in the request context
//! (the registries and databases live in the server crate).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::audit_state::AuditState;
#[cfg(feature = "ssr")]
use super::editor::{apply_edit, form::FieldError, preview, LIVE_PREVIEW_LIMIT};
use super::editor::{EditorData, PermissionForm, SubmitOutcome};
use super::model::PermissionSpec;
#[cfg(feature = "ssr")]
use super::model::ProjectData;
#[cfg(feature = "ssr")]
use super::page_model::project_view;
use super::page_model::{CellExplanation, ProjectView, ViewQuery};
#[cfg(feature = "ssr")]
use crate::backend::BackendError;
#[cfg(feature = "ssr")]
use crate::catalog::query::{EveryObject, Visibility};

/// Which registries and projects there are, and whether each registry can be edited.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegistryChoice {
    pub name: String,
    pub projects: Vec<String>,
    /// Why the console cannot write this registry; None when it can.
    pub read_only: Option<String>,
    /// Set for the demo registry: what it is, said on every permission page.
    #[serde(default)]
    pub demo: Option<String>,
}

/// A permission as stored now, with the version a save must name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredPermission {
    pub spec: PermissionSpec,
    pub version: String,
}

/// Create, replace (possibly renaming) or delete one permission.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaveRequest {
    pub registry: String,
    pub project: String,
    /// The permission the edit started from; None for a create.
    pub original_name: Option<String>,
    /// The version the edit started from (`absent` for a create).
    pub expected_version: String,
    /// The new permission; None deletes `original_name`.
    pub spec: Option<PermissionSpec>,
    /// Who asks (the signed-in username).
    pub actor: String,
    pub reason: String,
}

/// One audit record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub id: i64,
    pub at_ms: i64,
    pub actor: String,
    pub registry: String,
    pub project: String,
    pub permission: String,
    /// `create`, `update` or `delete`.
    pub operation: String,
    pub reason: String,
    pub before: Option<PermissionSpec>,
    pub after: Option<PermissionSpec>,
    pub before_version: String,
    pub after_version: String,
    /// Whether the change is in the registry (see [`AuditState`]).
    pub state: AuditState,
    /// Why a change failed or could not be told, and who settled it; empty when committed.
    pub detail: String,
    /// A later change outside the console that undid this save (from the registry history).
    #[serde(default)]
    pub reverted: Option<crate::history::model::Reversion>,
}

/// Which audit records to list; empty fields match everything.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub registry: String,
    pub project: String,
    pub permission: String,
    pub actor: String,
    pub limit: usize,
}

/// What the permission pages ask of the server; implemented in `server/src/permissions/backend.rs`.
#[cfg(feature = "ssr")]
#[crate::backend::async_trait]
pub trait PermissionsBackend: Send + Sync {
    /// Every registry with the projects `visibility` shows.
    async fn registries(&self, visibility: &dyn Visibility) -> Vec<RegistryChoice>;
    /// From the current snapshot, with the objects `visibility` shows (the permissions all
    /// decide); None when the registry or project is unknown or not shown.
    async fn project(
        &self,
        registry: &str,
        project: &str,
        visibility: &dyn Visibility,
    ) -> Option<ProjectData>;
    /// What `/permissions` shows of `query.project` of `query.registry` (see
    /// [`project`](Self::project)): the matrix, lints and per-object access. CPU work; the
    /// server runs it off its async workers with each snapshot's permissions compiled once.
    async fn project_view(
        &self,
        query: &ViewQuery,
        visibility: &dyn Visibility,
    ) -> Result<Option<ProjectView>, BackendError> {
        let data = self
            .project(&query.registry, &query.project, visibility)
            .await;
        Ok(data.map(|data| project_view(&data, query)))
    }
    /// The explanation of the matrix cell `key` of the page `query` shows (same objects as
    /// [`project_view`](Self::project_view)); None when the project or the cell is unknown.
    async fn cell_explanation(
        &self,
        query: &ViewQuery,
        key: &str,
        visibility: &dyn Visibility,
    ) -> Result<Option<CellExplanation>, BackendError>;
    /// Straight from the registry (not the snapshot), so the version is current.
    async fn load(
        &self,
        registry: String,
        project: String,
        name: String,
    ) -> Result<Option<StoredPermission>, BackendError>;
    /// Writes the registry, then the audit record; returns the new version.
    async fn save(&self, request: SaveRequest) -> Result<String, BackendError>;
    async fn audit(&self, filter: AuditFilter) -> Result<Vec<AuditRecord>, BackendError>;
    /// What an editor of `registry` should know about how saves are checked there (e.g. the
    /// race window of a REST registry); None when there is nothing to add.
    async fn write_note(&self, _registry: &str) -> Option<String> {
        None
    }
    /// Puts the demo registry back as bundled; says what was done. `actor` is logged.
    async fn reset_demo(&self, _actor: String) -> Result<String, BackendError> {
        Err(BackendError::Unavailable(NO_DEMO.to_string()))
    }
}

/// What a permission page says when the server runs without the permissions backend.
#[cfg(feature = "ssr")]
pub const NOT_CONNECTED: &str = "no registry is connected";

/// The answer of [`PermissionsBackend::reset_demo`] when the console reads configured registries.
#[cfg(feature = "ssr")]
pub const NO_DEMO: &str =
    "there is no demo registry to reset: this console reads the registries it was configured with";

/// Everything the page needs for one request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PermissionsPageData {
    pub registries: Vec<RegistryChoice>,
    pub registry: String,
    pub project: String,
    pub view: Option<ProjectView>,
    /// The caller is a console admin (the editor links are shown).
    pub can_edit: bool,
}

/// What the permission page shows the caller. Console admins manage permissions: they see
/// every object there. Everyone else sees the rows of the objects they may describe.
#[cfg(feature = "ssr")]
fn page_visibility(session: &crate::auth::SessionView) -> Box<dyn Visibility> {
    if session.role >= Some(crate::auth::ConsoleRole::Admin) {
        Box::new(EveryObject)
    } else {
        crate::catalog::api::caller_visibility(session)
    }
}

/// The page for `query`: the chosen (or first) registry and project of the live snapshot.
#[server(prefix = "/api/viewer")]
pub async fn permissions_view(query: ViewQuery) -> Result<PermissionsPageData, ServerFnError> {
    use crate::auth::ConsoleRole;
    let session = crate::auth::require(ConsoleRole::Viewer)?;
    let provider = crate::backend::from_context::<dyn super::api::PermissionsBackend>(
        super::api::NOT_CONNECTED,
    )?;
    let visibility = page_visibility(&session);
    let registries = provider.registries(visibility.as_ref()).await;
    let chosen = registries
        .iter()
        .find(|r| r.name == query.registry)
        .or(registries.first());
    let registry = chosen.map(|r| r.name.clone()).unwrap_or_default();
    let project = chosen
        .and_then(|r| {
            r.projects
                .iter()
                .find(|p| **p == query.project)
                .or(r.projects.first())
        })
        .cloned()
        .unwrap_or_default();
    let chosen_query = ViewQuery {
        registry: registry.clone(),
        project: project.clone(),
        ..query
    };
    let view = provider
        .project_view(&chosen_query, visibility.as_ref())
        .await
        .map_err(ServerFnError::new)?;
    Ok(PermissionsPageData {
        registries,
        registry,
        project,
        view,
        can_edit: session.role >= Some(ConsoleRole::Admin),
    })
}

/// Why one cell of the matrix `query` shows is what it is (`key` from the page), fetched when
/// the cell is opened; the same role and the same objects as [`permissions_view`]. None when
/// the project or the cell is unknown (e.g. the registry changed since the page was drawn).
#[server(prefix = "/api/viewer")]
pub async fn permission_cell_explanation(
    query: ViewQuery,
    key: String,
) -> Result<Option<CellExplanation>, ServerFnError> {
    let session = crate::auth::require(crate::auth::ConsoleRole::Viewer)?;
    let provider = crate::backend::from_context::<dyn super::api::PermissionsBackend>(
        super::api::NOT_CONNECTED,
    )?;
    let visibility = page_visibility(&session);
    provider
        .cell_explanation(&query, &key, visibility.as_ref())
        .await
        .map_err(ServerFnError::new)
}

/// The form for `name` (empty for a new permission), read straight from the registry.
#[server(prefix = "/api/admin")]
pub async fn permission_editor_load(
    registry: String,
    project: String,
    name: String,
) -> Result<EditorData, ServerFnError> {
    crate::auth::require(crate::auth::ConsoleRole::Admin)?;
    let provider = crate::backend::from_context::<dyn super::api::PermissionsBackend>(
        super::api::NOT_CONNECTED,
    )?;
    let choice = provider
        .registries(&EveryObject)
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
        .project(&registry, &project, &EveryObject)
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
pub async fn permission_editor_choices() -> Result<Vec<super::api::RegistryChoice>, ServerFnError> {
    crate::auth::require(crate::auth::ConsoleRole::Admin)?;
    let provider = crate::backend::from_context::<dyn super::api::PermissionsBackend>(
        super::api::NOT_CONNECTED,
    )?;
    Ok(provider.registries(&EveryObject).await)
}

/// Validates, previews, and on `save` / `delete` writes the registry and the audit log.
#[server(prefix = "/api/admin")]
pub async fn permission_editor_submit(
    form: PermissionForm,
) -> Result<SubmitOutcome, ServerFnError> {
    use super::api::SaveRequest;
    use crate::backend::BackendError;
    let session = crate::auth::require(crate::auth::ConsoleRole::Admin)?;
    let actor = session
        .identity
        .as_ref()
        .map(|i| i.username.clone())
        .unwrap_or_default();
    let provider = crate::backend::from_context::<dyn super::api::PermissionsBackend>(
        super::api::NOT_CONNECTED,
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
    if let Some(data) = provider
        .project(&form.registry, &form.project, &EveryObject)
        .await
    {
        let after = apply_edit(&data.permissions, original.as_deref(), spec.as_ref());
        (out.preview, out.preview_more) = preview(&data.permissions, &after, &data.objects);
    }
    out.spec = spec.clone();
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

#[server(prefix = "/api/admin")]
pub async fn permission_audit_list(filter: AuditFilter) -> Result<Vec<AuditRecord>, ServerFnError> {
    crate::auth::require(crate::auth::ConsoleRole::Admin)?;
    let backend = crate::backend::from_context::<dyn super::api::PermissionsBackend>(
        "the audit log is not available on this server",
    )?;
    backend.audit(filter).await.map_err(ServerFnError::from)
}

/// Restores the demo registry's copy; says what was done. Admins only: the `/api/admin` prefix
/// tells the guard (see `server::auth::policy::role_for_api`).
#[server(prefix = "/api/admin")]
pub async fn permissions_demo_reset() -> Result<String, ServerFnError> {
    let session = crate::auth::require(crate::auth::ConsoleRole::Admin)?;
    let actor = session.identity.map(|i| i.username).unwrap_or_default();
    let backend = crate::backend::from_context::<dyn super::api::PermissionsBackend>(
        super::api::NOT_CONNECTED,
    )?;
    backend.reset_demo(actor).await.map_err(ServerFnError::from)
}
