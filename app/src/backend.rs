//! The contract between an area's server functions (in this crate) and the server crate that
//! implements them. Each area declares one backend trait in its `api.rs`, all in one style:
//! `#[async_trait]` methods (the trait objects live in the request context, so the futures are
//! boxed), failing with a [`BackendError`]. The server keeps its own typed errors, with their
//! causes, and turns them into a `BackendError` at this boundary: what is left is what a page shows.

use serde::{Deserialize, Serialize};

/// The one way an area's backend trait is written (`#[async_trait] pub trait XBackend`).
#[cfg(feature = "ssr")]
pub use async_trait::async_trait;

/// Why a backend could not answer, in words a page can show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum BackendError {
    /// Someone changed the object since it was read; nothing was written.
    #[error("Conflict: {0}")]
    Conflict(String),
    /// The request cannot be carried out as asked (a name, a spec Feast would refuse).
    #[error("{0}")]
    Invalid(String),
    /// What the backend reads or writes is not reachable now (a registry, the console database).
    #[error("{0}")]
    Unavailable(String),
}

impl BackendError {
    /// An unavailable source, described with its whole chain of causes.
    pub fn unavailable(error: &(dyn std::error::Error + 'static)) -> BackendError {
        BackendError::Unavailable(error_chain(error))
    }
}

/// `error: cause: cause` — the causes a server-side error carries, for the one line a page shows.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // Some errors repeat their source in their own message; say it once.
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The area's backend, which the server put in the request context as an `Arc<dyn XBackend>`;
/// `missing` says what the page lacks when this server runs without it. Call it after the
/// caller's role is checked.
#[cfg(feature = "ssr")]
pub fn from_context<B: ?Sized + Send + Sync + 'static>(
    missing: &'static str,
) -> Result<std::sync::Arc<B>, leptos::prelude::ServerFnError> {
    leptos::prelude::use_context::<std::sync::Arc<B>>()
        .ok_or_else(|| leptos::prelude::ServerFnError::new(missing))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("reading registry demo")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn error_chain_names_every_cause_once() {
        let e = Outer(std::io::Error::other("connection refused"));
        assert_eq!(error_chain(&e), "reading registry demo: connection refused");
        assert_eq!(
            BackendError::unavailable(&e).to_string(),
            "reading registry demo: connection refused"
        );
        assert_eq!(
            BackendError::Conflict("changed".into()).to_string(),
            "Conflict: changed"
        );
    }
}
