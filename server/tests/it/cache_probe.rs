//! The registry-cache probe against real Feast registries (SQLite, file registry.db and
//! PostgreSQL from scripts/make-registries.sh), its history in both console databases, and a
//! source that goes down and comes back.

use std::path::Path;
use std::time::Duration;

use server::cache::probe::{probe_all, probe_once, run, ProbeSettings};
use server::cache::store::{self, Sample};
use server::registry::{source::parse_entry, Reader, RegistrySource, SourceKind};

use crate::common;
use crate::registry::fixtures::{feast_fixtures, pg_registry_url, scratch_copy};

fn sqlite_source(name: &str, path: &Path) -> RegistrySource {
    RegistrySource {
        name: name.into(),
        kind: SourceKind::Sqlite(path.to_path_buf()),
        token: None,
    }
}

/// The three fixture projects, read in full, with a size from the stored protobuf blobs.
fn assert_full_read(s: &Sample) {
    assert!(s.ok(), "probe failed: {:?}", s.error);
    assert!(s.load_ms.is_some_and(|ms| ms > 0.0), "{s:?}");
    assert_eq!(s.projects, Some(3), "{s:?}");
    assert!(s.objects.is_some_and(|o| o > 20), "{s:?}");
    assert!(s.bytes.is_some_and(|b| b > 1000), "{s:?}");
}

#[tokio::test]
async fn probes_the_real_sqlite_and_file_registries() {
    let dir = feast_fixtures();
    let sqlite = probe_once(&sqlite_source(
        "sqlite",
        &dir.join("sqlite/registry.sqlite"),
    ))
    .await;
    assert_full_read(&sqlite);
    let file_path = dir.join("file/registry.db");
    let file = probe_once(&RegistrySource {
        name: "file".into(),
        kind: SourceKind::File(file_path.clone()),
        token: None,
    })
    .await;
    assert_full_read(&file);
    // A file registry's size is the file: the serialized feast.core.Registry.
    assert_eq!(
        file.bytes,
        Some(std::fs::metadata(&file_path).unwrap().len() as i64)
    );
}

/// The probe decodes and drops a SQL registry's objects; its counts are a full load's.
#[tokio::test]
async fn a_probe_counts_what_a_full_load_reads() {
    let dir = feast_fixtures();
    for path in [
        dir.join("sqlite/registry.sqlite"),
        dir.join("file/registry.db"),
    ] {
        let source = if path.extension().is_some_and(|e| e == "sqlite") {
            sqlite_source("sqlite", &path)
        } else {
            RegistrySource {
                name: "file".into(),
                kind: SourceKind::File(path.clone()),
                token: None,
            }
        };
        let loaded = Reader::load_once(&source).await.expect("the fixture loads");
        let counted = Reader::count_once(&source)
            .await
            .expect("the fixture counts");
        assert_eq!(counted.objects, loaded.objects.len(), "{path:?}");
        let names: Vec<String> = loaded
            .projects
            .iter()
            .map(|p| p.project.to_string())
            .collect();
        assert_eq!(counted.projects, names, "{path:?}");
        let sample = probe_once(&source).await;
        assert_eq!(
            sample.objects,
            Some((loaded.projects.len() + loaded.objects.len()) as i64)
        );
    }
}

#[tokio::test]
async fn probes_the_real_postgresql_registry() {
    let dir = feast_fixtures();
    let url = pg_registry_url(&dir);
    let source = parse_entry(&format!("pg={}", url.trim()), Path::new(".")).expect("registry URL");
    let s = probe_once(&source).await;
    assert_full_read(&s);
    // Same registry content as the SQLite fixture, so the same serialized size within a few %.
    let sqlite = probe_once(&sqlite_source(
        "sqlite",
        &dir.join("sqlite/registry.sqlite"),
    ))
    .await;
    let (pg, lite) = (s.bytes.unwrap() as f64, sqlite.bytes.unwrap() as f64);
    assert!((pg - lite).abs() / lite < 0.2, "pg {pg} vs sqlite {lite}");
}

on_both_backends!(
    samples_are_kept_up_to_the_retention_limit,
    |app: common::TestApp| async move {
        let db = &app.state.db;
        for i in 0..15 {
            let sample = Sample {
                registry: "r<&>".into(),
                source: "sqlite:///x".into(),
                probed_at: 1_000 + i,
                load_ms: Some(i as f64),
                bytes: Some(10),
                objects: Some(2),
                projects: Some(1),
                error: (i == 14).then(|| "registry r: cannot connect".to_string()),
            };
            store::record(db, &sample, 10).await.expect("record");
        }
        assert_eq!(store::count(db, "r<&>").await.unwrap(), 10);
        let history = store::history(db, "r<&>", 100).await.unwrap();
        // The newest ten, oldest first; the failure is kept with its text.
        assert_eq!(
            history.iter().map(|s| s.probed_at).collect::<Vec<_>>(),
            (1_005..1_015).collect::<Vec<_>>()
        );
        assert_eq!(
            history.last().unwrap().error.as_deref(),
            Some("registry r: cannot connect")
        );
        assert!(
            history.last().unwrap().load_ms.is_none() || history.last().unwrap().error.is_some()
        );
        assert_eq!(store::history(db, "r<&>", 3).await.unwrap().len(), 3);
        // Another registry's samples are untouched by this one's pruning.
        assert_eq!(store::count(db, "other").await.unwrap(), 0);
    }
);

on_both_backends!(
    a_source_going_down_fails_the_probe_and_recovers,
    |app: common::TestApp| async move {
        let demo = crate::registry::fixtures::demo_sqlite();
        let path = scratch_copy(&demo, "cache-down");
        let source = sqlite_source("flaky", &path);
        let db = app.state.db.clone();
        let first = probe_all(&db, std::slice::from_ref(&source), 100).await;
        assert!(first[0].ok(), "{:?}", first[0].error);

        // The registry goes away: the probe records a failure with the reason, and does not panic.
        let aside = path.with_extension("away");
        std::fs::rename(&path, &aside).unwrap();
        let down = probe_all(&db, std::slice::from_ref(&source), 100).await;
        let error = down[0].error.clone().expect("failed probe");
        assert!(error.contains("no such file"), "{error}");

        // The background loop keeps going through the outage and records the recovery.
        let (loop_db, sources) = (db.clone(), vec![source.clone()]);
        let settings = ProbeSettings {
            interval: Duration::from_millis(50),
            retention: 1000,
        };
        let task = tokio::spawn(async move { run(&loop_db, &sources, &settings, None).await });
        wait_for(&db, "flaky", |h| h.iter().filter(|s| !s.ok()).count() >= 3).await;
        std::fs::rename(&aside, &path).unwrap();
        wait_for(&db, "flaky", |h| h.last().is_some_and(Sample::ok)).await;
        assert!(!task.is_finished(), "the probe loop survived the outage");
        task.abort();
        let history = store::history(&db, "flaky", 1000).await.unwrap();
        assert!(history.first().unwrap().ok());
        assert!(history.iter().any(|s| s
            .error
            .as_deref()
            .is_some_and(|e| e.contains("no such file"))));
    }
);

async fn wait_for(db: &server::db::ConsoleDb, registry: &str, done: impl Fn(&[Sample]) -> bool) {
    for _ in 0..200 {
        let h = store::history(db, registry, 1000).await.unwrap();
        if done(&h) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the probe history never reached the expected state");
}

/// The PostgreSQL registry goes away (its database renamed under the probe) and comes back.
/// The registry is a private database holding the fixture's real `projects` and
/// `feature_views` rows (copied row by row: a TEMPLATE copy would fail whenever another test
/// is connected to the fixture).
#[tokio::test]
async fn a_postgresql_registry_going_down_fails_the_probe_and_recovers() {
    use sqlx::Connection;
    let dir = feast_fixtures();
    let admin = common::pg_admin_url();
    let url = pg_registry_url(&dir);
    let fixture = parse_entry(url.trim(), Path::new(".")).unwrap();
    let SourceKind::Postgres(fixture_url) = &fixture.kind else {
        panic!("a PostgreSQL URL")
    };
    let copy = format!("fc_cache_probe_{}", std::process::id());
    let aside = format!("{copy}_away");
    let run = |sql: String| sqlx::query(sqlx::AssertSqlSafe(sql));
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("admin connection");
    for name in [&copy, &aside] {
        run(format!("DROP DATABASE IF EXISTS {name}"))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    run(format!("CREATE DATABASE {copy}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    let copy_url = format!("{base}/{copy}");
    {
        let mut from = sqlx::PgConnection::connect(fixture_url)
            .await
            .expect("fixture registry");
        let mut to = sqlx::PgConnection::connect(&copy_url).await.expect("copy");
        for ddl in [
            "CREATE TABLE projects (project_id VARCHAR(255) PRIMARY KEY, project_name VARCHAR(255) NOT NULL, last_updated_timestamp BIGINT NOT NULL, project_proto BYTEA NOT NULL)",
            "CREATE TABLE feature_views (feature_view_name VARCHAR(255) NOT NULL, project_id VARCHAR(255) NOT NULL, last_updated_timestamp BIGINT NOT NULL, materialized_intervals BYTEA, feature_view_proto BYTEA NOT NULL, user_metadata BYTEA, PRIMARY KEY (feature_view_name, project_id))",
        ] {
            sqlx::query(ddl).execute(&mut to).await.unwrap();
        }
        let projects: Vec<(String, String, i64, Vec<u8>)> = sqlx::query_as(
            "SELECT project_id, project_name, last_updated_timestamp, project_proto FROM projects",
        )
        .fetch_all(&mut from)
        .await
        .unwrap();
        for r in &projects {
            sqlx::query("INSERT INTO projects VALUES ($1, $2, $3, $4)")
                .bind(&r.0)
                .bind(&r.1)
                .bind(r.2)
                .bind(&r.3)
                .execute(&mut to)
                .await
                .unwrap();
        }
        let views: Vec<(String, String, i64, Vec<u8>)> = sqlx::query_as("SELECT feature_view_name, project_id, last_updated_timestamp, feature_view_proto FROM feature_views").fetch_all(&mut from).await.unwrap();
        for r in &views {
            sqlx::query("INSERT INTO feature_views (feature_view_name, project_id, last_updated_timestamp, feature_view_proto) VALUES ($1, $2, $3, $4)").bind(&r.0).bind(&r.1).bind(r.2).bind(&r.3).execute(&mut to).await.unwrap();
        }
        assert!(projects.len() == 3 && !views.is_empty());
    }
    let source = parse_entry(&format!("pgflaky={copy_url}"), Path::new(".")).unwrap();

    let app = common::spawn_app(common::Backend::Postgres).await;
    let db = app.state.db.clone();
    let first = probe_all(&db, std::slice::from_ref(&source), 100).await;
    assert!(first[0].ok(), "{:?}", first[0].error);
    assert_eq!(first[0].projects, Some(3));
    // Down: the probe's connections are closed and the database is renamed away.
    let rename = |from: &str, to: &str| format!("ALTER DATABASE {from} RENAME TO {to}");
    let terminate = |name: &str| {
        format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
    };
    run(terminate(&copy)).execute(&mut conn).await.unwrap();
    run(rename(&copy, &aside))
        .execute(&mut conn)
        .await
        .expect("take the registry down");
    let down = probe_all(&db, std::slice::from_ref(&source), 100).await;
    let error = down[0].error.clone().expect("the probe failed");
    assert!(error.contains("does not exist"), "{error}");
    // Back up: the next probe succeeds again.
    run(rename(&aside, &copy))
        .execute(&mut conn)
        .await
        .expect("bring it back");
    let up = probe_all(&db, std::slice::from_ref(&source), 100).await;
    assert!(up[0].ok(), "{:?}", up[0].error);
    let history = store::history(&db, "pgflaky", 10).await.unwrap();
    assert_eq!(
        history.iter().map(Sample::ok).collect::<Vec<_>>(),
        [true, false, true]
    );
    run(terminate(&copy)).execute(&mut conn).await.unwrap();
    run(format!("DROP DATABASE IF EXISTS {copy}"))
        .execute(&mut conn)
        .await
        .ok();
}
