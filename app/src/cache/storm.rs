//! When each registry copy re-reads the registry, whether a request waits for it, and the
//! resulting storm risk. Semantics of Feast 0.67.0:
//!
//! - `sync` (`CachingRegistry._refresh_cached_registry_if_necessary`): the first request that
//!   finds the cache older than `cache_ttl_seconds` re-reads the whole registry before it is
//!   answered. Copies started together (a rollout, a scale-up) expire together.
//! - `thread`: a background timer re-reads every `cache_ttl_seconds`; no request waits.
//! - The online feature server (`feature_server.py`, `async_refresh`) also re-reads on a
//!   background timer every `registryTTLSeconds`, which resets the cache's age: in `sync` mode
//!   requests only wait when `cache_ttl_seconds <= registryTTLSeconds` (the cache expires
//!   before, or as, the timer fires). `cache_ttl_seconds = 0` never expires.

use serde::{Deserialize, Serialize};

use super::settings::CacheMode;

/// How one copy re-reads the registry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RefreshSchedule {
    /// Background re-read periods in seconds (timers; no request waits).
    pub background_seconds: Vec<f64>,
    /// Period of the re-reads a request waits for (`sync` expiry), if any.
    pub blocking_seconds: Option<f64>,
}

impl RefreshSchedule {
    /// `cache_mode`, `cache_ttl_seconds` and, for the online server, `registryTTLSeconds`.
    pub fn of(mode: CacheMode, cache_ttl: i64, server_timer: Option<i64>) -> RefreshSchedule {
        let timer = server_timer.filter(|t| *t > 0).map(|t| t as f64);
        let ttl = (cache_ttl > 0).then_some(cache_ttl as f64);
        let mut background: Vec<f64> = timer.into_iter().collect();
        let mut blocking = None;
        match (mode, ttl) {
            (CacheMode::Sync, Some(ttl)) if timer.is_none_or(|t| ttl <= t) => blocking = Some(ttl),
            (CacheMode::Thread, Some(ttl)) => background.push(ttl),
            _ => {}
        }
        RefreshSchedule {
            background_seconds: background,
            blocking_seconds: blocking,
        }
    }

    /// Full registry reads per minute by one copy: the sum of 60 / period over its triggers
    /// (an upper estimate: a timer and an expiry that coincide are counted twice).
    pub fn per_minute(&self) -> f64 {
        self.background_seconds
            .iter()
            .chain(self.blocking_seconds.iter())
            .map(|p| 60.0 / p)
            .fold(0.0, |a, b| a + b)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// No request ever waits for a registry read.
    None,
    Low,
    Medium,
    High,
    /// Requests wait, but the load time has not been measured yet.
    Unknown,
}

impl RiskLevel {
    pub fn label(self) -> &'static str {
        match self {
            RiskLevel::None => "none",
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
            RiskLevel::Unknown => "unknown",
        }
    }
}

/// Storm thresholds: a blocking read of at least this long is a visible latency spike.
pub const HIGH_WAIT_MS: f64 = 1000.0;
pub const MEDIUM_WAIT_MS: f64 = 100.0;
/// Share of requests waiting from which the risk is high / medium.
pub const HIGH_SHARE: f64 = 0.01;
pub const MEDIUM_SHARE: f64 = 0.001;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StormRisk {
    pub level: RiskLevel,
    /// Seconds between blocking reads of one copy (`cache_ttl_seconds`), when there are any.
    pub blocking_seconds: Option<f64>,
    /// Share of requests that wait: `load_ms / (1000 × blocking_seconds)`, capped at 1.
    /// A copy spends that share of its time in a read requests wait for; with requests
    /// arriving evenly, the same share of them arrive during one (the triggering request
    /// waits for the whole read; others on that worker compete with it for the GIL).
    pub waiting_share: Option<f64>,
    /// A waiting request waits on average half a read (`load_ms / 2`) and at most a whole one.
    pub mean_wait_ms: Option<f64>,
    pub max_wait_ms: Option<f64>,
    /// Copies that expire in the same window when they started together (all of them).
    pub aligned_copies: i64,
}

/// `copies`: copies whose reads block (`sync` mode); `load_ms`: measured full-read time.
pub fn storm_risk(blocking_seconds: Option<f64>, load_ms: Option<f64>, copies: i64) -> StormRisk {
    let Some(period) = blocking_seconds else {
        return StormRisk {
            level: RiskLevel::None,
            blocking_seconds: None,
            waiting_share: Some(0.0),
            mean_wait_ms: Some(0.0),
            max_wait_ms: Some(0.0),
            aligned_copies: 0,
        };
    };
    let share = load_ms.map(|l| (l / (1000.0 * period)).min(1.0));
    let level = match (load_ms, share) {
        (Some(l), Some(s)) if l >= HIGH_WAIT_MS || s >= HIGH_SHARE => RiskLevel::High,
        (Some(l), Some(s)) if l >= MEDIUM_WAIT_MS || s >= MEDIUM_SHARE => RiskLevel::Medium,
        (Some(_), Some(_)) => RiskLevel::Low,
        _ => RiskLevel::Unknown,
    };
    StormRisk {
        level,
        blocking_seconds: Some(period),
        waiting_share: share,
        mean_wait_ms: load_ms.map(|l| l / 2.0),
        max_wait_ms: load_ms,
        aligned_copies: copies,
    }
}

/// One registry read on the simulated timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RefreshEvent {
    /// Index of the copy (0-based).
    pub copy: usize,
    pub start_seconds: f64,
    pub duration_seconds: f64,
    /// A request waits for this read.
    pub blocking: bool,
}

/// Reads of `copies` copies in `(0, horizon_seconds]`, all started at 0 (a rollout): every
/// period of the schedule gives a read at each multiple of it, lasting `load_ms`.
pub fn timeline(
    schedule: &RefreshSchedule,
    copies: usize,
    load_ms: f64,
    horizon_seconds: f64,
) -> Vec<RefreshEvent> {
    let duration = load_ms / 1000.0;
    let periods = schedule
        .background_seconds
        .iter()
        .map(|p| (*p, false))
        .chain(schedule.blocking_seconds.map(|p| (p, true)));
    let mut events = Vec::new();
    for (period, blocking) in periods {
        // Guard: a period below one second is far outside Feast's useful range.
        let period = period.max(1.0);
        let mut t = period;
        while t <= horizon_seconds {
            for copy in 0..copies {
                events.push(RefreshEvent {
                    copy,
                    start_seconds: t,
                    duration_seconds: duration,
                    blocking,
                });
            }
            t += period;
        }
    }
    events.sort_by(|a, b| {
        a.start_seconds
            .total_cmp(&b.start_seconds)
            .then(a.copy.cmp(&b.copy))
    });
    events
}
