//! When a background refresh reads its source again.

use std::time::Duration;

/// The one retry rule of every background refresh (registries, topology). After a failed
/// refresh the source is read again after 1 s, the wait doubling with each consecutive failure
/// and capped at the source's normal refresh interval; a success resets it, so the next read
/// comes one normal interval later. A source that comes back is seen within seconds, and one
/// that stays down is read no more often than a healthy one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The normal refresh interval, and the longest wait after a failure.
    pub interval: Duration,
}

impl Backoff {
    /// The wait after the first failure.
    pub const FIRST_RETRY: Duration = Duration::from_secs(1);

    pub fn new(interval: Duration) -> Backoff {
        Backoff { interval }
    }

    /// How long to wait before the next read, after `consecutive_failures` failed ones.
    pub fn delay(self, consecutive_failures: u32) -> Duration {
        let Some(doublings) = consecutive_failures.checked_sub(1) else {
            return self.interval;
        };
        let factor = 1u32.checked_shl(doublings).unwrap_or(u32::MAX);
        Self::FIRST_RETRY
            .checked_mul(factor)
            .unwrap_or(self.interval)
            .min(self.interval)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_from_one_second_doubling_up_to_the_interval() {
        let b = Backoff::new(Duration::from_secs(10));
        let secs = |n| b.delay(n).as_secs();
        assert_eq!(secs(0), 10, "after a success: the normal interval");
        assert_eq!([secs(1), secs(2), secs(3), secs(4)], [1, 2, 4, 8]);
        assert_eq!(secs(5), 10);
        assert_eq!(secs(40), 10);
        assert_eq!(secs(u32::MAX), 10);
    }

    #[test]
    fn a_short_interval_caps_the_first_retry() {
        let b = Backoff::new(Duration::from_millis(200));
        assert_eq!(b.delay(1), Duration::from_millis(200));
    }
}
