//! Keeps the cluster snapshot fresh in the background, like the registry refresher: readers
//! take the current `Arc<ClusterSnapshot>`; a poll builds the next one off the request path and
//! swaps it in whole. When a read fails outright (API server unreachable, folder gone) the
//! previous snapshot stays in use and its age is shown; it is retried as [`Backoff`] says.
//! Per-kind problems (a 403, a missing CRD) are not failures: they are part of the snapshot.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use app::topology::snapshot::ClusterSnapshot;

use crate::backoff::Backoff;
use crate::freshness::Freshness;

#[derive(Default)]
pub struct TopologyHandle {
    current: RwLock<Option<Arc<ClusterSnapshot>>>,
    status: RwLock<Freshness>,
}

impl TopologyHandle {
    pub fn snapshot(&self) -> Option<Arc<ClusterSnapshot>> {
        // A poisoned lock only means a panic elsewhere while swapping a pointer.
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn status(&self) -> Freshness {
        self.status
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Time since the snapshot was last confirmed current.
    pub fn age(&self, now: SystemTime) -> Option<Duration> {
        self.status().age(now)
    }

    pub fn record(&self, outcome: Result<ClusterSnapshot, ReadError>) {
        let mut status = self.status.write().unwrap_or_else(|e| e.into_inner());
        match outcome {
            Ok(snapshot) => {
                *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(snapshot));
                status.succeeded(SystemTime::now());
            }
            Err(e) => status.failed(app::backend::error_chain(&*e)),
        }
    }
}

/// Why a read failed outright, with its causes; the status keeps it as one line for the pages.
pub type ReadError = Box<dyn std::error::Error + Send + Sync>;

pub type ReadSnapshot = Box<
    dyn Fn() -> Pin<Box<dyn Future<Output = Result<ClusterSnapshot, ReadError>> + Send>>
        + Send
        + Sync,
>;

/// How to read the topology, how often, and the handle its snapshots go to. The loop is
/// [`TopologyRefresher::run`], started by `crate::background::start`.
pub struct TopologyRefresher {
    read: ReadSnapshot,
    interval: Duration,
    pub handle: Arc<TopologyHandle>,
    /// The first snapshot was given: the first read waits one interval.
    first_given: AtomicBool,
}

impl TopologyRefresher {
    /// With `first`, that snapshot is in place at once and the first read comes one interval
    /// later; without, the first read comes at once.
    pub fn new(
        read: ReadSnapshot,
        interval: Duration,
        first: Option<ClusterSnapshot>,
    ) -> Arc<TopologyRefresher> {
        let handle = Arc::new(TopologyHandle::default());
        let first_given = first.is_some();
        if let Some(first) = first {
            handle.record(Ok(first));
        }
        Arc::new(TopologyRefresher {
            read,
            interval,
            handle,
            first_given: AtomicBool::new(first_given),
        })
    }

    /// Reads, then every interval (failures retried as [`Backoff`] says), forever.
    pub async fn run(&self) {
        if self.first_given.swap(false, Ordering::SeqCst) {
            tokio::time::sleep(self.interval).await;
        }
        loop {
            let outcome = (self.read)().await;
            if let Err(e) = &outcome {
                tracing::warn!(
                    error = %app::backend::error_chain(&**e),
                    "topology read failed; keeping the previous snapshot"
                );
            }
            self.handle.record(outcome);
            let failures = self.handle.status().consecutive_failures;
            tokio::time::sleep(Backoff::new(self.interval).delay(failures)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_keep_the_previous_snapshot() {
        let h = TopologyHandle::default();
        assert!(h.snapshot().is_none());
        h.record(Ok(ClusterSnapshot::default()));
        let first = h.snapshot();
        h.record(Err("connection refused".into()));
        assert!(h
            .snapshot()
            .is_some_and(|s| first.is_some_and(|f| Arc::ptr_eq(&s, &f))));
        assert_eq!(h.status().consecutive_failures, 1);
        assert_eq!(h.status().last_error.as_deref(), Some("connection refused"));
        assert!(h.age(SystemTime::now()).is_some());
    }

    #[tokio::test]
    async fn spawned_refresher_reads_at_once() {
        let read: ReadSnapshot = Box::new(|| Box::pin(async { Ok(ClusterSnapshot::default()) }));
        let refresher = TopologyRefresher::new(read, Duration::from_secs(3600), None);
        let h = refresher.handle.clone();
        tokio::spawn(async move { refresher.run().await });
        for _ in 0..100 {
            if h.snapshot().is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(h.snapshot().is_some());
    }
}
