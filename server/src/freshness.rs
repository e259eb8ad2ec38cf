//! How current a source that a background loop refreshes is: the registry and topology handles
//! keep one each, and the pages show its age and last error.

use std::time::{Duration, SystemTime};

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
