//! `/permissions`: per project, the matrix, the lints, per-object access and "as a user".

pub mod csv;
pub mod model;
mod render;
pub mod token;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::backend::RegistryChoice;
pub use model::{project_view, ProjectView, ViewQuery};
pub use render::PermissionsPage;

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

/// The page for `query`: the chosen (or first) registry and project of the live snapshot.
#[server]
pub async fn permissions_view(query: ViewQuery) -> Result<PermissionsPageData, ServerFnError> {
    use crate::auth::ConsoleRole;
    let session = crate::auth::require(ConsoleRole::Viewer)?;
    let provider = use_context::<super::backend::PermissionsProvider>()
        .ok_or_else(|| ServerFnError::new("no registry is connected"))?;
    let registries = provider.0.registries();
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
    let view = provider
        .0
        .project(&registry, &project)
        .map(|data| project_view(&data, &query));
    Ok(PermissionsPageData {
        registries,
        registry,
        project,
        view,
        can_edit: session.role >= Some(ConsoleRole::Admin),
    })
}
