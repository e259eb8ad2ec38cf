//! The recovery page's backend: the latest round of the [`RecoveryRunner`].

use app::recovery::{RecoveryBackend, RecoveryState};

use super::runner::RecoveryRunner;

#[app::backend::async_trait]
impl RecoveryBackend for RecoveryRunner {
    async fn latest(&self) -> RecoveryState {
        self.state().await
    }
}
