//! Hand-worked cases: each figure below is computed by hand from the evidence and the
//! constants in `assess.rs`.

use super::assess::*;
use super::assess_registry::assess_registry;
use super::evidence::*;
use super::model::*;
use super::priority::assess_all;
use super::report::*;

const NOW: i64 = 1_000_000;

fn inputs() -> Inputs {
    Inputs {
        now: NOW,
        objectives: Objectives::default(),
        topology: Some(TopologyClass::Standard),
        stale_after_seconds: 600,
        registry: RegistryEvidence::NotConfigured,
        online: OnlineEvidence {
            redis: RedisEvidence::NotConfigured,
            materialization: None,
            seconds_per_day_of_data: 60.0,
        },
        offline: OfflineEvidence { sla: None },
        operator: None,
    }
}

fn pg() -> PgRegistry {
    PgRegistry {
        observed_at: NOW - 5,
        in_recovery: false,
        standbys: vec![],
        archive_mode: true,
        archived_count: 10,
        last_archived_at: Some(NOW - 120),
        last_archived_wal: Some("000000010000000000000009".into()),
        failed_count: 0,
        last_failed_at: None,
        last_failed_wal: None,
        pending_wal_bytes: None,
        database_bytes: 100 * 1024 * 1024,
        last_backup: None,
    }
}

fn redis(aof: bool, save: Option<bool>, ok: bool) -> RedisInfo {
    RedisInfo {
        observed_at: NOW - 1,
        rdb_last_save_at: Some(NOW - 30),
        rdb_last_bgsave_ok: ok,
        rdb_save_points: save,
        aof_enabled: aof,
        role: "master".into(),
        connected_replicas: 0,
        master_link_up: None,
    }
}

#[test]
fn components_come_in_recovery_order() {
    let r = build_report(&inputs());
    let order: Vec<_> = r
        .components
        .iter()
        .map(|a| (a.component.priority(), a.component.criticality()))
        .collect();
    assert_eq!(
        order,
        vec![(1, "critical"), (2, "high"), (3, "medium"), (4, "low")]
    );
}

#[test]
fn judge_thresholds() {
    assert_eq!(judge(900, 900), Status::AtRisk);
    assert_eq!(judge(720, 900), Status::Met); // exactly 80 %
    assert_eq!(judge(721, 900), Status::AtRisk);
    assert_eq!(judge(901, 900), Status::Breached);
}

#[test]
fn archiving_gives_rpo_and_restore_time() {
    let mut i = inputs();
    i.registry = RegistryEvidence::Postgres(pg());
    let a = assess_registry(&i);
    // Last segment archived 120 s ago: RPO 120 s of a 900 s objective.
    assert_eq!(a.achieved_rpo_seconds, Some(120));
    // No standby: restore = 300 s + 100 MiB / 50 MiB/s = 302 s.
    assert_eq!(a.rto_estimate_seconds, Some(302));
    assert_eq!(a.status, Status::Met, "{}", a.reason);
    assert_eq!(a.evidence_age_seconds, Some(5));
}

#[test]
fn failing_archiver_is_at_risk_then_breached() {
    let mut p = pg();
    p.failed_count = 3;
    p.last_failed_at = Some(NOW - 10);
    let mut i = inputs();
    i.registry = RegistryEvidence::Postgres(p.clone());
    let a = assess_registry(&i);
    assert_eq!(a.status, Status::AtRisk);
    assert!(a.reason.contains("failing"), "{}", a.reason);
    // Twenty minutes since the last good archive: 1200 s > 900 s.
    p.last_archived_at = Some(NOW - 1200);
    i.registry = RegistryEvidence::Postgres(p);
    let a = assess_registry(&i);
    assert_eq!(a.achieved_rpo_seconds, Some(1200));
    assert_eq!(a.status, Status::Breached);
    assert!(critical_breached(&assess_all(&i)));
}

#[test]
fn streaming_standby_wins_over_archive() {
    let mut p = pg();
    p.last_archived_at = Some(NOW - 5000);
    p.standbys = vec![Standby {
        name: "standby1".into(),
        state: "streaming".into(),
        replay_lag_seconds: Some(2.2),
    }];
    let mut i = inputs();
    i.registry = RegistryEvidence::Postgres(p);
    let a = assess_registry(&i);
    assert_eq!(a.achieved_rpo_seconds, Some(3)); // ceil(2.2)
    assert_eq!(a.rto_estimate_seconds, Some(STANDBY_FAILOVER_SECONDS));
    assert_eq!(a.status, Status::Met);
}

#[test]
fn no_protection_at_all_is_breached() {
    let mut p = pg();
    p.archive_mode = false;
    p.last_archived_at = None;
    let mut i = inputs();
    i.registry = RegistryEvidence::Postgres(p);
    let a = assess_registry(&i);
    assert_eq!(a.achieved_rpo_seconds, None);
    assert_eq!(a.status, Status::Breached);
}

#[test]
fn unreachable_and_stale_are_unknown_with_reason() {
    let mut i = inputs();
    i.registry = RegistryEvidence::Unreachable {
        observed_at: NOW,
        reason: "connection refused".into(),
    };
    let a = assess_registry(&i);
    assert_eq!(a.status, Status::Unknown);
    assert!(a.reason.contains("connection refused"));
    let mut p = pg();
    p.observed_at = NOW - 601;
    i.registry = RegistryEvidence::Postgres(p);
    let a = assess_registry(&i);
    assert_eq!(a.status, Status::Unknown);
    assert!(a.reason.contains("old"), "{}", a.reason);
}

#[test]
fn file_registry_backups_allowed_only_for_minimal() {
    let file = FileRegistry {
        observed_at: NOW,
        path: "/data/registry.db".into(),
        modified_at: NOW - 3600,
        bytes: 2048,
        last_backup: Some(BackupEvidence::At {
            at: NOW - 1800,
            source: "file".into(),
        }),
    };
    let mut i = inputs();
    i.topology = Some(TopologyClass::Minimal);
    i.registry = RegistryEvidence::File(file.clone());
    let a = assess_registry(&i);
    // Backup newer than the last change: nothing to lose.
    assert_eq!(a.achieved_rpo_seconds, Some(0));
    assert_eq!(a.status, Status::Met);
    i.topology = Some(TopologyClass::Standard);
    let a = assess_registry(&i);
    assert_eq!(a.status, Status::AtRisk);
    assert!(a.reason.contains("only for Minimal"));
    // Changed after the backup: RPO = time since the backup.
    let mut changed = file.clone();
    changed.modified_at = NOW - 60;
    i.topology = Some(TopologyClass::Minimal);
    i.registry = RegistryEvidence::File(changed);
    assert_eq!(assess_registry(&i).achieved_rpo_seconds, Some(1800));
    let mut none = file;
    none.last_backup = None;
    i.registry = RegistryEvidence::File(none);
    assert_eq!(assess_registry(&i).status, Status::Breached);
}

#[test]
fn online_rto_from_materialization_or_redis_reload() {
    let mut i = inputs();
    i.online.materialization = Some(MaterializationHistory {
        online_views: 3,
        materialized_views: 2,
        days_to_rebuild: 30.0,
        last_materialized_at: Some(NOW - 3600),
    });
    // 30 days × 60 s/day = 1800 s of re-materialization.
    let a = assess_online(&i);
    assert_eq!(
        (a.achieved_rpo_seconds, a.rto_estimate_seconds),
        (Some(0), Some(1800))
    );
    assert_eq!(a.status, Status::Met);
    // Persistent Redis reloads in 120 s, better than re-materializing.
    i.online.redis = RedisEvidence::Info(redis(false, Some(true), true));
    assert_eq!(
        assess_online(&i).rto_estimate_seconds,
        Some(REDIS_RELOAD_SECONDS)
    );
    // Persistence off: back to re-materializing, and the evidence says so.
    i.online.redis = RedisEvidence::Info(redis(false, Some(false), true));
    let a = assess_online(&i);
    assert_eq!(a.rto_estimate_seconds, Some(1800));
    assert!(a.evidence.iter().any(|e| e.contains("persistence is off")));
    // 300 days: 18000 s > 4 h objective.
    i.online.materialization.as_mut().unwrap().days_to_rebuild = 300.0;
    assert_eq!(assess_online(&i).status, Status::Breached);
}

#[test]
fn online_without_evidence_is_unknown() {
    let a = assess_online(&inputs());
    assert_eq!(a.status, Status::Unknown);
    let mut i = inputs();
    i.online.redis = RedisEvidence::Unreachable {
        observed_at: NOW,
        reason: "refused".into(),
    };
    i.online.materialization = Some(MaterializationHistory {
        online_views: 1,
        materialized_views: 1,
        days_to_rebuild: 1.0,
        last_materialized_at: None,
    });
    let a = assess_online(&i);
    assert_eq!(a.status, Status::Unknown);
    assert!(a.reason.contains("refused"));
}

#[test]
fn offline_sla_and_operator() {
    let mut i = inputs();
    assert_eq!(assess_offline(&i).status, Status::Unknown);
    i.offline.sla = Some("BigQuery 99.99 %".into());
    assert_eq!(assess_offline(&i).status, Status::Met);
    let op = OperatorEvidence {
        observed_at: NOW,
        source: "manifests".into(),
        feature_stores: 2,
        crd_v1: 2,
        operator_deployment: Some(("feast-operator-controller-manager".into(), 1, 1)),
        gitops_managed: 2,
        source_errors: 0,
    };
    i.operator = Some(op.clone());
    let a = assess_operator(&i);
    assert_eq!(
        (a.status, a.rto_estimate_seconds),
        (Status::Met, Some(REAPPLY_SECONDS))
    );
    let mut half = op.clone();
    half.gitops_managed = 1;
    i.operator = Some(half);
    assert_eq!(assess_operator(&i).status, Status::AtRisk);
    let mut down = op;
    down.operator_deployment = Some(("feast-operator-controller-manager".into(), 0, 1));
    i.operator = Some(down);
    assert_eq!(assess_operator(&i).status, Status::Breached);
}

#[test]
fn readiness_names_the_worst() {
    let mut i = inputs();
    i.registry = RegistryEvidence::Postgres(pg());
    i.offline.sla = Some("x".into());
    let r = build_report(&i);
    // Online and operator have no evidence: unknown.
    assert_eq!(r.readiness.status, Status::Unknown);
    assert!(
        r.readiness.line.contains("Online store (high)"),
        "{}",
        r.readiness.line
    );
    let mut p = pg();
    p.last_archived_at = Some(NOW - 10_000);
    i.registry = RegistryEvidence::Postgres(p);
    let r = build_report(&i);
    assert_eq!(r.readiness.status, Status::Breached);
    assert!(
        r.readiness
            .line
            .starts_with("Not ready: Registry DB (critical)"),
        "{}",
        r.readiness.line
    );
}

#[test]
fn csv_has_a_row_per_component_and_escapes() {
    let mut i = inputs();
    i.offline.sla = Some("=cmd, \"quoted\"".into());
    let csv = to_csv(&build_report(&i));
    let lines: Vec<_> = csv.lines().collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0], CSV_HEADER);
    assert!(lines[1].starts_with("1,registry_db,critical,900,900,,,unknown,"));
    assert!(
        lines[3].contains("\"configured warehouse SLA: =cmd, \"\"quoted\"\"\""),
        "{}",
        lines[3]
    );
}

#[test]
fn history_text_summarises_rpo() {
    let s = |at, v| Sample {
        component: ComponentId::RegistryDb,
        at,
        rpo_seconds: Some(v),
        rto_seconds: None,
        status: Status::Met,
    };
    let t = history_text(&[s(1, 30), s(3, 10), s(2, 600)]);
    assert_eq!(
        t,
        vec!["Registry DB: 3 sample(s), achieved RPO from 10 s to 10 min, latest 10 s".to_string()]
    );
}

#[test]
fn materialization_spans_capped_by_ttl() {
    use crate::catalog::model::{Interval, ViewDetail};
    use crate::util::time::Instant;
    let at = |s| Instant::new(s, 0);
    let view = |online, ttl, intervals: Vec<(i64, i64)>| ViewDetail {
        entities: vec![],
        features: vec![],
        entity_columns: vec![],
        ttl_seconds: ttl,
        online,
        batch_source: None,
        stream_source: None,
        materialization_intervals: intervals
            .into_iter()
            .map(|(s, e)| Interval {
                start: at(s),
                end: at(e),
            })
            .collect(),
        mode: Default::default(),
    };
    let views = [
        // Two intervals covering days 0..10: 10 days, no TTL.
        view(true, 0, vec![(0, 5 * 86_400), (5 * 86_400, 10 * 86_400)]),
        // 20 days materialized but a 2-day TTL: 2 days.
        view(true, 2 * 86_400, vec![(0, 20 * 86_400)]),
        // Never materialized; and an offline-only view that does not count.
        view(true, 0, vec![]),
        view(false, 0, vec![(0, 86_400)]),
    ];
    let h = materialization_history(views.iter());
    assert_eq!((h.online_views, h.materialized_views), (3, 2));
    assert!((h.days_to_rebuild - 12.0).abs() < 1e-9);
    assert_eq!(h.last_materialized_at, Some(20 * 86_400));
}

#[test]
fn idle_database_has_nothing_at_risk() {
    // Segment 0x1C of log 0 ends at 0x1D000000 with 16 MiB segments.
    assert_eq!(
        archived_segment_end("00000001000000000000001C", 16 << 20),
        Some(0x1D00_0000)
    );
    assert_eq!(
        archived_segment_end("00000001000000010000001C", 16 << 20),
        Some((1 << 32) + 0x1D00_0000)
    );
    assert_eq!(
        archived_segment_end("000000010000000000000002.00000028.backup", 16 << 20),
        None
    );
    let mut p = pg();
    p.last_archived_at = Some(NOW - 7200);
    p.pending_wal_bytes = Some(96);
    let mut i = inputs();
    i.registry = RegistryEvidence::Postgres(p.clone());
    let a = assess_registry(&i);
    assert_eq!(
        (a.achieved_rpo_seconds, a.status),
        (Some(0), Status::Met),
        "{a:?}"
    );
    // Real changes pending: the age of the last archive is what could be lost.
    p.pending_wal_bytes = Some(64 * 1024);
    i.registry = RegistryEvidence::Postgres(p);
    let a = assess_registry(&i);
    assert_eq!(
        (a.achieved_rpo_seconds, a.status),
        (Some(7200), Status::Breached)
    );
    assert!(
        a.evidence
            .iter()
            .any(|e| e == "64 KiB of WAL not yet archived"),
        "{:?}",
        a.evidence
    );
}

/// Text from outside (the warehouse SLA, a probe's error) must not reach a spreadsheet as a
/// formula. Today the console prefixes such text in reasons and evidence; the report's text
/// cells are set directly too, so the export is checked even where no prefix is.
#[test]
fn the_csv_export_neutralises_formulas() {
    use crate::util::csv::{cell, formula_cells};
    for hostile in [
        "=HYPERLINK(\"http://evil.example\",\"x\")",
        "+cmd",
        "@SUM(1+1)",
        "\tX",
        "\rX",
    ] {
        let mut i = inputs();
        i.offline.sla = Some(hostile.into());
        let mut report = build_report(&i);
        let csv = to_csv(&report);
        assert!(formula_cells(&csv).is_empty(), "{csv}");
        report.components[0].reason = hostile.into();
        report.components[0].evidence = vec![hostile.into()];
        let csv = to_csv(&report);
        assert!(formula_cells(&csv).is_empty(), "{csv}");
        assert!(
            csv.contains(&cell(hostile)),
            "{hostile:?} not guarded: {csv}"
        );
    }
}
