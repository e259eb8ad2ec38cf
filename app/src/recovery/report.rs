//! The whole recovery report, its history samples, and its CSV / JSON exports.

use serde::{Deserialize, Serialize};

use super::assess::{readiness, Assessment, Inputs, Readiness, TopologyClass};
use super::deployment::DeploymentRecovery;
use super::model::{ComponentId, Status};
use super::priority::assess_all;
use crate::util::time::human_duration;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecoveryReport {
    /// Unix seconds.
    pub generated_at: i64,
    pub topology: Option<TopologyClass>,
    pub readiness: Readiness,
    /// In recovery order.
    pub components: Vec<Assessment>,
    /// The replica that ran the round (its lease holder id); None from the command line.
    #[serde(default)]
    pub probed_by: Option<String>,
    /// One table per FeatureStore in the topology source, in the topology's order.
    #[serde(default)]
    pub deployments: Vec<DeploymentRecovery>,
    /// Set when the console serves the demo: which evidence is demo evidence.
    #[serde(default)]
    pub demo: Option<String>,
}

pub fn build_report(inputs: &Inputs) -> RecoveryReport {
    let components = assess_all(inputs);
    RecoveryReport {
        generated_at: inputs.now,
        topology: inputs.topology,
        readiness: readiness(&components),
        components,
        probed_by: None,
        deployments: Vec::new(),
        demo: None,
    }
}

/// One stored measurement, for the RPO-over-time plot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub component: ComponentId,
    pub at: i64,
    pub rpo_seconds: Option<u64>,
    pub rto_seconds: Option<u64>,
    pub status: Status,
}

impl RecoveryReport {
    pub fn samples(&self) -> Vec<Sample> {
        self.components
            .iter()
            .map(|a| Sample {
                component: a.component,
                at: self.generated_at,
                rpo_seconds: a.achieved_rpo_seconds,
                rto_seconds: a.rto_estimate_seconds,
                status: a.status,
            })
            .collect()
    }
}

/// What the page shows: the latest report and the plot of its history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecoveryPageData {
    pub report: RecoveryReport,
    /// plotters SVG of achieved RPO over time; None with fewer than two samples.
    pub history_svg: Option<String>,
    /// The plot as text, one line per component (the SVG's text alternative).
    pub history_text: Vec<String>,
    /// Seconds between background probes.
    pub probe_interval_seconds: u64,
    /// Seconds since the round ran, when the page was served.
    #[serde(default)]
    pub age_seconds: u64,
    /// The replica serving the page, to tell "probed here" from "probed by another replica".
    #[serde(default)]
    pub served_by: Option<String>,
}

impl RecoveryPageData {
    /// "probed by replica X (this one), 12 s ago".
    pub fn probe_line(&self) -> String {
        let by = match (&self.report.probed_by, &self.served_by) {
            (Some(p), Some(s)) if p == s => format!("probed by replica {p} (this one)"),
            (Some(p), _) => format!("probed by replica {p}"),
            (None, _) => "probed".to_string(),
        };
        format!("{by}, {} ago", human_duration(self.age_seconds))
    }
}

/// What a replica can show: its latest round, the probing replica's stored one, or why not.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum RecoveryState {
    /// This replica probes and its first round has not finished.
    FirstRound,
    /// Another replica probes and has stored no report for three intervals (or none at all).
    WaitingForProber {
        last_probed_by: Option<String>,
        last_age_seconds: Option<u64>,
    },
    Ready(Box<RecoveryPageData>),
}

impl RecoveryState {
    pub fn ready(&self) -> Option<&RecoveryPageData> {
        match self {
            RecoveryState::Ready(d) => Some(d),
            _ => None,
        }
    }

    /// Why there is nothing to show, for exports and empty states.
    pub fn waiting_text(&self) -> String {
        match self {
            RecoveryState::FirstRound => {
                "The first recovery probe round has not finished; reload in a few seconds.".into()
            }
            RecoveryState::WaitingForProber {
                last_probed_by: Some(by),
                last_age_seconds: Some(age),
            } => format!(
                "Waiting for the probing replica: the last report, by replica {by}, is {} old.",
                human_duration(*age)
            ),
            RecoveryState::WaitingForProber { .. } => {
                "Waiting for the probing replica: another replica runs the recovery probes and has stored no report yet.".into()
            }
            RecoveryState::Ready(_) => String::new(),
        }
    }
}

/// Summarises each component's RPO samples: count, min, max, latest.
pub fn history_text(samples: &[Sample]) -> Vec<String> {
    ComponentId::ALL
        .into_iter()
        .filter_map(|c| {
            let values: Vec<(i64, u64)> = samples
                .iter()
                .filter(|s| s.component == c)
                .filter_map(|s| s.rpo_seconds.map(|v| (s.at, v)))
                .collect();
            let latest = values.iter().max_by_key(|(at, _)| *at)?.1;
            let min = values.iter().map(|(_, v)| *v).min()?;
            let max = values.iter().map(|(_, v)| *v).max()?;
            Some(format!(
                "{}: {} sample(s), achieved RPO from {} to {}, latest {}",
                c.label(),
                values.len(),
                human_duration(min),
                human_duration(max),
                human_duration(latest)
            ))
        })
        .collect()
}

fn opt(v: Option<u64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

pub const CSV_HEADER: &str = "priority,component,criticality,rpo_objective_seconds,rto_objective_seconds,achieved_rpo_seconds,rto_estimate_seconds,status,reason,evidence_age_seconds,evidence";

pub fn to_csv(report: &RecoveryReport) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for a in &report.components {
        let row = [
            a.component.priority().to_string(),
            a.component.id().to_string(),
            a.component.criticality().to_string(),
            opt(a.objective.rpo_seconds),
            opt(a.objective.rto_seconds),
            opt(a.achieved_rpo_seconds),
            opt(a.rto_estimate_seconds),
            a.status.id().to_string(),
            a.reason.clone(),
            opt(a.evidence_age_seconds),
            a.evidence.join("; "),
        ];
        out.push_str(&crate::util::csv::line(row));
    }
    out
}

pub fn to_json(report: &RecoveryReport) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
