//! Keeps the cluster snapshot fresh in the background: readers take the current
//! `Arc<ClusterSnapshot>`; the next one is built off the request path and swapped in whole.
//! A manifests folder is re-read on an interval (failures retried as [`Backoff`] says); a
//! cluster is watched ([`KubeTopologySource::watch`]), so a change shows within a second. When
//! the source cannot be read (API server unreachable, folder gone) the previous snapshot stays
//! in use and its age is shown. Per-kind problems (a 403, a missing CRD) are not failures: they
//! are part of the snapshot.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use app::topology::snapshot::ClusterSnapshot;

use super::kube_source::KubeTopologySource;
use crate::backoff::Backoff;
use crate::freshness::Refreshed;

/// The current cluster snapshot and how fresh it is.
pub type TopologyHandle = Refreshed<ClusterSnapshot>;

impl Refreshed<ClusterSnapshot> {
    pub fn record(&self, outcome: Result<ClusterSnapshot, ReadError>) {
        match outcome {
            Ok(snapshot) => self.succeeded(Some(snapshot)),
            Err(e) => self.failed(&*e),
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

enum Reading {
    /// Read whole every interval.
    Poll {
        read: ReadSnapshot,
        interval: Duration,
    },
    /// Watched: changes arrive as they happen.
    Watch(Arc<KubeTopologySource>),
}

/// How to read the topology, how often, and the handle its snapshots go to. The loop is
/// [`TopologyRefresher::run`], started by `crate::background::start`.
pub struct TopologyRefresher {
    reading: Reading,
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
            reading: Reading::Poll { read, interval },
            handle,
            first_given: AtomicBool::new(first_given),
        })
    }

    /// Keeps the snapshot of a cluster current through watches.
    pub fn watching(source: Arc<KubeTopologySource>) -> Arc<TopologyRefresher> {
        Arc::new(TopologyRefresher {
            reading: Reading::Watch(source),
            handle: Arc::new(TopologyHandle::default()),
            first_given: AtomicBool::new(false),
        })
    }

    /// Reads, then every interval (failures retried as [`Backoff`] says), or watches, forever.
    pub async fn run(&self) {
        let (read, interval) = match &self.reading {
            Reading::Watch(source) => return source.watch(&self.handle).await,
            Reading::Poll { read, interval } => (read, *interval),
        };
        if self.first_given.swap(false, Ordering::SeqCst) {
            tokio::time::sleep(interval).await;
        }
        loop {
            let outcome = read().await;
            if let Err(e) = &outcome {
                tracing::warn!(
                    error = %app::backend::error_chain(&**e),
                    "topology read failed; keeping the previous snapshot"
                );
            }
            self.handle.record(outcome);
            let failures = self.handle.status().consecutive_failures;
            tokio::time::sleep(Backoff::new(interval).delay(failures)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

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
