//! The request's user as pages and server functions see it, and the role check every server
//! function makes itself.

use serde::{Deserialize, Serialize};

use super::identity::Identity;
use super::roles::{role_for_page, ConsoleRole};

/// What the server tells the page about the request's user. The server's guard puts it in
/// the request's extensions; pages and server functions read it from there.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// Development mode: no identity provider, a demo user chosen in the header.
    pub auth_off: bool,
    pub identity: Option<Identity>,
    pub role: Option<ConsoleRole>,
}

impl SessionView {
    pub fn may_open(&self, path: &str) -> bool {
        self.role.is_some_and(|r| r >= role_for_page(path))
    }
}

/// For `#[server]` functions: the caller's session if it holds at least `role`, else an error
/// (the guard already answered 401/403 before the function ran; this is the second check).
#[cfg(feature = "ssr")]
pub fn require(role: ConsoleRole) -> Result<SessionView, leptos::prelude::ServerFnError> {
    use leptos::prelude::{use_context, ServerFnError};
    let view = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<SessionView>().cloned())
        .filter(|v| v.identity.is_some())
        .ok_or_else(|| ServerFnError::new("not signed in"))?;
    match view.role {
        Some(r) if r >= role => Ok(view),
        _ => Err(ServerFnError::new(format!(
            "this needs the {} console role",
            role.name()
        ))),
    }
}

/// The request's session during server rendering; in the browser, what the server rendered
/// (a shared value serialized into the page, so hydration starts from the same state).
pub fn current_session() -> SessionView {
    let shared = leptos::prelude::SharedValue::new(|| {
        #[cfg(feature = "ssr")]
        {
            leptos::prelude::use_context::<http::request::Parts>()
                .and_then(|parts| parts.extensions.get::<SessionView>().cloned())
                .unwrap_or_default()
        }
        #[cfg(not(feature = "ssr"))]
        {
            SessionView::default()
        }
    });
    shared.into_inner()
}
