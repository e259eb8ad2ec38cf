//! `feast-console catalog diff`, the real binary: two registries compared now, and one
//! registry's recorded history since a time; exit 1 with differences, 0 without, 2 on errors.

use std::process::{Command, Output};

use app::permissions::api::SaveRequest;
use app::permissions::Policy;
use server::db::ConsoleDb;
use server::history::recorder::Recorded;
use server::permissions::store as permissions;
use server::registry::write::{PermissionWriter, ABSENT};

use crate::common::{self, Backend};
use crate::history_support::Console;
use crate::permissions_editing::{spec, sqlite_copy};
use crate::registry::fixtures;

fn diff(args: &[&str]) -> (i32, String, String) {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_feast-console"))
        .args(["catalog", "diff"])
        .args(args)
        .env_remove("FEAST_CONSOLE_DATABASE_URL")
        .output()
        .expect("run feast-console");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn compares_registries_and_lists_recorded_changes() {
    let demo = fixtures::demo_sqlite();
    let copy = sqlite_copy("history-cli").await;
    let a = format!("sqlite:///{}", demo.display());
    let b = format!("demo=sqlite:///{}", copy.display());
    let (code, out, err) = diff(&["--registry", &a, "--registry", &b]);
    assert_eq!(
        (code, out.as_str()),
        (
            0,
            "no differences\nignored: created, updated, materialization_intervals\n"
        ),
        "{err}"
    );

    // A permission saved in the console's editor, recorded by a console.
    let url = common::fresh_database_url(Backend::Sqlite).await;
    let db = ConsoleDb::open(&url, 2).await.expect("console database");
    let source = server::registry::source::parse_entry(&b, std::path::Path::new("/")).unwrap();
    let mut console = Console::start(&db, &source, "cli-test").await;
    assert_eq!(console.look().await, Recorded::Baseline);
    let mut s = spec("cli_readers");
    s.policy = Policy::RoleBased {
        roles: vec!["analyst".into()],
    };
    let request = SaveRequest {
        registry: "demo".into(),
        project: "driver_ranking".into(),
        original_name: None,
        expected_version: ABSENT.into(),
        spec: Some(s),
        actor: "ada-admin".into(),
        reason: "cli test".into(),
    };
    let writer = PermissionWriter::open(&source).await.expect("writer");
    permissions::save(&writer, &db, &request)
        .await
        .expect("save");
    assert_eq!(console.look().await, Recorded::Changes(1));
    db.close().await;

    let (code, out, err) = diff(&["--registry", &a, "--registry", &b]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.starts_with("added permission driver_ranking/cli_readers\n"),
        "{out}"
    );
    let (code, out, _) = diff(&["--registry", &a, "--registry", &b, "--format", "json"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(json["changes"][0]["change"], "added");
    assert_eq!(json["changes"][0]["name"], "cli_readers");
    assert_eq!(json["ignored"][0], "created");

    // The recorded history, from the console database.
    let since = [
        "--registry",
        "demo",
        "--database-url",
        url.as_str(),
        "--since",
    ];
    let (code, out, err) = diff(&[&since[..], &["2000-01-01"]].concat());
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("added permission driver_ranking/cli_readers (by ada-admin in the console)"),
        "{out}"
    );
    let (code, out, _) = diff(&[&since[..], &["2000-01-01", "--format", "json"]].concat());
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(json["entries"][0]["actor"], "ada-admin");
    let (code, out, err) = diff(&[&since[..], &["2999-01-01T00:00:00Z"]].concat());
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("no changes recorded since 2999-01-01T00:00:00Z"),
        "{out}"
    );

    // Errors: exit 2, saying what is wrong.
    let (code, _, err) = diff(&[
        "--registry",
        "other",
        "--database-url",
        &url,
        "--since",
        "2000-01-01",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no history of a registry named `other` (it has: demo)"),
        "{err}"
    );
    let (code, _, err) = diff(&["--registry", &a]);
    assert_eq!(code, 2);
    assert!(err.contains("one with --since"), "{err}");
    let (code, _, err) = diff(&["--registry", "demo", "--since", "yesterday"]);
    assert_eq!(code, 2);
    assert!(err.contains("not an RFC 3339 time"), "{err}");
    let (code, _, _) = diff(&[
        "--registry",
        &a,
        "--registry",
        "sqlite:////no/such/registry.sqlite",
    ]);
    assert_eq!(code, 2);
}
