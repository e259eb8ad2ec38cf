//! Server functions of the sign-in area.

use leptos::prelude::*;

use super::session::SessionView;

/// The caller's identity and console role, as the server decided them (for scripts and for
/// pages that need it after hydration).
#[server(prefix = "/api/viewer")]
pub async fn whoami() -> Result<SessionView, ServerFnError> {
    super::session::require(super::roles::ConsoleRole::Viewer)
}
