//! Registry sources on the committed demo registry (real Feast output, no venv needed): bad
//! input never panics and names the source, refreshes re-read only changed rows, the export
//! command, and `/readyz`.

use crate::common;
use crate::registry;

use std::time::{Duration, SystemTime};

use app::catalog::model::{Detail, ObjectKind};
use prost::Message;
use registry::fixtures;
use server::registry::{proto, source::parse_entry, sql::SqlReader, Reader, RegistrySource};
use sqlx::Connection;

fn source(entry: &str) -> RegistrySource {
    parse_entry(entry, &fixtures::workspace_root()).expect("source parses")
}

async fn load_err(entry: &str) -> String {
    match Reader::load_once(&source(entry)).await {
        Ok(_) => panic!("{entry} loaded"),
        Err(e) => e.text(),
    }
}

#[tokio::test]
async fn demo_registries_load_with_dummy_hidden() {
    for entry in [
        format!("sqlite:///{}", fixtures::demo_sqlite().display()),
        fixtures::demo_file().display().to_string(),
    ] {
        let snap = Reader::load_once(&source(&entry))
            .await
            .expect("demo loads");
        let names: Vec<&str> = snap.projects.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            vec!["driver_ranking", "fraud_detection", "recommendations"],
            "{entry}"
        );
        assert!(snap.objects.iter().all(|o| !o.is_unreadable()), "{entry}");
        assert!(snap.objects.iter().any(|o| o.is_internal()));
        assert!(snap.listed(None, false).all(|o| !o.is_internal()));
        for kind in [
            ObjectKind::BatchFeatureView,
            ObjectKind::StreamFeatureView,
            ObjectKind::OnDemandFeatureView,
            ObjectKind::LabelView,
            ObjectKind::SavedDataset,
        ] {
            assert!(
                snap.objects.iter().any(|o| o.kind == kind),
                "{entry}: no {kind:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_corrupt_blob_makes_one_object_unreadable() {
    let path = fixtures::scratch_copy(&fixtures::demo_sqlite(), "corrupt");
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query("UPDATE entities SET entity_proto = x'0aff01' WHERE entity_name = 'driver'")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let snap = Reader::load_once(&source(&format!("sqlite:///{}", path.display())))
        .await
        .expect("the rest loads");
    let bad: Vec<_> = snap.objects.iter().filter(|o| o.is_unreadable()).collect();
    assert_eq!(bad.len(), 1);
    assert_eq!(
        (bad[0].project.as_str(), bad[0].name.as_str(), bad[0].kind),
        ("driver_ranking", "driver", ObjectKind::Entity)
    );
    let Detail::Unreadable { error } = &bad[0].detail else {
        unreachable!()
    };
    assert!(error.contains("cannot decode"), "{error}");
    assert!(snap.objects.len() > 40);
}

#[tokio::test]
async fn bad_sources_give_one_clear_message_naming_them() {
    let dir = std::env::temp_dir().join(format!("fc-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    let missing = dir.join("missing.db");
    let msg = load_err(&missing.display().to_string()).await;
    assert!(
        msg.contains(&missing.display().to_string()) && msg.contains("no such file"),
        "{msg}"
    );

    let text = dir.join("notes.sqlite");
    std::fs::write(
        &text,
        "this is not a database, just some text that is long enough to have a header",
    )
    .unwrap();
    let msg = load_err(&format!("sqlite:///{}", text.display())).await;
    assert!(
        msg.contains("notes.sqlite") && msg.contains("not a Feast registry"),
        "{msg}"
    );

    let other = dir.join("other.sqlite");
    let mut conn =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", other.display()))
            .await
            .unwrap();
    sqlx::query("CREATE TABLE users (id INTEGER)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let msg = load_err(&format!("sqlite:///{}", other.display())).await;
    assert!(
        msg.contains("is not a Feast registry: it has no `projects`"),
        "{msg}"
    );

    let bytes = std::fs::read(fixtures::demo_file()).unwrap();
    let truncated = dir.join("registry.db");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let msg = load_err(&truncated.display().to_string()).await;
    assert!(
        msg.contains("registry.db") && msg.contains("truncated"),
        "{msg}"
    );

    let empty = dir.join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    assert!(load_err(&empty.display().to_string())
        .await
        .contains("empty"));

    let msg = load_err("postgresql://feast:secret-pw@127.0.0.1:9/registry").await;
    assert!(
        msg.contains("127.0.0.1:9") && msg.contains("cannot connect") && !msg.contains("secret-pw"),
        "{msg}"
    );

    let msg = load_err("http://127.0.0.1:9").await;
    assert!(
        msg.contains("http://127.0.0.1:9/api/v1") && msg.contains("cannot connect"),
        "{msg}"
    );
}

#[tokio::test]
async fn postgres_errors_are_clear() {
    let admin = common::pg_admin_url();
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    let msg = load_err(&format!("{base}/no_such_registry_db")).await;
    assert!(
        msg.contains("no_such_registry_db") && msg.contains("does not exist"),
        "{msg}"
    );
    // An existing database without Feast's tables.
    let msg = load_err(&admin.replace("postgres://", "postgresql+psycopg://")).await;
    assert!(msg.contains("is not a Feast registry"), "{msg}");
}

#[tokio::test]
async fn refresh_reads_only_the_changed_row() {
    let path = fixtures::scratch_copy(&fixtures::demo_sqlite(), "refresh");
    let mut reader = SqlReader::open_sqlite(&path, path.display().to_string())
        .await
        .unwrap();
    let first = reader.refresh().await.unwrap().expect("first read");
    assert!(reader.last_blob_rows > 40);
    assert!(reader.refresh().await.unwrap().is_none(), "nothing changed");
    assert_eq!(reader.last_blob_rows, 0);

    let url = format!("sqlite://{}", path.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let blob: Vec<u8> = sqlx::query_scalar("SELECT feature_view_proto FROM feature_views WHERE feature_view_name = 'driver_hourly_stats'")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let mut view = proto::FeatureView::decode(blob.as_slice()).unwrap();
    view.spec.as_mut().unwrap().description = "Edited by the test".into();
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    sqlx::query("UPDATE feature_views SET feature_view_proto = $1, last_updated_timestamp = $2 WHERE feature_view_name = 'driver_hourly_stats'")
        .bind(view.encode_to_vec())
        .bind(now)
        .execute(&mut conn)
        .await
        .unwrap();
    let second = reader.refresh().await.unwrap().expect("change seen");
    assert_eq!(reader.last_blob_rows, 1, "only the changed row is fetched");
    let edited = second
        .objects
        .iter()
        .find(|o| o.name == "driver_hourly_stats")
        .unwrap();
    assert_eq!(edited.description, "Edited by the test");
    assert_eq!(second.objects.len(), first.objects.len());

    sqlx::query("DELETE FROM feature_services WHERE feature_service_name = 'home_feed_v1'")
        .execute(&mut conn)
        .await
        .unwrap();
    let third = reader.refresh().await.unwrap().expect("delete seen");
    assert_eq!(third.objects.len(), first.objects.len() - 1);
    assert!(third.objects.iter().all(|o| o.name != "home_feed_v1"));
    conn.close().await.unwrap();
}

#[tokio::test]
async fn file_registry_is_reread_only_when_it_changes() {
    let path = fixtures::scratch_copy(&fixtures::demo_file(), "file-refresh");
    let mut reader = Reader::open(&source(&path.display().to_string()))
        .await
        .unwrap();
    assert!(reader.refresh().await.unwrap().is_some());
    assert!(reader.refresh().await.unwrap().is_none());
    let bytes = std::fs::read(&path).unwrap();
    let mut registry = proto::Registry::decode(bytes.as_slice()).unwrap();
    registry.feature_services.pop();
    std::fs::write(&path, registry.encode_to_vec()).unwrap();
    let snap = reader.refresh().await.unwrap().expect("change seen");
    assert_eq!(
        snap.objects
            .iter()
            .filter(|o| o.kind == ObjectKind::FeatureService)
            .count(),
        3
    );
}

fn export(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_feast-console"))
        .args(["catalog", "export"])
        .args(args)
        .output()
        .expect("run feast-console");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn export_command_json_csv_and_errors() {
    let demo = format!("sqlite:///{}", fixtures::demo_sqlite().display());
    let (code, out, err) = export(&["--registry", &demo, "--project", "driver_ranking"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["projects"].as_array().unwrap().len(), 1);
    let objects = v["objects"].as_array().unwrap();
    assert!(objects
        .iter()
        .all(|o| o["project"] == "driver_ranking" && o["name"] != "__dummy"));
    let fv = objects
        .iter()
        .find(|o| o["name"] == "driver_hourly_stats")
        .unwrap();
    assert_eq!(fv["kind"], "feature_view");
    assert_eq!(fv["ttl_seconds"], 86400);
    assert_eq!(fv["features"][0]["dtype"], "FLOAT");
    assert_eq!(
        fv["materialization_intervals"][0]["start"],
        "2025-01-01T00:00:00Z"
    );
    assert!(fv["created"].as_str().unwrap().ends_with('Z'));
    let kinds: std::collections::BTreeSet<&str> =
        objects.iter().filter_map(|o| o["kind"].as_str()).collect();
    for k in [
        "entity",
        "data_source",
        "batch_feature_view",
        "stream_feature_view",
        "on_demand_feature_view",
        "feature_service",
        "saved_dataset",
        "permission",
    ] {
        assert!(kinds.contains(k), "no {k}");
    }

    let (code, out, _) = export(&[
        "--registry",
        &fixtures::demo_file().display().to_string(),
        "--format",
        "csv",
        "--include-internal",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        out.lines().next(),
        Some(server::catalog::export::CSV_HEADER)
    );
    assert!(out
        .lines()
        .any(|l| l.starts_with("entity,driver_ranking,__dummy,")));

    let (code, _, err) = export(&["--registry", &demo, "--project", "nope"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("project `nope` is not in") && err.contains("driver_ranking"),
        "{err}"
    );
    let (code, _, err) = export(&["--registry", "/nonexistent/registry.db"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("/nonexistent/registry.db") && err.contains("no such file"),
        "{err}"
    );
    let (code, _, err) = export(&["--registry", "mysql://x"]);
    assert_eq!(code, 2);
    assert!(err.contains("MySQL"), "{err}");
}

#[test]
fn export_reads_feature_store_yaml_with_env_vars() {
    let dir = std::env::temp_dir().join(format!("fc-yaml-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let yaml = dir.join("feature_store.yaml");
    std::fs::write(&yaml, "project: driver_ranking\nregistry:\n  registry_type: sql\n  path: sqlite:///${FC_DEMO_REGISTRY}\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_feast-console"))
        .args([
            "catalog",
            "export",
            "--feature-store-yaml",
            yaml.to_str().unwrap(),
            "--project",
            "fraud_detection",
        ])
        .env("FC_DEMO_REGISTRY", fixtures::demo_sqlite())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["objects"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["name"] == "Card_PII_Features"));
}

#[tokio::test]
async fn readyz_reports_each_registry_with_age_and_error() {
    let url = common::fresh_database_url(common::Backend::Sqlite).await;
    let mut config = common::test_config(url);
    config.registries = vec![
        source(&format!(
            "demo=sqlite:///{}",
            fixtures::demo_sqlite().display()
        )),
        source("broken=/nonexistent/registry.db"),
    ];
    let state = server::http::serve::build_state(config).await.unwrap();
    state.lifecycle.mark_started();
    let app = common::TestApp {
        router: server::http::router(state.clone()),
        state,
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let body = loop {
        let r = app.ops_get("/readyz").await;
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        let regs = v["checks"]["registries"].clone();
        if regs[0]["loaded"] == true && !regs[1]["error"].is_null() {
            assert_eq!(r.status, 200, "registries do not gate readiness");
            break regs;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "registries never loaded: {regs}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(body[0]["name"], "demo");
    assert_eq!(body[0]["projects"], 3);
    assert!(body[0]["age_seconds"].as_u64().unwrap() < 20);
    assert_eq!(body[1]["ok"], false);
    assert!(body[1]["error"].as_str().unwrap().contains("no such file"));
    let page = app.get("/catalog").await;
    assert!(
        page.body.contains("driver_ranking") && page.body.contains("no such file"),
        "catalog page lists the registries"
    );
}

/// Real Feast Permission blobs survive read-modify-write, including fields the console does
/// not know (simulated by appending fields a newer Feast could add).
#[tokio::test]
async fn real_permissions_round_trip_with_unknown_fields() {
    let url = format!("sqlite://{}?mode=ro", fixtures::demo_sqlite().display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let blobs: Vec<Vec<u8>> = sqlx::query_scalar("SELECT permission_proto FROM permissions")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert!(blobs.len() >= 9);
    for blob in blobs {
        let original = proto::Permission::decode(blob.as_slice()).unwrap();
        // Unchanged: the same message comes back.
        let record = proto::PermissionRecord::decode(&blob).unwrap();
        assert_eq!(
            proto::Permission::decode(record.encode().unwrap().as_slice()).unwrap(),
            original
        );

        // A newer Feast's fields: top-level 30 (varint 1) and spec field 40 ("x").
        let mut extended = Vec::new();
        for field in proto::wire::fields(&blob).unwrap() {
            if field.number == 1 {
                let mut spec = field.payload.unwrap().to_vec();
                spec.extend_from_slice(&[0xc2, 0x02, 0x01, b'x']); // field 40, length 1
                extended.push(0x0a);
                let mut len = spec.len();
                while len >= 0x80 {
                    extended.push((len as u8) | 0x80);
                    len >>= 7;
                }
                extended.push(len as u8);
                extended.extend_from_slice(&spec);
            } else {
                extended.extend_from_slice(field.bytes);
            }
        }
        extended.extend_from_slice(&[0xf0, 0x01, 0x01]); // field 30 = 1
        let mut record = proto::PermissionRecord::decode(&extended).unwrap();
        record.message.spec.as_mut().unwrap().actions = vec![1]; // DESCRIBE only
        let written = record.encode().unwrap();
        let top = proto::wire::fields(&written).unwrap();
        assert!(
            top.iter().any(|f| f.number == 30),
            "top-level unknown field kept"
        );
        let spec =
            proto::wire::fields(top.iter().find(|f| f.number == 1).unwrap().payload.unwrap())
                .unwrap();
        assert!(
            spec.iter().any(|f| f.number == 40),
            "spec unknown field kept"
        );
        let again = proto::Permission::decode(written.as_slice()).unwrap();
        assert_eq!(again.spec.as_ref().unwrap().actions, vec![1]);
        assert_eq!(
            again.spec.as_ref().unwrap().policy,
            original.spec.as_ref().unwrap().policy
        );
        assert_eq!(again.meta, original.meta);
    }
}
