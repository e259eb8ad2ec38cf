//! The catalog's server functions and the backend the server provides for them.
//!
//! Every function checks the caller's role first, then asks the [`CatalogProvider`] the server
//! put in the request context. The backend applies the [`Visibility`] it is handed to every read.

use std::sync::Arc;

use leptos::prelude::*;

use super::detail::{DetailView, ProjectView};
use super::model::ObjectKind;
use super::query::{ListPage, ListQuery, Visibility};
use super::search::SearchResults;

/// Catalog reads over the live snapshots; implemented by the server.
pub trait CatalogBackend: Send + Sync {
    fn list(&self, query: &ListQuery, visibility: &dyn Visibility) -> Result<ListPage, String>;
    fn project(
        &self,
        registry: &str,
        project: &str,
        visibility: &dyn Visibility,
    ) -> Result<Option<ProjectView>, String>;
    fn detail(
        &self,
        registry: &str,
        project: &str,
        kind: ObjectKind,
        name: &str,
        visibility: &dyn Visibility,
    ) -> Result<Option<DetailView>, String>;
    fn search(
        &self,
        text: &str,
        per_kind: usize,
        visibility: &dyn Visibility,
    ) -> Result<SearchResults, String>;
}

#[derive(Clone)]
pub struct CatalogProvider(pub Arc<dyn CatalogBackend>);

/// The visibility of the signed-in user. The one place Feast's DESCRIBE check will go.
#[cfg(feature = "ssr")]
pub fn visibility_for(_session: &crate::auth::SessionView) -> Box<dyn Visibility> {
    Box::new(super::query::EveryObject)
}

/// The visibility of the request's user, worked out by the server from what the request
/// carries (the signed-in user's own token, used to ask Feast's REST registry server).
#[cfg(feature = "ssr")]
pub type VisibilityFuture =
    std::pin::Pin<Box<dyn std::future::Future<Output = Box<dyn Visibility>> + Send>>;

#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct VisibilityProvider(
    pub Arc<dyn Fn(&http::request::Parts) -> VisibilityFuture + Send + Sync>,
);

/// The backend and the caller's visibility, after checking the caller's role.
#[cfg(feature = "ssr")]
type Checked = (Arc<dyn CatalogBackend>, Box<dyn Visibility>);

#[cfg(feature = "ssr")]
async fn backend() -> Result<Checked, ServerFnError> {
    let session = crate::auth::require(crate::auth::ConsoleRole::Viewer)?;
    let provider = use_context::<CatalogProvider>()
        .ok_or_else(|| ServerFnError::new("the catalog is not available on this server"))?;
    let visibility = match (
        use_context::<VisibilityProvider>(),
        use_context::<http::request::Parts>(),
    ) {
        (Some(v), Some(parts)) => (v.0)(&parts).await,
        _ => visibility_for(&session),
    };
    Ok((provider.0, visibility))
}

#[server(prefix = "/api/viewer")]
pub async fn catalog_list(query: ListQuery) -> Result<ListPage, ServerFnError> {
    let (backend, visibility) = backend().await?;
    backend
        .list(&query, visibility.as_ref())
        .map_err(ServerFnError::new)
}

#[server(prefix = "/api/viewer")]
pub async fn catalog_project(
    registry: String,
    project: String,
) -> Result<Option<ProjectView>, ServerFnError> {
    let (backend, visibility) = backend().await?;
    backend
        .project(&registry, &project, visibility.as_ref())
        .map_err(ServerFnError::new)
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
        .map_err(ServerFnError::new)
}

#[server(prefix = "/api/viewer")]
pub async fn catalog_search(text: String) -> Result<SearchResults, ServerFnError> {
    let (backend, visibility) = backend().await?;
    backend
        .search(&text, 10, visibility.as_ref())
        .map_err(ServerFnError::new)
}
