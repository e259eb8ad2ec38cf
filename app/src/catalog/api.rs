//! The catalog's server functions and the backend the server provides for them.
//!
//! Every function checks the caller's role first, then asks the [`CatalogBackend`] the server
//! put in the request context. The backend applies the [`Visibility`] it is handed to every read:
//! the caller's, from the [`VisibilitySource`] in the context (none there: nothing is shown).

#[cfg(feature = "ssr")]
use std::sync::Arc;

use leptos::prelude::*;

use super::detail::{DetailView, ProjectView};
use super::model::ObjectKind;
use super::overview::RegistryOverview;
use super::query::{ListPage, ListQuery};
use super::search::SearchResults;
#[cfg(feature = "ssr")]
use {super::query::Visibility, crate::backend::BackendError};

/// Catalog reads over the live snapshots; implemented by the server (`server/src/catalog/backend.rs`).
#[cfg(feature = "ssr")]
#[crate::backend::async_trait]
pub trait CatalogBackend: Send + Sync {
    /// Every configured registry with its projects and how many objects of each kind they hold,
    /// counting only what `visibility` shows.
    async fn overview(
        &self,
        visibility: &dyn Visibility,
    ) -> Result<Vec<RegistryOverview>, BackendError>;
    async fn list(
        &self,
        query: &ListQuery,
        visibility: &dyn Visibility,
    ) -> Result<ListPage, BackendError>;
    async fn project(
        &self,
        registry: &str,
        project: &str,
        visibility: &dyn Visibility,
    ) -> Result<Option<ProjectView>, BackendError>;
    async fn detail(
        &self,
        registry: &str,
        project: &str,
        kind: ObjectKind,
        name: &str,
        visibility: &dyn Visibility,
    ) -> Result<Option<DetailView>, BackendError>;
    async fn search(
        &self,
        text: &str,
        per_kind: usize,
        visibility: &dyn Visibility,
    ) -> Result<SearchResults, BackendError>;
}

/// What a signed-in person may see: the one decision every catalog read, the permissions page
/// and the exports go through (the server's: Feast's DESCRIBE, `server/src/catalog/visibility.rs`).
#[cfg(feature = "ssr")]
pub trait VisibilitySource: Send + Sync {
    fn for_session(&self, session: &crate::auth::SessionView) -> Box<dyn Visibility>;
}

/// The caller's visibility. Without a source in the context nothing is shown (fail closed).
#[cfg(feature = "ssr")]
pub fn caller_visibility(session: &crate::auth::SessionView) -> Box<dyn Visibility> {
    match use_context::<Arc<dyn VisibilitySource>>() {
        Some(source) => source.for_session(session),
        None => Box::new(super::query::NoObject),
    }
}

/// The backend, after checking the caller's role.
#[cfg(feature = "ssr")]
fn catalog() -> Result<(crate::auth::SessionView, Arc<dyn CatalogBackend>), ServerFnError> {
    let session = crate::auth::require(crate::auth::ConsoleRole::Viewer)?;
    let backend = crate::backend::from_context::<dyn CatalogBackend>(
        "the catalog is not available on this server",
    )?;
    Ok((session, backend))
}

/// The backend and the caller's visibility, after checking the caller's role.
#[cfg(feature = "ssr")]
async fn backend() -> Result<(Arc<dyn CatalogBackend>, Box<dyn Visibility>), ServerFnError> {
    let (session, backend) = catalog()?;
    let visibility = caller_visibility(&session);
    Ok((backend, visibility))
}

#[server(prefix = "/api/viewer")]
pub async fn catalog_list(query: ListQuery) -> Result<ListPage, ServerFnError> {
    let (backend, visibility) = backend().await?;
    backend
        .list(&query, visibility.as_ref())
        .await
        .map_err(ServerFnError::from)
}

#[server(prefix = "/api/viewer")]
pub async fn catalog_project(
    registry: String,
    project: String,
) -> Result<Option<ProjectView>, ServerFnError> {
    let (backend, visibility) = backend().await?;
    backend
        .project(&registry, &project, visibility.as_ref())
        .await
        .map_err(ServerFnError::from)
}

#[server(prefix = "/api/viewer")]
pub async fn catalog_detail(
    registry: String,
    project: String,
    kind: ObjectKind,
    name: String,
) -> Result<Option<DetailView>, ServerFnError> {
    let (backend, visibility) = backend().await?;
    backend
        .detail(&registry, &project, kind, &name, visibility.as_ref())
        .await
        .map_err(ServerFnError::from)
}

#[server(prefix = "/api/viewer")]
pub async fn catalog_search(text: String) -> Result<SearchResults, ServerFnError> {
    let (backend, visibility) = backend().await?;
    backend
        .search(&text, 10, visibility.as_ref())
        .await
        .map_err(ServerFnError::from)
}

/// Every configured registry with its projects and how many objects of each kind they hold.
#[server(prefix = "/api/viewer")]
pub async fn catalog_overview() -> Result<Vec<RegistryOverview>, ServerFnError> {
    let (backend, visibility) = backend().await?;
    backend
        .overview(visibility.as_ref())
        .await
        .map_err(ServerFnError::from)
}
