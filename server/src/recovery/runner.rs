//! The background probe loop: one round every `recovery_probe_seconds`, each stored as samples,
//! published to the page (as the area's backend, `backend.rs`), the exports and the Prometheus gauges.
//!
//! With several replicas on one PostgreSQL console DB, only the lease holder probes: it stores
//! each round's page data in `recovery_latest`, and the others load that row every interval
//! instead of probing the same targets. A follower whose stored round is older than three
//! intervals (or that finds none) shows "waiting for the probing replica". A console on SQLite
//! is always its own prober.

use std::sync::Arc;
use std::time::Duration;

use std::sync::atomic::{AtomicBool, Ordering};

use app::recovery::report::{
    build_report, history_text, RecoveryPageData, RecoveryReport, RecoveryState,
};

use super::gather::{gather, gather_deployments};
use super::sources::Sources;
use super::{latest, plot, samples};
use crate::clock::unix_now;
use crate::db::ConsoleDb;
use crate::http::metrics::{HttpMetrics, RecoveryGauge};
use crate::registry::refresher::Registries;

/// The plot covers this much history.
const HISTORY_SECONDS: i64 = 24 * 3600;

/// How long the page waits for the first round after a start before showing "not yet".
const FIRST_ROUND_WAIT: Duration = Duration::from_secs(5);

pub struct RecoveryRunner {
    pub sources: Sources,
    /// This replica's lease holder id, written into the rounds it probes.
    pub replica: String,
    latest: tokio::sync::watch::Sender<Option<RecoveryPageData>>,
    /// Another replica probes: this one shows the stored round.
    following: AtomicBool,
}

impl RecoveryRunner {
    pub fn new(sources: Sources) -> Arc<RecoveryRunner> {
        RecoveryRunner::for_replica(sources, "console")
    }

    pub fn for_replica(sources: Sources, replica: &str) -> Arc<RecoveryRunner> {
        Arc::new(RecoveryRunner {
            sources,
            replica: replica.to_string(),
            latest: tokio::sync::watch::Sender::new(None),
            following: AtomicBool::new(false),
        })
    }

    fn interval_seconds(&self) -> u64 {
        self.sources.config.probe_seconds
    }

    /// What the page and the exports show now (see the module notes).
    pub async fn state(&self) -> RecoveryState {
        let following = self.following.load(Ordering::SeqCst);
        let latest = if following {
            self.latest()
        } else {
            self.wait_latest().await
        };
        let now = unix_now();
        match latest {
            Some(mut d) => {
                let age = now.saturating_sub(d.report.generated_at).max(0) as u64;
                let mine = d.report.probed_by.as_deref() == Some(self.replica.as_str());
                if !mine && age > 3 * self.interval_seconds() {
                    return RecoveryState::WaitingForProber {
                        last_probed_by: d.report.probed_by,
                        last_age_seconds: Some(age),
                    };
                }
                d.age_seconds = age;
                d.served_by = Some(self.replica.clone());
                RecoveryState::Ready(Box::new(d))
            }
            None if following => RecoveryState::WaitingForProber {
                last_probed_by: None,
                last_age_seconds: None,
            },
            None => RecoveryState::FirstRound,
        }
    }

    /// A follower's turn: shows the probing replica's stored round (and its gauges).
    pub async fn follow(&self, db: &ConsoleDb, metrics: &HttpMetrics) -> Option<RecoveryPageData> {
        self.following.store(true, Ordering::SeqCst);
        match latest::load(db).await {
            Ok(Some(d)) => {
                publish_gauges(metrics, &d.report);
                self.latest.send_replace(Some(d.clone()));
                Some(d)
            }
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the stored recovery report");
                None
            }
        }
    }

    pub fn latest(&self) -> Option<RecoveryPageData> {
        self.latest.borrow().clone()
    }

    /// The latest round, waiting up to [`FIRST_ROUND_WAIT`] for the first one.
    pub async fn wait_latest(&self) -> Option<RecoveryPageData> {
        let mut rx = self.latest.subscribe();
        let _ = tokio::time::timeout(FIRST_ROUND_WAIT, rx.wait_for(Option::is_some)).await;
        let latest = rx.borrow().clone();
        latest
    }

    /// One round: probe, judge, store, plot, publish. Run by the replica holding the probes lease
    /// (which stores samples and the latest round); `store_samples` false probes without
    /// storing (tests). Storage problems are logged, not fatal: the live status matters more
    /// than its history.
    pub async fn round(
        &self,
        db: &ConsoleDb,
        registries: &Registries,
        metrics: &HttpMetrics,
        store_samples: bool,
    ) -> RecoveryPageData {
        let now = unix_now();
        let snapshot = registries.handles.first().and_then(|h| h.snapshot());
        self.following.store(false, Ordering::SeqCst);
        let inputs = gather(&self.sources, snapshot.clone(), now).await;
        let mut report = build_report(&inputs);
        report.probed_by = Some(self.replica.clone());
        report.deployments = gather_deployments(&self.sources, &inputs, snapshot.as_deref());
        report.demo = self
            .sources
            .demo
            .as_ref()
            .map(|_| super::demo::NOTE.to_string());
        if store_samples {
            if let Err(e) = samples::store(db, &report.samples()).await {
                tracing::warn!(error = %e, "cannot store recovery samples");
            }
        }
        let history = samples::load_since(db, now - HISTORY_SECONDS)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "cannot read recovery samples");
                report.samples()
            });
        let history_svg = plot::rpo_history_svg(&history).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot draw the recovery history");
            None
        });
        publish_gauges(metrics, &report);
        let data = RecoveryPageData {
            history_text: history_text(&history),
            history_svg,
            report,
            probe_interval_seconds: self.sources.config.probe_seconds,
            age_seconds: 0,
            served_by: None,
        };
        if store_samples {
            if let Err(e) = latest::store(db, &data).await {
                tracing::warn!(error = %e, "cannot store the latest recovery report");
            }
        }
        self.latest.send_replace(Some(data.clone()));
        data
    }
}

fn publish_gauges(metrics: &HttpMetrics, report: &RecoveryReport) {
    metrics.set_recovery(
        report
            .components
            .iter()
            .map(|a| RecoveryGauge {
                component: a.component.id(),
                rpo_seconds: a.achieved_rpo_seconds,
                rto_seconds: a.rto_estimate_seconds,
                status: a.status.gauge(),
            })
            .collect(),
    );
}

/// The runner of a serving console: probes the registries it reads and the same live topology
/// (cluster or manifests) the topology pages show. Its loop is [`run`].
pub fn for_console(
    config: &crate::config::Config,
    registries: Vec<crate::registry::RegistrySource>,
    topology: &crate::topology::source::LiveTopology,
    demo: Option<Arc<crate::registry::demo::DemoRegistry>>,
    replica: &str,
) -> Arc<RecoveryRunner> {
    RecoveryRunner::for_replica(
        Sources {
            config: config.recovery.clone(),
            registries,
            topology: Some((topology.source.clone(), topology.handle.clone())),
            demo,
        },
        replica,
    )
}

/// The console's recovery loop (started by `crate::background::start`): a round every
/// `recovery_probe_seconds` on the lease holder, following the stored round elsewhere.
pub async fn run(
    r: &RecoveryRunner,
    db: &ConsoleDb,
    registries: &Registries,
    metrics: &HttpMetrics,
    mut leadership: crate::lease::Leadership,
    first_read_limit: Duration,
) {
    let every = Duration::from_secs(r.sources.config.probe_seconds);
    // One console on SQLite is its own prober, lease or not (a stale lease row left by a
    // killed process must not hide its page).
    let single = matches!(db, ConsoleDb::Sqlite(_));
    // The lease is usually taken within milliseconds of the start.
    let _ = tokio::time::timeout(Duration::from_secs(1), leadership.until_leader()).await;
    // The first round judges the online store from the registry's materialization
    // history: let the first registry read land (or fail) before it, within the limit
    // readiness uses too (`registry_ready_seconds`), so it never says "no registry loaded"
    // about a registry still being read.
    registries.first_reads(first_read_limit).await;
    loop {
        let leading = single || leadership.is_leader();
        if leading {
            r.round(db, registries, metrics, true).await;
        } else {
            r.follow(db, metrics).await;
        }
        // A follower that takes the lease over probes at once, not an interval later.
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = leadership.until_leader(), if !leading => {}
        }
    }
}
