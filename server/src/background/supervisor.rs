//! Runs background loops and restarts one that panics, after a pause that doubles with each
//! panic in a row (a loop that ran for [`STABLE_AFTER`] starts again from [`FIRST_DELAY`]).
//! A loop that returns has finished on purpose (the lease after `stop`) and is not restarted.
//! Each task's restarts are counted for `/readyz` and `/metrics`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::task::{JoinError, JoinHandle};

/// Pause before the first restart.
const FIRST_DELAY: Duration = Duration::from_secs(1);
/// Longest pause between restarts.
const MAX_DELAY: Duration = Duration::from_secs(60);
/// A loop that ran this long before it panicked is restarted after [`FIRST_DELAY`] again.
const STABLE_AFTER: Duration = Duration::from_secs(300);

pub struct Supervisor {
    first_delay: Duration,
    /// Restarts per task name; every supervised task has an entry from its start.
    restarts: Mutex<BTreeMap<String, u64>>,
}

impl Default for Supervisor {
    fn default() -> Self {
        Supervisor::with_first_delay(FIRST_DELAY)
    }
}

impl Supervisor {
    /// A supervisor whose first restart comes after `first_delay` (tests use a short one).
    pub fn with_first_delay(first_delay: Duration) -> Supervisor {
        Supervisor {
            first_delay,
            restarts: Mutex::new(BTreeMap::new()),
        }
    }

    /// Runs the future `make` returns as the task `name`; after a panic, logs it, counts it
    /// and runs a new one from `make`. The handle ends when a run returns.
    pub fn spawn<F, Fut>(self: &Arc<Self>, name: &str, make: F) -> JoinHandle<()>
    where
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.counts().entry(name.to_string()).or_insert(0);
        let (me, name) = (self.clone(), name.to_string());
        tokio::spawn(async move {
            let mut in_a_row = 0u32;
            loop {
                let started = Instant::now();
                let error = match tokio::spawn(make()).await {
                    Ok(()) => return,
                    // The runtime is shutting down.
                    Err(e) if e.is_cancelled() => return,
                    Err(e) => e,
                };
                if started.elapsed() >= STABLE_AFTER {
                    in_a_row = 0;
                }
                let delay = restart_delay(me.first_delay, in_a_row);
                in_a_row = in_a_row.saturating_add(1);
                let restarts = me.count_restart(&name);
                tracing::error!(task = %name, panic = %panic_message(error), restarts, ?delay, "background task panicked; restarting it");
                tokio::time::sleep(delay).await;
            }
        })
    }

    /// Restarts so far, by task name.
    pub fn restarts(&self) -> BTreeMap<String, u64> {
        self.counts().clone()
    }

    /// `feast_console_task_restarts_total{task=...}` in Prometheus text format.
    pub fn render_metrics(&self) -> String {
        let mut out = String::from(
            "# HELP feast_console_task_restarts_total Background tasks restarted after a panic.\n\
             # TYPE feast_console_task_restarts_total counter\n",
        );
        for (task, n) in self.counts().iter() {
            let _ = writeln!(
                out,
                "feast_console_task_restarts_total{{task=\"{}\"}} {n}",
                crate::http::metrics::escape(task)
            );
        }
        out
    }

    fn count_restart(&self, name: &str) -> u64 {
        let mut counts = self.counts();
        let n = counts.entry(name.to_string()).or_insert(0);
        *n += 1;
        *n
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, u64>> {
        // A poisoned lock only means a panic while counting; the counts are still usable.
        self.restarts.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// `first`, doubled per earlier panic in a row, capped at [`MAX_DELAY`].
fn restart_delay(first: Duration, in_a_row: u32) -> Duration {
    let factor = 1u32.checked_shl(in_a_row.min(16)).unwrap_or(u32::MAX);
    first.saturating_mul(factor).min(MAX_DELAY.max(first))
}

fn panic_message(error: JoinError) -> String {
    match error.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into()),
        Err(e) => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn a_panicking_task_is_restarted_and_counted() {
        let supervisor = Arc::new(Supervisor::with_first_delay(Duration::from_millis(5)));
        let runs = Arc::new(AtomicU32::new(0));
        let counter = runs.clone();
        // Panics on its first two runs, then finishes.
        let task = supervisor.spawn("flaky", move || {
            let counter = counter.clone();
            async move {
                if counter.fetch_add(1, Ordering::SeqCst) < 2 {
                    panic!("deliberate test panic");
                }
            }
        });
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .expect("the task finishes after its restarts")
            .expect("the supervisor itself does not panic");
        assert_eq!(runs.load(Ordering::SeqCst), 3);
        assert_eq!(supervisor.restarts().get("flaky"), Some(&2));
        assert!(supervisor
            .render_metrics()
            .contains("feast_console_task_restarts_total{task=\"flaky\"} 2\n"));
    }

    #[tokio::test]
    async fn a_task_that_returns_is_not_restarted() {
        let supervisor = Arc::new(Supervisor::with_first_delay(Duration::from_millis(5)));
        supervisor.spawn("once", || async {}).await.expect("ends");
        assert_eq!(supervisor.restarts().get("once"), Some(&0));
    }

    #[test]
    fn restart_pauses_double_and_cap() {
        let first = Duration::from_secs(1);
        assert_eq!(restart_delay(first, 0), first);
        assert_eq!(restart_delay(first, 3), Duration::from_secs(8));
        assert_eq!(restart_delay(first, 40), MAX_DELAY);
    }
}
