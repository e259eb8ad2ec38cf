//! The background probe loop: one round every `recovery_probe_seconds`, each stored as samples,
//! published to the page (through [`RecoveryProvider`]), the exports and the Prometheus gauges.

use std::sync::Arc;
use std::time::Duration;

use app::recovery::report::{build_report, history_text, RecoveryPageData, RecoveryProvider};

use super::gather::{gather, unix_now, Sources};
use super::{plot, samples};
use crate::db::ConsoleDb;
use crate::http::metrics::{HttpMetrics, RecoveryGauge};
use crate::registry::refresher::Registries;

/// The plot covers this much history.
const HISTORY_SECONDS: i64 = 24 * 3600;

/// How long the page waits for the first round after a start before showing "not yet".
const FIRST_ROUND_WAIT: Duration = Duration::from_secs(5);

pub struct RecoveryRunner {
    pub sources: Sources,
    latest: tokio::sync::watch::Sender<Option<RecoveryPageData>>,
}

impl RecoveryRunner {
    pub fn new(sources: Sources) -> Arc<RecoveryRunner> {
        Arc::new(RecoveryRunner {
            sources,
            latest: tokio::sync::watch::Sender::new(None),
        })
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

    pub fn provider(self: &Arc<Self>) -> RecoveryProvider {
        let me = self.clone();
        RecoveryProvider(Arc::new(move || {
            let me = me.clone();
            Box::pin(async move { me.wait_latest().await })
        }))
    }

    /// One round: probe, judge, store, plot, publish. Every replica probes (reads only) so each
    /// serves a live page; only the replica holding the probes lease stores samples. Storage
    /// problems are logged, not fatal: the live status matters more than its history.
    pub async fn round(
        &self,
        db: &ConsoleDb,
        registries: &Registries,
        metrics: &HttpMetrics,
        store_samples: bool,
    ) -> RecoveryPageData {
        let now = unix_now();
        let snapshot = registries.handles.first().and_then(|h| h.snapshot());
        let inputs = gather(&self.sources, snapshot, now).await;
        let report = build_report(&inputs);
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
        let data = RecoveryPageData {
            history_text: history_text(&history),
            history_svg,
            report,
            probe_interval_seconds: self.sources.config.probe_seconds,
        };
        self.latest.send_replace(Some(data.clone()));
        data
    }
}

/// Builds the runner for a console and, inside a tokio runtime, starts its loop.
pub fn start(state: &crate::AppState) -> Arc<RecoveryRunner> {
    // The same live topology (cluster or manifests) the topology pages show.
    let runner = RecoveryRunner::new(Sources {
        config: state.config.recovery.clone(),
        registries: state.config.registries.clone(),
        topology: Some((state.topology.source.clone(), state.topology.handle.clone())),
    });
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        let (r, db, registries, metrics, lease) = (
            runner.clone(),
            state.db.clone(),
            state.registries.clone(),
            state.metrics.clone(),
            state.lease.clone(),
        );
        let every = Duration::from_secs(runner.sources.config.probe_seconds);
        handle.spawn(async move {
            loop {
                let leading = lease.leadership.is_leader();
                r.round(&db, &registries, &metrics, leading).await;
                tokio::time::sleep(every).await;
            }
        });
    }
    runner
}
