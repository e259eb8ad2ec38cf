//! Keeps each configured registry's snapshot fresh in the background.
//!
//! Each registry has a [`RegistryHandle`]: readers take the current `Arc<RegistrySnapshot>`
//! (a pointer copy under a lock held for nanoseconds); the refresher builds the next snapshot
//! off the request path and swaps it in whole. On error the previous snapshot stays in use,
//! and the error and the time of the last successful read are kept for `/readyz` and the UI.
//! Failed reads are retried as [`Backoff`] says.

use std::{sync::Arc, time::Duration};

use super::load_error::LoadError;
use super::reader::Reader;
use super::snapshot::RegistrySnapshot;
use super::source::RegistrySource;
use crate::backoff::Backoff;
use crate::freshness::Refreshed;

/// What `/readyz` and the UI show about one registry: its names, and its latest snapshot
/// with its freshness (through `Deref`).
pub struct RegistryHandle {
    pub name: String,
    /// The source with any password removed.
    pub source: String,
    /// The source as configured (for reads made as a signed-in user).
    config: RegistrySource,
    refreshed: Refreshed<RegistrySnapshot>,
    /// When the handle was made: readiness waits for the first read from then, within a limit.
    created: std::time::Instant,
}

impl RegistryHandle {
    pub fn new(source: &RegistrySource) -> RegistryHandle {
        RegistryHandle {
            name: source.name.clone(),
            source: source.display(),
            config: source.clone(),
            refreshed: Refreshed::default(),
            created: std::time::Instant::now(),
        }
    }

    /// Whether the first read has finished, successfully or not. Before, an empty catalog
    /// means "not read yet", not "nothing there".
    pub fn first_read_done(&self) -> bool {
        let status = self.status();
        status.last_success.is_some() || status.consecutive_failures > 0
    }

    /// The source as configured.
    pub fn source_config(&self) -> &RegistrySource {
        &self.config
    }

    /// Applies the outcome of one read.
    pub fn record(&self, outcome: Result<Option<RegistrySnapshot>, LoadError>) {
        match outcome {
            Ok(next) => self.succeeded(next),
            Err(e) => self.failed(&e),
        }
    }
}

impl std::ops::Deref for RegistryHandle {
    type Target = Refreshed<RegistrySnapshot>;

    fn deref(&self) -> &Refreshed<RegistrySnapshot> {
        &self.refreshed
    }
}

/// Every configured registry, in configuration order.
#[derive(Clone, Default)]
pub struct Registries {
    pub handles: Vec<Arc<RegistryHandle>>,
}

impl Registries {
    /// Creates the handles, empty until [`run`] reads them (`crate::background::start` runs
    /// one per registry; the console serves, showing "loading", meanwhile).
    pub fn new(sources: &[RegistrySource]) -> Registries {
        Registries {
            handles: sources
                .iter()
                .map(|s| Arc::new(RegistryHandle::new(s)))
                .collect(),
        }
    }

    /// The registries whose first read has not finished yet, by name.
    pub fn loading(&self) -> Vec<String> {
        self.handles
            .iter()
            .filter(|h| !h.first_read_done())
            .map(|h| h.name.clone())
            .collect()
    }

    /// The registries readiness still waits for: first read not finished, and made less than
    /// `limit` ago (an unreachable registry must not keep a replica out of service forever).
    pub fn awaiting_first_read(&self, limit: Duration) -> Vec<String> {
        self.handles
            .iter()
            .filter(|h| !h.first_read_done() && h.created.elapsed() < limit)
            .map(|h| h.name.clone())
            .collect()
    }

    /// Waits until every registry's first read has succeeded or failed, at most `limit`.
    pub async fn first_reads(&self, limit: Duration) {
        let waiting = async {
            while !self.handles.iter().all(|h| h.first_read_done()) {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        let _ = tokio::time::timeout(limit, waiting).await;
    }

    /// Reads every registry once, in order, without background tasks (tests, tools).
    pub async fn load_now(sources: &[RegistrySource]) -> Registries {
        let mut handles = Vec::new();
        for source in sources {
            let handle = Arc::new(RegistryHandle::new(source));
            handle.record(Reader::load_once(source).await.map(Some));
            handles.push(handle);
        }
        Registries { handles }
    }
}

/// Reads `handle`'s registry now, then every `interval` (failures retried as [`Backoff`] says),
/// forever.
pub async fn run(handle: Arc<RegistryHandle>, interval: Duration) {
    let source = handle.source_config().clone();
    let backoff = Backoff::new(interval);
    let mut reader: Option<Reader> = None;
    loop {
        let outcome = match reader.as_mut() {
            Some(r) => r.refresh().await,
            None => match Reader::open(&source).await {
                Ok(mut r) => {
                    let first = r.refresh().await;
                    reader = Some(r);
                    first
                }
                Err(e) => Err(e),
            },
        };
        if let Err(e) = &outcome {
            tracing::warn!(registry = %handle.name, error = %e, "registry read failed; keeping the previous snapshot");
            // Reconnect from scratch next time: the pool or the file may be gone for good.
            if handle.status().consecutive_failures >= 2 {
                reader = None;
            }
        }
        let replaced = matches!(outcome, Ok(Some(_)));
        handle.record(outcome);
        if replaced {
            // The load's temporaries and the previous snapshot (once its last reader is done)
            // are freed in the decoder threads' arenas: give those pages back.
            let _ = tokio::task::spawn_blocking(crate::heap::release_freed).await;
        }
        tokio::time::sleep(backoff.delay(handle.consecutive_failures())).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::source::SourceKind;
    use std::time::SystemTime;

    #[test]
    fn errors_keep_the_last_good_snapshot() {
        let source = RegistrySource {
            name: "r".into(),
            kind: SourceKind::File("/x".into()),
            token: None,
        };
        let handle = RegistryHandle::new(&source);
        let snap = RegistrySnapshot::build(vec![], vec![], SystemTime::now(), Duration::ZERO);
        handle.record(Ok(Some(snap)));
        assert!(handle.snapshot().is_some());
        handle.record(Err(LoadError::new(
            "/x",
            crate::registry::load_error::LoadProblem::NoSuchFile("/x".into()),
        )));
        assert!(handle.snapshot().is_some(), "last good snapshot stays");
        let status = handle.status();
        assert_eq!(
            status.last_error.as_deref(),
            Some("registry /x: no such file: /x")
        );
        assert_eq!(status.consecutive_failures, 1);
        assert!(status.last_success.is_some());
        handle.record(Ok(None));
        assert_eq!(handle.status().last_error, None);
    }
}
