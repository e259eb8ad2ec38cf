//! Evidence → achieved RPO / RTO estimate → status, per component, and the readiness line.
//! The estimating constants are deliberately simple and documented (docs in README).

use serde::{Deserialize, Serialize};

use super::evidence::{
    OfflineEvidence, OnlineEvidence, OperatorEvidence, RedisEvidence, RegistryEvidence,
};
use super::model::{judge, ComponentId, Objective, Objectives, Status};
use crate::util::time::human_duration;

/// Failing over to a streaming standby: promote plus clients reconnecting.
pub const STANDBY_FAILOVER_SECONDS: u64 = 60;
/// Restoring a base backup: fixed start-up cost plus the database at this many bytes/s.
pub const RESTORE_FIXED_SECONDS: u64 = 300;
pub const RESTORE_BYTES_PER_SECOND: u64 = 50 * 1024 * 1024;
/// Unarchived WAL below this is background noise (standby snapshots, checkpoints), not
/// registry changes: a `feast apply` writes kilobytes of protobuf rows.
pub const WAL_NOISE_BYTES: i64 = 1024;
/// Copying a registry file back from its backup.
pub const FILE_RESTORE_SECONDS: u64 = 60;
/// Restarting a Redis that reloads its RDB or AOF.
pub const REDIS_RELOAD_SECONDS: u64 = 120;
/// Re-applying manifests from Git (operator, CRDs, FeatureStores).
pub const REAPPLY_SECONDS: u64 = 300;

/// One row of the priority table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub component: ComponentId,
    pub objective: Objective,
    /// What was measured, one line per fact.
    pub evidence: Vec<String>,
    pub achieved_rpo_seconds: Option<u64>,
    pub rto_estimate_seconds: Option<u64>,
    pub status: Status,
    /// Why the status is what it is.
    pub reason: String,
    /// Seconds since the evidence was observed; None when there is none.
    pub evidence_age_seconds: Option<u64>,
}

/// The line at the top of the page and the CLI's summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Readiness {
    pub status: Status,
    pub line: String,
}

/// Topology of the deployment, which decides whether manual file backups are acceptable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TopologyClass {
    Minimal,
    Standard,
    Enterprise,
}

pub fn class_label(c: TopologyClass) -> &'static str {
    match c {
        TopologyClass::Minimal => "Minimal",
        TopologyClass::Standard => "Standard",
        TopologyClass::Enterprise => "Enterprise",
    }
}

/// Everything one assessment needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inputs {
    pub now: i64,
    pub objectives: Objectives,
    pub topology: Option<TopologyClass>,
    /// Evidence older than this is not trusted (status unknown).
    pub stale_after_seconds: u64,
    pub registry: RegistryEvidence,
    pub online: OnlineEvidence,
    pub offline: OfflineEvidence,
    pub operator: Option<OperatorEvidence>,
}

pub(super) fn age(now: i64, observed_at: i64) -> u64 {
    now.saturating_sub(observed_at).max(0) as u64
}

pub(super) fn base(c: ComponentId, i: &Inputs) -> Assessment {
    Assessment {
        component: c,
        objective: i.objectives.of(c).clone(),
        evidence: Vec::new(),
        achieved_rpo_seconds: None,
        rto_estimate_seconds: None,
        status: Status::Unknown,
        reason: String::new(),
        evidence_age_seconds: None,
    }
}

/// Worst of the RPO and RTO judgements; a missing figure against a set objective is unknown.
fn judge_both(a: &Assessment) -> (Status, String) {
    let mut worst = (
        Status::Met,
        "achieved RPO and estimated RTO within objectives".to_string(),
    );
    let checks = [
        ("RPO", a.achieved_rpo_seconds, a.objective.rpo_seconds),
        ("RTO", a.rto_estimate_seconds, a.objective.rto_seconds),
    ];
    for (what, achieved, objective) in checks {
        let (status, why) = match (achieved, objective) {
            (_, None) => continue,
            (None, Some(_)) => (
                Status::Unknown,
                format!("no evidence to estimate the {what}"),
            ),
            (Some(v), Some(o)) => {
                let s = judge(v, o);
                let verb = match s {
                    Status::Breached => "exceeds",
                    Status::AtRisk => "is above 80 % of",
                    _ => "is within",
                };
                (
                    s,
                    format!(
                        "{what} {} {verb} the objective {}",
                        human_duration(v),
                        human_duration(o)
                    ),
                )
            }
        };
        if status > worst.0 {
            worst = (status, why);
        }
    }
    worst
}

/// Stale evidence makes the status unknown whatever it said.
pub(super) fn finish(
    mut a: Assessment,
    i: &Inputs,
    observed_at: i64,
    floor: Option<(Status, String)>,
) -> Assessment {
    let (mut status, mut reason) = judge_both(&a);
    // On a tie the floor's reason wins: it names the cause, the judgement only the symptom.
    if let Some((s, why)) = floor {
        if s >= status {
            status = s;
            reason = why;
        }
    }
    let evidence_age = age(i.now, observed_at);
    a.evidence_age_seconds = Some(evidence_age);
    if evidence_age > i.stale_after_seconds {
        status = Status::Unknown;
        reason = format!(
            "evidence is {} old (older than {})",
            human_duration(evidence_age),
            human_duration(i.stale_after_seconds)
        );
    }
    a.status = status;
    a.reason = reason;
    a
}

pub fn assess_online(i: &Inputs) -> Assessment {
    let mut a = base(ComponentId::OnlineStore, i);
    let o: &OnlineEvidence = &i.online;
    // Reconstructible from the offline store: nothing unique to lose.
    a.achieved_rpo_seconds = Some(0);
    let mut observed_at = i.now;
    let mut floor = None;
    let remat = o.materialization.as_ref().and_then(|m| {
        a.evidence.push(format!(
            "{} online feature view(s), {} materialized; {:.1} day(s) of data to rebuild{}",
            m.online_views,
            m.materialized_views,
            m.days_to_rebuild,
            m.last_materialized_at
                .map(|t| format!(", last materialized {} ago", human_duration(age(i.now, t))))
                .unwrap_or_default()
        ));
        (m.materialized_views > 0)
            .then(|| (m.days_to_rebuild * o.seconds_per_day_of_data).ceil() as u64)
    });
    if o.materialization.is_none() {
        a.evidence
            .push("no registry loaded: materialization history unknown".into());
    }
    let mut reload = None;
    match &o.redis {
        RedisEvidence::NotConfigured => a.evidence.push("no Redis probe configured".into()),
        RedisEvidence::Unreachable {
            observed_at: t,
            reason,
        } => {
            observed_at = *t;
            a.evidence.push(format!("Redis unreachable: {reason}"));
            floor = Some((Status::Unknown, format!("Redis unreachable: {reason}")));
        }
        RedisEvidence::Info(r) | RedisEvidence::Demo(r) => {
            observed_at = r.observed_at;
            let first = a.evidence.len();
            a.evidence.push(format!(
                "Redis role {}{}{}",
                r.role,
                if r.role == "master" {
                    format!(", {} connected replica(s)", r.connected_replicas)
                } else {
                    String::new()
                },
                match r.master_link_up {
                    Some(true) => ", link to master up",
                    Some(false) => ", link to master DOWN",
                    None => "",
                }
            ));
            let save = match r.rdb_save_points {
                Some(true) => "RDB save points set",
                Some(false) => "RDB save points off",
                None => "RDB save points unknown (CONFIG not allowed)",
            };
            a.evidence.push(format!(
                "{save}; last RDB save {} ({}); AOF {}",
                r.rdb_last_save_at
                    .map(|t| format!("{} ago", human_duration(age(i.now, t))))
                    .unwrap_or_else(|| "never".into()),
                if r.rdb_last_bgsave_ok { "ok" } else { "FAILED" },
                if r.aof_enabled { "on" } else { "off" }
            ));
            if r.persistent() {
                reload = Some(REDIS_RELOAD_SECONDS);
            } else {
                a.evidence.push("Redis persistence is off: a restart empties it and recovery means re-materializing".into());
            }
            if !r.rdb_last_bgsave_ok {
                floor = Some((Status::AtRisk, "the last Redis RDB save failed".to_string()));
            }
            if r.master_link_up == Some(false) {
                floor = Some((
                    Status::AtRisk,
                    "this Redis replica has lost its master".to_string(),
                ));
            }
            if matches!(o.redis, RedisEvidence::Demo(_)) {
                for line in &mut a.evidence[first..] {
                    *line = format!("demo, made up: {line}");
                }
            }
        }
    }
    a.rto_estimate_seconds = match (reload, remat) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    finish(a, i, observed_at, floor)
}

pub fn assess_offline(i: &Inputs) -> Assessment {
    let mut a = base(ComponentId::OfflineStore, i);
    match &i.offline.sla {
        Some(sla) => {
            a.evidence.push(format!("configured warehouse SLA: {sla}"));
            a.status = Status::Met;
            a.reason = "per the configured data warehouse SLA (declared, not measured)".into();
        }
        None => a.reason = "no data warehouse SLA is configured".into(),
    }
    a
}

pub fn assess_operator(i: &Inputs) -> Assessment {
    let mut a = base(ComponentId::OperatorCrds, i);
    let Some(op) = &i.operator else {
        a.reason = "no topology source (cluster or manifests) is available".into();
        return a;
    };
    a.evidence.push(format!(
        "{} FeatureStore(s) in {}, {} served as feast.dev/v1",
        op.feature_stores, op.source, op.crd_v1
    ));
    if op.source_errors > 0 {
        a.evidence.push(format!(
            "{} problem(s) reading the source",
            op.source_errors
        ));
    }
    if op.feature_stores == 0 {
        a.reason = "no FeatureStore resource in the topology source".into();
        a.evidence_age_seconds = Some(age(i.now, op.observed_at));
        return a;
    }
    let mut floor = None;
    match &op.operator_deployment {
        Some((name, ready, desired)) => {
            a.evidence.push(format!(
                "operator Deployment {name}: {ready}/{desired} ready"
            ));
            if *ready < (*desired).max(1) {
                floor = Some((
                    Status::Breached,
                    format!("operator Deployment {name} is not ready ({ready}/{desired})"),
                ));
            }
        }
        None => a
            .evidence
            .push("operator Deployment not in the source".into()),
    }
    a.evidence.push(format!(
        "{} of {} FeatureStore(s) managed declaratively (GitOps labels or annotations)",
        op.gitops_managed, op.feature_stores
    ));
    // Re-applying takes minutes either way; without Git there is no known copy to re-apply
    // (no achieved RPO), which the at-risk reason says.
    a.rto_estimate_seconds = Some(REAPPLY_SECONDS);
    if op.gitops_managed == op.feature_stores {
        a.achieved_rpo_seconds = Some(0);
    } else {
        let why = format!("{} FeatureStore(s) not managed from Git: they cannot be re-applied from version control", op.feature_stores - op.gitops_managed);
        if floor.is_none() {
            floor = Some((Status::AtRisk, why));
        }
    }
    finish(a, i, op.observed_at, floor)
}

/// The overall line: the worst component, critical ones named first.
pub fn readiness(assessments: &[Assessment]) -> Readiness {
    let worst = assessments
        .iter()
        .map(|a| a.status)
        .max()
        .unwrap_or(Status::Unknown);
    let named = |s: Status| {
        assessments
            .iter()
            .filter(|a| a.status == s)
            .map(|a| format!("{} ({})", a.component.label(), a.component.criticality()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let critical_breached = assessments
        .iter()
        .any(|a| a.component == ComponentId::RegistryDb && a.status == Status::Breached);
    let line = match worst {
        Status::Met => "Ready: every component meets its recovery objectives".to_string(),
        Status::AtRisk => format!("Ready, with risks: {} at risk", named(Status::AtRisk)),
        Status::Unknown => format!(
            "Not known: no usable evidence for {}",
            named(Status::Unknown)
        ),
        Status::Breached if critical_breached => format!(
            "Not ready: {} breached (the critical component)",
            named(Status::Breached)
        ),
        Status::Breached => format!("Not ready: {} breached", named(Status::Breached)),
    };
    Readiness {
        status: worst,
        line,
    }
}

/// Exit status rule of `feast-console recovery report`: a breached critical component.
pub fn critical_breached(assessments: &[Assessment]) -> bool {
    assessments
        .iter()
        .any(|a| a.component.criticality() == "critical" && a.status == Status::Breached)
}
