use super::*;
use crate::history::model::ObjectChange;

fn entry(change: ChangeType) -> TimelineEntry {
    TimelineEntry {
        id: 7,
        registry: "prod".into(),
        project: "driver ranking".into(),
        kind: ObjectKind::FeatureView,
        name: "driver/stats".into(),
        change,
        fields: vec![],
        observed_at: Instant {
            seconds: 1_764_547_200,
            nanos: 0,
        },
        not_before: None,
        row_updated: None,
        audit_id: None,
        actor: None,
        reverts_audit: None,
    }
}

#[test]
fn the_query_round_trips_through_its_links() {
    let q = TimelineQuery::from_pairs([
        ("registry", "prod"),
        ("project", "a&b"),
        ("kind", "feature_view"),
        ("change", "changed"),
        ("since", "2026-11-01"),
        ("page", "3"),
    ]);
    assert_eq!(q.project, "a&b");
    let href = q.page_href(Some(42));
    assert_eq!(
        href,
        "/history?registry=prod&project=a%26b&kind=feature_view&change=changed&since=2026-11-01&before=42"
    );
    let back = TimelineQuery::from_pairs(
        href.trim_start_matches("/history?")
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k, if v == "a%26b" { "a&b" } else { v })),
    );
    assert_eq!(back.before, "42");
    assert_eq!(
        TimelineQuery {
            before: String::new(),
            ..back
        },
        q,
        "the same filters"
    );
    assert_eq!(
        q.export_href("csv"),
        "/history.csv?registry=prod&project=a%26b&kind=feature_view&change=changed&since=2026-11-01"
    );
    assert_eq!(q.feed_href().as_deref(), Some("/history/prod/a%26b.atom"));
}

#[test]
fn the_filter_reads_kinds_changes_dates_and_the_cursor() {
    let q = TimelineQuery::from_pairs([
        ("registry", "prod"),
        ("kind", "permission"),
        ("change", "removed"),
        ("since", "2026-11-30"),
        ("until", "2026-11-30"),
        ("before", "100"),
    ]);
    let (filter, before) = q.filter().unwrap();
    assert_eq!(before, Some(100));
    assert_eq!(filter.kind, Some(ObjectKind::Permission));
    assert_eq!(filter.change, Some(ChangeType::Removed));
    assert_eq!(filter.project, None);
    let since = filter.since.unwrap();
    assert_eq!(since.to_rfc3339(), "2026-11-30T00:00:00Z");
    assert_eq!(
        filter.until.unwrap().to_rfc3339(),
        "2026-12-01T00:00:00Z",
        "until a day includes that day"
    );
    for (key, bad) in [
        ("kind", "views"),
        ("change", "edited"),
        ("since", "2026-02-31"),
        ("until", "yesterday"),
        ("before", "x"),
    ] {
        let q = TimelineQuery::from_pairs([("registry", "prod"), (key, bad)]);
        let error = q.filter().unwrap_err();
        assert!(error.contains(bad), "{key}: {error}");
    }
    assert!(
        TimelineQuery::default().filter().is_err(),
        "a registry is needed"
    );
    assert_eq!(
        parse_time("2026-11-30T10:00:00+01:00", false)
            .unwrap()
            .unwrap()
            .to_rfc3339(),
        "2026-11-30T09:00:00Z"
    );
}

#[test]
fn entries_say_when_what_and_who() {
    let mut e = entry(ChangeType::Changed);
    assert_eq!(e.when(), "2025-12-01 00:00:00 UTC");
    assert_eq!(e.who(), "outside the console");
    assert_eq!(e.title(), "feature_view driver/stats changed");
    assert_eq!(
        e.object_href(),
        "/registries/prod/projects/driver%20ranking/feature-views/driver%2Fstats"
    );
    assert_eq!(
        e.history_href(),
        "/history?registry=prod&project=driver%20ranking&kind=feature_view&name=driver/stats"
    );
    e.not_before = Some(Instant {
        seconds: 1_764_460_800,
        nanos: 0,
    });
    assert_eq!(
        e.when(),
        "between 2025-11-30 00:00:00 UTC and 2025-12-01 00:00:00 UTC"
    );
    e.audit_id = Some(3);
    e.actor = Some("ada".into());
    assert_eq!(e.who(), "ada");
    assert_eq!(
        audit_href(&e, 3),
        "/permissions/audit?registry=prod&project=driver%20ranking&permission=driver/stats#audit-3"
    );
}

#[test]
fn entries_come_from_history_entries() {
    let object = crate::catalog::model::CatalogObject::unreadable(
        ObjectKind::Entity,
        "p",
        "driver",
        String::new(),
    );
    let recorded = HistoryEntry {
        id: 9,
        registry: "r".into(),
        change: ObjectChange {
            kind: ObjectKind::Entity,
            project: "p".into(),
            name: "driver".into(),
            change: ChangeType::Added,
            fields: vec![],
        },
        object,
        observed_at: Instant {
            seconds: 0,
            nanos: 0,
        },
        not_before: None,
        row_updated: None,
        audit_id: None,
        actor: None,
        reverts_audit: Some(4),
    };
    let e = TimelineEntry::of(&recorded);
    assert_eq!(
        (e.id, e.kind, e.change),
        (9, ObjectKind::Entity, ChangeType::Added)
    );
    assert_eq!(e.reverts_audit, Some(4));
}
