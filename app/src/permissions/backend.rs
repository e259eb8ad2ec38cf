//! What the permission pages ask of the server, as data: one project's permissions and
//! objects, a stored permission with its version, a save request and its outcome, audit
//! records. The server implements [`PermissionsBackend`] and puts it in the request context
//! (the registries and databases live in the server crate).

use serde::{Deserialize, Serialize};

use super::model::{PermissionSpec, Resource};
#[cfg(feature = "ssr")]
use crate::backend::BackendError;

/// One project of one registry, as the views evaluate it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectData {
    pub registry: String,
    pub project: String,
    /// In the order the registry returned them.
    pub permissions: Vec<PermissionSpec>,
    /// Every object of the project except the permissions, the project itself included.
    pub objects: Vec<Resource>,
    /// Permissions that could not be read, unknown names dropped.
    pub notes: Vec<String>,
}

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
    async fn registries(&self) -> Vec<RegistryChoice>;
    /// From the current snapshot; None when the registry or project is unknown.
    async fn project(&self, registry: &str, project: &str) -> Option<ProjectData>;
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
