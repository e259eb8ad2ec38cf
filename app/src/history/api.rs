//! The history pages' server functions and the backend the server provides for them.
//!
//! Both check the caller's role (viewer) themselves, then ask the [`HistoryBackend`] in the
//! request context. What the caller may see is decided on the server: a timeline entry only
//! when the caller may DESCRIBE its object, a compared object only when they may describe it
//! on each side where it exists.

use leptos::prelude::*;

use super::compare::{ComparePage, CompareQuery};
use super::timeline::{TimelinePage, TimelineQuery};
#[cfg(feature = "ssr")]
use {
    crate::auth::SessionView, crate::backend::BackendError, crate::catalog::query::Visibility,
    std::sync::Arc,
};

/// History reads; implemented by the server (`server/src/history/backend.rs`).
#[cfg(feature = "ssr")]
#[crate::backend::async_trait]
pub trait HistoryBackend: Send + Sync {
    /// Up to `limit` entries of `query`'s timeline that `session` may see, newest first.
    async fn timeline(
        &self,
        query: &TimelineQuery,
        limit: usize,
        session: &SessionView,
    ) -> Result<TimelinePage, BackendError>;

    /// The registries and projects `visibility` shows, and, when both sides are chosen, their
    /// comparison.
    async fn compare(
        &self,
        query: &CompareQuery,
        visibility: &dyn Visibility,
    ) -> Result<ComparePage, BackendError>;
}

/// The caller, after checking their role, and the backend.
#[cfg(feature = "ssr")]
fn history() -> Result<(SessionView, Arc<dyn HistoryBackend>), ServerFnError> {
    let session = crate::auth::require(crate::auth::ConsoleRole::Viewer)?;
    let backend = crate::backend::from_context::<dyn HistoryBackend>(
        "the history is not available on this server",
    )?;
    Ok((session, backend))
}

#[server(prefix = "/api/viewer")]
pub async fn history_timeline(query: TimelineQuery) -> Result<TimelinePage, ServerFnError> {
    let (session, backend) = history()?;
    backend
        .timeline(&query, super::timeline::PAGE_SIZE, &session)
        .await
        .map_err(ServerFnError::from)
}

#[server(prefix = "/api/viewer")]
pub async fn history_compare(query: CompareQuery) -> Result<ComparePage, ServerFnError> {
    let (session, backend) = history()?;
    let visibility = crate::catalog::api::caller_visibility(&session);
    backend
        .compare(&query, visibility.as_ref())
        .await
        .map_err(ServerFnError::from)
}
