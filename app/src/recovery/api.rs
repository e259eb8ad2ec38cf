//! The recovery area's API: its server function and the `RecoveryBackend` the server implements
//! for it (the recovery runner's latest round). What it returns is in `report.rs`.

use leptos::prelude::*;

use super::report::RecoveryState;

/// How server functions reach the latest report; implemented by the server's recovery runner.
#[cfg(feature = "ssr")]
#[crate::backend::async_trait]
pub trait RecoveryBackend: Send + Sync {
    /// The latest round, waiting briefly for the first one after a start.
    async fn latest(&self) -> RecoveryState;
}

#[server(prefix = "/api/sre")]
pub async fn load_recovery() -> Result<RecoveryState, ServerFnError> {
    crate::auth::require(crate::auth::ConsoleRole::Sre)?;
    let backend = crate::backend::from_context::<dyn RecoveryBackend>(
        "recovery probes are not running in this server",
    )?;
    Ok(backend.latest().await)
}
