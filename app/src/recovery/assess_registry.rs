//! The registry DB row: PostgreSQL (standbys, WAL archive, backups) or a registry file.

use super::assess::{
    age, base, finish, Assessment, Inputs, TopologyClass, FILE_RESTORE_SECONDS,
    RESTORE_BYTES_PER_SECOND, RESTORE_FIXED_SECONDS, STANDBY_FAILOVER_SECONDS, WAL_NOISE_BYTES,
};
use super::evidence::{BackupEvidence, RegistryEvidence};
use super::model::{ComponentId, Status};
use crate::util::time::human_duration;

fn backup_line(b: &BackupEvidence, now: i64) -> String {
    match b {
        BackupEvidence::At { at, source } => format!(
            "last backup {} ago ({source})",
            human_duration(age(now, *at))
        ),
        BackupEvidence::Failed { source, reason } => {
            format!("last backup unknown: {source}: {reason}")
        }
    }
}

pub fn assess_registry(i: &Inputs) -> Assessment {
    let mut a = base(ComponentId::RegistryDb, i);
    match &i.registry {
        RegistryEvidence::NotConfigured => {
            a.reason = "no registry database probe is configured".into();
            a
        }
        RegistryEvidence::Unreachable {
            observed_at,
            reason,
        } => {
            a.evidence.push(format!("unreachable: {reason}"));
            a.reason = format!("registry database unreachable: {reason}");
            a.evidence_age_seconds = Some(age(i.now, *observed_at));
            a
        }
        RegistryEvidence::Postgres(pg) => {
            let now = i.now;
            a.evidence.push(format!(
                "PostgreSQL reachable{}; database {} MiB",
                if pg.in_recovery {
                    ", this server is a standby (in recovery)"
                } else {
                    ", primary"
                },
                pg.database_bytes / (1024 * 1024)
            ));
            // Each protection bounds the data lost; the best one is the achieved RPO.
            let mut rpo_candidates: Vec<u64> = Vec::new();
            let mut streaming = false;
            for s in &pg.standbys {
                let lag = s.replay_lag_seconds.unwrap_or(0.0).max(0.0);
                a.evidence.push(format!(
                    "standby {} {}, replay lag {:.1} s",
                    s.name, s.state, lag
                ));
                if s.state == "streaming" {
                    streaming = true;
                    rpo_candidates.push(lag.ceil() as u64);
                }
            }
            if pg.standbys.is_empty() {
                a.evidence.push("no standby attached".into());
            }
            let mut floor = None;
            if pg.archive_mode {
                let since = pg.last_archived_at.map(|t| age(now, t));
                a.evidence.push(match since {
                    Some(s) => format!(
                        "WAL archiving on: {} segments archived, last {} ago",
                        pg.archived_count,
                        human_duration(s)
                    ),
                    None => "WAL archiving on: nothing archived yet".into(),
                });
                let failing = match (pg.last_failed_at, pg.last_archived_at) {
                    (Some(f), Some(ok)) => f > ok,
                    (Some(_), None) => true,
                    _ => false,
                };
                if pg.failed_count > 0 {
                    a.evidence.push(format!(
                        "WAL archiving failures: {}{}{}",
                        pg.failed_count,
                        pg.last_failed_at
                            .map(|t| format!(", last {} ago", human_duration(age(now, t))))
                            .unwrap_or_default(),
                        if failing {
                            ", still failing"
                        } else {
                            ", archiving has succeeded since"
                        }
                    ));
                }
                if failing {
                    floor = Some((Status::AtRisk, format!("WAL archiving is failing ({} failures); the RPO grows until it recovers", pg.failed_count)));
                }
                // An idle database archives nothing new: the last archived segment then holds
                // everything, whatever its age.
                let idle = !failing && pg.pending_wal_bytes.is_some_and(|b| b < WAL_NOISE_BYTES);
                if let Some(b) = pg.pending_wal_bytes {
                    a.evidence.push(if idle {
                        format!("{b} bytes of WAL since the last archived segment (idle: nothing at risk)")
                    } else {
                        format!("{} KiB of WAL not yet archived", b / 1024)
                    });
                }
                if let Some(s) = since {
                    rpo_candidates.push(if idle { 0 } else { s });
                }
            } else {
                a.evidence.push("WAL archiving off".into());
            }
            if let Some(b) = &pg.last_backup {
                a.evidence.push(backup_line(b, now));
                if let Some(t) = b.at() {
                    rpo_candidates.push(age(now, t));
                }
            }
            a.achieved_rpo_seconds = rpo_candidates.into_iter().min();
            let has_restore_point = pg.last_archived_at.is_some()
                || pg.last_backup.as_ref().and_then(|b| b.at()).is_some();
            a.rto_estimate_seconds = if streaming {
                Some(STANDBY_FAILOVER_SECONDS)
            } else if has_restore_point {
                Some(
                    RESTORE_FIXED_SECONDS
                        + pg.database_bytes.max(0) as u64 / RESTORE_BYTES_PER_SECOND,
                )
            } else {
                None
            };
            if a.achieved_rpo_seconds.is_none() {
                let f = (
                    Status::Breached,
                    "no standby, WAL archive or backup: every change is at risk".to_string(),
                );
                return finish(a, i, pg.observed_at, Some(f));
            }
            finish(a, i, pg.observed_at, floor)
        }
        RegistryEvidence::File(f) => {
            let now = i.now;
            a.evidence.push(format!(
                "registry file {} ({} KiB), changed {} ago",
                f.path,
                f.bytes / 1024,
                human_duration(age(now, f.modified_at))
            ));
            let mut floor = None;
            if i.topology != Some(TopologyClass::Minimal) {
                let which = match i.topology {
                    Some(TopologyClass::Standard) => "Standard",
                    Some(TopologyClass::Enterprise) => "Enterprise",
                    _ => "an unclassified",
                };
                floor = Some((Status::AtRisk, format!("manual file backups are acceptable only for Minimal; this is {which} topology (use PostgreSQL with automated backups and WAL archiving)")));
            }
            match &f.last_backup {
                Some(b) => {
                    a.evidence.push(backup_line(b, now));
                    if let Some(t) = b.at() {
                        // A backup newer than the last change holds everything.
                        a.achieved_rpo_seconds =
                            Some(if f.modified_at <= t { 0 } else { age(now, t) });
                        a.rto_estimate_seconds = Some(FILE_RESTORE_SECONDS);
                    }
                }
                None => {
                    a.evidence.push("no backup configured".into());
                    let f2 = (
                        Status::Breached,
                        "file registry without any configured backup".to_string(),
                    );
                    return finish(a, i, f.observed_at, Some(f2));
                }
            }
            finish(a, i, f.observed_at, floor)
        }
    }
}
