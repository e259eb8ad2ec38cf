//! Editing permissions of a REST registry through the console's real router and server
//! functions, as signed-in users whose own access tokens Feast checks. Real parts throughout:
//! the test identity provider, Feast 0.67's `serve_registry --rest-api` with `auth: oidc`, and
//! Feast's SDK reading the registry database behind that server.
//!
//! The registry copy grants the Feast role `feast-admin` (alice) every action on permissions
//! and UPDATE on projects (so the console can ask the server to reload its cache). sam is
//! made a console admin here, but his Feast role `feast-reader` may only DESCRIBE: Feast
//! refuses his saves, and the console says so.

use std::path::Path;
use std::time::{Duration, Instant};

use app::auth::roles::ClaimMatch;
use app::permissions::api::{AuditFilter, PermissionEditorLoad, PermissionEditorSubmit};
use app::permissions::editor::{EditorData, SubmitOutcome};
use app::permissions::{Action, PermissionSpec, Policy, ResourceType};
use axum::{body::Body, http::Request};
use leptos::server_fn::ServerFn;
use server::registry::source::parse_entry;

use crate::auth_support::{self, browser::Browser, provider, CONSOLE};
use crate::common::{self, Backend, TestApp};
use crate::permissions_editing::{expected, feast_view, python};
use crate::registry::fixtures;
use crate::registry_user_token::{access_token_of, repo_with_oidc, start_feast, FeastServer};

const PROJECT: &str = "driver_ranking";

/// Rights for the admins' Feast role, applied with Feast's own SqlRegistry.
const GRANT_ADMIN_WRITES: &str = r#"
import sys
from feast.infra.registry.sql import SqlRegistry, SqlRegistryConfig
from feast.permissions.action import ALL_ACTIONS, AuthzedAction
from feast.permissions.permission import Permission
from feast.permissions.policy import RoleBasedPolicy
from feast.project import Project
url, project = sys.argv[1], sys.argv[2]
reg = SqlRegistry(SqlRegistryConfig(registry_type="sql", path=url, cache_ttl_seconds=0), project, None)
reg.apply_permission(Permission(name="admins_manage_permissions", types=[Permission],
    policy=RoleBasedPolicy(roles=["feast-admin"]), actions=ALL_ACTIONS), project)
reg.apply_permission(Permission(name="admins_refresh_registry", types=[Project],
    policy=RoleBasedPolicy(roles=["feast-admin"]), actions=[AuthzedAction.DESCRIBE, AuthzedAction.UPDATE]), project)
print("ok")
"#;

/// A change made behind the console's back, straight into the registry database.
const SNEAK_EDIT: &str = r#"
import sys
from feast.infra.registry.sql import SqlRegistry, SqlRegistryConfig
from feast.permissions.action import AuthzedAction
from feast.permissions.permission import Permission
from feast.feature_view import FeatureView
from feast.permissions.policy import RoleBasedPolicy
url, project, name = sys.argv[1], sys.argv[2], sys.argv[3]
reg = SqlRegistry(SqlRegistryConfig(registry_type="sql", path=url, cache_ttl_seconds=0), project, None)
reg.apply_permission(Permission(name=name, types=[FeatureView],
    policy=RoleBasedPolicy(roles=["sneaky"]), actions=[AuthzedAction.DESCRIBE]), project)
print("ok")
"#;

/// `application/x-www-form-urlencoded` of `pairs`.
fn encode(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn call(app: &TestApp, who: &Browser, path: &str, body: String) -> (u16, String) {
    let request = Request::post(path)
        .header("cookie", who.cookie_header())
        .header("origin", CONSOLE)
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let r = app.request(request).await;
    (r.status, r.body)
}

async fn load(app: &TestApp, who: &Browser, name: &str) -> Result<EditorData, String> {
    let (status, body) = call(
        app,
        who,
        PermissionEditorLoad::PATH,
        encode(&[("registry", "rest"), ("project", PROJECT), ("name", name)]),
    )
    .await;
    if status != 200 {
        return Err(format!("{status}: {body}"));
    }
    serde_json::from_str(&body).map_err(|e| format!("{e}: {body}"))
}

/// Submits the editor's form for `spec` (None deletes `original`).
async fn submit(
    app: &TestApp,
    who: &Browser,
    original: &str,
    version: &str,
    spec: Option<&PermissionSpec>,
    reason: &str,
) -> SubmitOutcome {
    let mut fields: Vec<(String, String)> = vec![
        ("form[registry]".into(), "rest".into()),
        ("form[project]".into(), PROJECT.into()),
        ("form[original_name]".into(), original.into()),
        ("form[version]".into(), version.into()),
        ("form[reason]".into(), reason.into()),
    ];
    match spec {
        None => {
            fields.push(("form[name]".into(), original.into()));
            fields.push(("form[intent]".into(), "delete".into()));
        }
        Some(s) => {
            fields.push(("form[name]".into(), s.name.clone()));
            for t in &s.types {
                fields.push((format!("form[types][{}]", t.name()), "on".into()));
            }
            for a in &s.actions {
                fields.push((format!("form[actions][{}]", a.name()), "on".into()));
            }
            fields.push(("form[name_patterns]".into(), s.name_patterns.join("\n")));
            let lines = |m: &std::collections::BTreeMap<String, String>| {
                m.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            fields.push(("form[required_tags]".into(), lines(&s.required_tags)));
            fields.push(("form[tags]".into(), lines(&s.tags)));
            let Policy::RoleBased { roles } = &s.policy else {
                panic!("role-based policies only here")
            };
            fields.push(("form[policy_kind]".into(), "role".into()));
            fields.push(("form[roles]".into(), roles.join(", ")));
            fields.push(("form[intent]".into(), "save".into()));
        }
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (status, body) = call(app, who, PermissionEditorSubmit::PATH, encode(&pairs)).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

fn spec(name: &str, roles: &[&str]) -> PermissionSpec {
    PermissionSpec {
        name: name.into(),
        types: vec![ResourceType::FeatureView, ResourceType::FeatureService],
        name_patterns: vec!["driver_.*".into()],
        required_tags: [("team".to_string(), "team-a".to_string())].into(),
        actions: vec![Action::Describe, Action::ReadOnline],
        policy: Policy::RoleBased {
            roles: roles.iter().map(|r| r.to_string()).collect(),
        },
        tags: [("owner".to_string(), "console".to_string())].into(),
    }
}

fn feast_reads(py: &Path, url: &str, name: &str) -> Option<serde_json::Value> {
    feast_view(py, url, PROJECT, name)
}

/// Feast's REST registry server on a free port, serving a copy of the fixture whose
/// permissions grant `feast-admin` (alice) writes: the copy's folder, its registry URL for
/// Feast's SDK, the port, and the server (stopped when dropped).
pub(crate) fn feast_granting_admin_writes(
    py: &Path,
    issuer: &str,
) -> (std::path::PathBuf, String, u16, FeastServer) {
    let repo = repo_with_oidc(py, &fixtures::feast_fixtures(), issuer);
    let db_url = format!("sqlite:///{}", repo.join("registry.sqlite").display());
    python(py, GRANT_ADMIN_WRITES, &[&db_url, PROJECT]);
    let port = provider::free_port();
    let feast = start_feast(py, &repo, port);
    (repo, db_url, port, feast)
}

#[tokio::test]
async fn create_edit_delete_through_a_rest_registry_as_the_signed_in_admin() {
    let py = fixtures::feast_python();
    let idp = provider::start(None);
    let (repo, db_url, port, _feast) = feast_granting_admin_writes(&py, &idp.issuer);
    let mut source = parse_entry(&format!("rest=http://127.0.0.1:{port}"), &repo).unwrap();
    // The console's own reads use a service token (sam's: his role may describe everything).
    let issuing = auth_support::console_on(
        &idp.issuer,
        common::fresh_database_url(Backend::Sqlite).await,
    )
    .await;
    source.token = Some(access_token_of(&issuing, "sam").await.into());
    let app = auth_support::console_with(
        &idp.issuer,
        common::fresh_database_url(Backend::Sqlite).await,
        |config| {
            config.registries = vec![source.clone()];
            // sam (group `sre`) is a console admin too, but Feast grants his role no writes.
            config
                .auth
                .role_mapping
                .admin
                .push(ClaimMatch::Group("sre".into()));
        },
    )
    .await;
    let mut alice = Browser::new();
    assert_eq!(
        alice.sign_in(&app, "alice", "/permissions").await.status,
        303
    );
    let mut sam = Browser::new();
    assert_eq!(sam.sign_in(&app, "sam", "/permissions").await.status, 303);

    // Feast starts slowly: wait until it answers a load made with alice's token.
    let deadline = Instant::now() + Duration::from_secs(90);
    let existing = loop {
        match load(&app, &alice, "ranking_readers").await {
            Ok(d) if d.missing.is_none() => break d,
            other if Instant::now() > deadline => panic!("Feast never answered: {other:?}"),
            _ => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    };
    assert_eq!(existing.read_only, None, "REST registries are editable");
    assert!(
        existing
            .write_note
            .as_deref()
            .is_some_and(|n| n.contains("outside this console")),
        "the editor states the race window: {:?}",
        existing.write_note
    );

    // Create.
    let created = spec("console_rest_made", &["console-test-reader"]);
    let out = submit(&app, &alice, "", "absent", Some(&created), "rest create").await;
    assert!(
        out.done.as_deref().is_some_and(|d| d.contains("Saved")),
        "{out:?}"
    );
    assert_eq!(
        feast_reads(&py, &db_url, "console_rest_made"),
        Some(expected(&created))
    );
    let loaded = load(&app, &alice, "console_rest_made").await.unwrap();
    assert_eq!(loaded.form.version, out.version.clone().unwrap());
    // The console's shared read was refreshed: its next snapshot holds the new permission.
    let snapshot = app.state.registries.handles[0]
        .snapshot()
        .expect("snapshot");
    assert!(
        snapshot
            .objects
            .iter()
            .any(|o| o.name == "console_rest_made" && o.project == PROJECT),
        "the refreshed snapshot shows the save"
    );

    // The same create again: Feast's apply would overwrite, the console refuses.
    let again = submit(&app, &alice, "", "absent", Some(&created), "again").await;
    assert!(
        again
            .conflict
            .as_deref()
            .is_some_and(|c| c.contains("already exists")),
        "{again:?}"
    );

    // Edit.
    let edited = spec(
        "console_rest_made",
        &["console-test-reader", "ranking-reader"],
    );
    let v1 = loaded.form.version.clone();
    let out = submit(
        &app,
        &alice,
        "console_rest_made",
        &v1,
        Some(&edited),
        "rest edit",
    )
    .await;
    assert!(out.done.is_some(), "{out:?}");
    let v2 = out.version.clone().unwrap();
    assert_ne!(v1, v2);
    assert_eq!(
        feast_reads(&py, &db_url, "console_rest_made"),
        Some(expected(&edited))
    );

    // A rename is refused clearly; nothing changes.
    let mut renamed = edited.clone();
    renamed.name = "console_rest_renamed".into();
    let out = submit(
        &app,
        &alice,
        "console_rest_made",
        &v2,
        Some(&renamed),
        "rename",
    )
    .await;
    assert!(
        out.failure
            .as_deref()
            .is_some_and(|f| f.contains("renaming")),
        "{out:?}"
    );
    assert_eq!(feast_reads(&py, &db_url, "console_rest_renamed"), None);

    // Changed behind the console's back after loading: the save is refused as a conflict,
    // and the other writer's version stays.
    python(&py, SNEAK_EDIT, &[&db_url, PROJECT, "console_rest_made"]);
    let sneaky = feast_reads(&py, &db_url, "console_rest_made");
    let out = submit(
        &app,
        &alice,
        "console_rest_made",
        &v2,
        Some(&created),
        "stale",
    )
    .await;
    assert!(
        out.conflict
            .as_deref()
            .is_some_and(|c| c.contains("changed since it was loaded")),
        "{out:?}"
    );
    assert_eq!(feast_reads(&py, &db_url, "console_rest_made"), sneaky);
    // A stale delete is refused too.
    let out = submit(&app, &alice, "console_rest_made", &v2, None, "stale delete").await;
    assert!(out.conflict.is_some(), "{out:?}");
    assert_eq!(feast_reads(&py, &db_url, "console_rest_made"), sneaky);

    // sam is a console admin, but Feast refuses his token: a clear error, nothing written.
    let out = submit(
        &app,
        &sam,
        "",
        "absent",
        Some(&spec("sam_made", &["x"])),
        "sam",
    )
    .await;
    let failure = out.failure.clone().unwrap_or_default();
    assert!(
        failure.contains("Feast refused") && failure.contains("CREATE"),
        "{out:?}"
    );
    assert_eq!(feast_reads(&py, &db_url, "sam_made"), None);
    let current = load(&app, &sam, "console_rest_made").await.unwrap();
    let out = submit(
        &app,
        &sam,
        "console_rest_made",
        &current.form.version,
        None,
        "sam delete",
    )
    .await;
    assert!(
        out.failure
            .as_deref()
            .is_some_and(|f| f.contains("Feast refused") && f.contains("DELETE")),
        "{out:?}"
    );
    assert_eq!(feast_reads(&py, &db_url, "console_rest_made"), sneaky);

    // Delete, from the current version.
    let current = load(&app, &alice, "console_rest_made").await.unwrap();
    let out = submit(
        &app,
        &alice,
        "console_rest_made",
        &current.form.version,
        None,
        "rest delete",
    )
    .await;
    assert!(
        out.done.as_deref().is_some_and(|d| d.contains("Deleted")),
        "{out:?}"
    );
    assert_eq!(feast_reads(&py, &db_url, "console_rest_made"), None);

    // One committed audit record per write, by alice; refused or conflicting saves are
    // recorded as failed.
    let (records, failed): (Vec<_>, Vec<_>) =
        server::permissions::audit::list(&app.state.db, &AuditFilter::default())
            .await
            .unwrap()
            .into_iter()
            .partition(|r| r.state == app::permissions::audit_state::AuditState::Committed);
    assert!(
        failed
            .iter()
            .all(|r| r.state == app::permissions::audit_state::AuditState::Failed),
        "{failed:#?}"
    );
    let ops: Vec<(&str, &str, &str)> = records
        .iter()
        .map(|r| (r.operation.as_str(), r.actor.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(
        ops,
        vec![
            ("delete", "alice", "rest delete"),
            ("update", "alice", "rest edit"),
            ("create", "alice", "rest create"),
        ]
    );
    assert!(records
        .iter()
        .all(|r| r.registry == "rest" && r.project == PROJECT));
    assert_eq!(records[1].before.as_ref(), Some(&created));
    assert_eq!(records[1].after.as_ref(), Some(&edited));
    assert_eq!(records[1].before_version, v1);
    assert_eq!(records[1].after_version, v2);
    let _ = std::fs::remove_dir_all(repo);
}
