//! How current a source that a background loop refreshes is: the registry and topology handles
//! keep one each, and the pages show its age and last error.

use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

/// The latest snapshot a background loop read, and how fresh it is. Readers take the current
/// `Arc<T>` (a pointer copy under a lock held for nanoseconds); the loop builds the next one
/// off the request path and swaps it in whole. On error the previous snapshot stays in use.
pub struct Refreshed<T> {
    current: RwLock<Option<Arc<T>>>,
    status: RwLock<Freshness>,
}

impl<T> Default for Refreshed<T> {
    fn default() -> Self {
        Refreshed {
            current: RwLock::new(None),
            status: RwLock::new(Freshness::default()),
        }
    }
}

impl<T> Refreshed<T> {
    /// The snapshot in use; None until the first successful read.
    pub fn snapshot(&self) -> Option<Arc<T>> {
        // A poisoned lock only means a panic elsewhere while swapping a pointer; the pointer
        // itself is still valid.
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

    /// Failed reads since the last good one, without copying the status (per-request use).
    pub fn consecutive_failures(&self) -> u32 {
        self.status
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .consecutive_failures
    }

    /// Time since the data was last confirmed current.
    pub fn age(&self, now: SystemTime) -> Option<Duration> {
        self.status().age(now)
    }

    /// A read succeeded: `next` replaces the snapshot (None: nothing changed).
    pub fn succeeded(&self, next: Option<T>) {
        let mut status = self.status.write().unwrap_or_else(|e| e.into_inner());
        if let Some(snapshot) = next {
            *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(snapshot));
        }
        status.succeeded(SystemTime::now());
    }

    /// A read failed: the snapshot stays; the error, with every cause, is kept for the pages.
    pub fn failed(&self, error: &(dyn std::error::Error + 'static)) {
        let mut status = self.status.write().unwrap_or_else(|e| e.into_inner());
        status.failed(app::backend::error_chain(error));
    }
}

#[derive(Clone, Debug, Default)]
pub struct Freshness {
    /// When a read last succeeded (changed or not): the data is current as of then.
    pub last_success: Option<SystemTime>,
    /// The last error, cleared by the next success.
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
}

impl Freshness {
    pub fn succeeded(&mut self, at: SystemTime) {
        self.last_success = Some(at);
        self.last_error = None;
        self.consecutive_failures = 0;
    }

    pub fn failed(&mut self, error: String) {
        self.last_error = Some(error);
        self.consecutive_failures = self.consecutive_failures.saturating_add(1);
    }

    /// Time since the data was last confirmed current.
    pub fn age(&self, now: SystemTime) -> Option<Duration> {
        self.last_success
            .map(|t| now.duration_since(t).unwrap_or_default())
    }
}
