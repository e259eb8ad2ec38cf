//! Registry history (issue #19) figures, not a timed test: `cargo bench -p server --bench history`.
//!
//! 1. `diff_catalogs` of two 10,000-view catalogs with 100 changed views: objects shared
//!    between snapshots (the SQL reader's case) and every object re-read (file registry).
//!    Target < 50 ms.
//! 2. A year of history at 1,000 changes a day (365,000 rows) on SQLite, and on PostgreSQL
//!    when FC_TEST_PG_URL is set: the timeline's first page, a deep page, one object's
//!    timeline. Target < 20 ms each.

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::catalog::model::{CatalogObject, Detail, Field, ObjectKind, ViewDetail};
use app::history::diff::diff_catalogs;
use app::history::model::{
    instant_of_millis, ChangeType, HistoryEntry, HistoryFilter, ObjectChange,
};
use server::db::ConsoleDb;
use server::history::store::{self, Recording};

const VIEWS: usize = 10_000;
const CHANGED: usize = 100;
const DAYS: i64 = 365;
const PER_DAY: usize = 1_000;

fn view(v: usize) -> CatalogObject {
    let mut o = CatalogObject::unreadable(
        ObjectKind::FeatureView,
        &format!("project_{:02}", v % 50),
        &format!("view_{v:05}"),
        String::new(),
    );
    o.owner = "team@example.com".into();
    o.tags.insert("team", format!("team_{}", v % 7));
    o.detail = Detail::View(ViewDetail {
        entities: vec!["driver".into()],
        features: (0..8)
            .map(|f| Field {
                name: format!("feature_{f}").into(),
                dtype: "FLOAT".into(),
                description: Default::default(),
            })
            .collect(),
        entity_columns: vec![],
        ttl_seconds: 86_400,
        online: true,
        batch_source: Some("source".into()),
        stream_source: None,
        materialization_intervals: vec![],
        mode: Default::default(),
    });
    o
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed()
            })
            .collect(),
    )
}

fn diff_figures() {
    let mut before: Vec<Arc<CatalogObject>> = (0..VIEWS).map(|v| Arc::new(view(v))).collect();
    before.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let changed = |o: &CatalogObject| {
        let mut o = o.clone();
        o.description = "changed".into();
        Arc::new(o)
    };
    let step = VIEWS / CHANGED;
    let shared: Vec<_> = before
        .iter()
        .enumerate()
        .map(|(i, o)| if i % step == 0 { changed(o) } else { o.clone() })
        .collect();
    let fresh: Vec<_> = before
        .iter()
        .enumerate()
        .map(|(i, o)| {
            if i % step == 0 {
                changed(o)
            } else {
                Arc::new(o.as_ref().clone())
            }
        })
        .collect();
    assert_eq!(diff_catalogs(&before, &shared).len(), CHANGED);
    assert_eq!(diff_catalogs(&before, &fresh).len(), CHANGED);
    let t_shared = time(21, || diff_catalogs(&before, &shared));
    let t_fresh = time(21, || diff_catalogs(&before, &fresh));
    println!("diff of {VIEWS} views, {CHANGED} changed: shared objects {t_shared:?}, every object re-read {t_fresh:?} (target < 50 ms)");
}

fn entry(day: i64, i: usize) -> HistoryEntry {
    let v = (day as usize * PER_DAY + i) % VIEWS;
    let object = view(v);
    HistoryEntry {
        id: 0,
        registry: "r".into(),
        change: ObjectChange {
            kind: object.kind,
            project: object.project.to_string(),
            name: object.name.to_string(),
            change: ChangeType::Changed,
            fields: vec![app::history::model::FieldChange {
                path: "description".into(),
                before: Some(format!("day {}", day - 1)),
                after: Some(format!("day {day}")),
            }],
        },
        object,
        observed_at: instant_of_millis(1_700_000_000_000 + day * 86_400_000),
        not_before: None,
        row_updated: None,
        audit_id: None,
        actor: None,
        reverts_audit: None,
    }
}

async fn timeline_figures(label: &str, url: &str) {
    let db = ConsoleDb::open(url, 4).await.expect("console database");
    let started = Instant::now();
    let first = Recording {
        registry: "r",
        replica: "bench",
        expected: None,
        observed_ms: 0,
        entries: &[],
        baseline: &[],
    };
    let mut generation = store::insert_changes(&db, &first).await.unwrap().unwrap();
    for day in 0..DAYS {
        let entries: Vec<HistoryEntry> = (0..PER_DAY).map(|i| entry(day, i)).collect();
        let rec = Recording {
            registry: "r",
            replica: "bench",
            expected: Some(generation),
            observed_ms: 1_700_000_000_000 + day * 86_400_000,
            entries: &entries,
            baseline: &[],
        };
        generation = store::insert_changes(&db, &rec).await.unwrap().unwrap();
    }
    println!(
        "{label}: wrote {} entries in {:?}",
        DAYS as usize * PER_DAY,
        started.elapsed()
    );
    let all = HistoryFilter::registry("r");
    let deep_id = store::query(&db, &all, None, 1).await.unwrap().entries[0].id / 2;
    let object = HistoryFilter {
        project: Some("project_07".into()),
        kind: Some(ObjectKind::FeatureView),
        name: Some("view_00007".into()),
        ..HistoryFilter::registry("r")
    };
    let since = HistoryFilter {
        since: Some(instant_of_millis(1_700_000_000_000 + 200 * 86_400_000)),
        ..HistoryFilter::registry("r")
    };
    let mut samples = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
    for _ in 0..21 {
        for (i, (filter, before)) in [
            (&all, None),
            (&all, Some(deep_id)),
            (&object, None),
            (&since, None),
        ]
        .into_iter()
        .enumerate()
        {
            let t = Instant::now();
            let page = store::query(&db, filter, before, 50).await.unwrap();
            samples[i].push(t.elapsed());
            assert!(!page.entries.is_empty());
        }
    }
    let [first, deep, one, since] = samples.map(median);
    println!("{label}: timeline page of 50: first {first:?}, deep (id < {deep_id}) {deep:?}, one object {one:?}, since a date {since:?} (target < 20 ms)");
    db.close().await;
}

#[tokio::main]
async fn main() {
    diff_figures();
    let dir = std::env::temp_dir().join(format!("fc-history-bench-{}", std::process::id()));
    let url = format!("sqlite://{}", dir.join("console.db").display());
    timeline_figures("SQLite", &url).await;
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(admin) = std::env::var("FC_TEST_PG_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        let name = format!("fc_history_bench_{}", std::process::id());
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
            .await
            .expect("connect to PostgreSQL");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create database");
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
        timeline_figures("PostgreSQL", &format!("{base}/{name}")).await;
    } else {
        println!("PostgreSQL: FC_TEST_PG_URL not set, not measured");
    }
}
