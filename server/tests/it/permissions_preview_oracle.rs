//! Feast's own decision equals the editor's preview. For each edit (an update, a create, a
//! delete) of a SQLite registry copy, the editor's server function previews who gains or
//! loses what; Feast (scripts/feast_oracle.py, reading the registry with its own SqlRegistry
//! and deciding with its own enforce_policy) is asked about every changed (principal, object,
//! request) before the save, where it must give the preview's "before", and after the save
//! through the same server function, where it must give the preview's "after".
//!
//! Needs the Feast venv (scripts/feast-venv.sh); the test fails without it.

use std::path::Path;
use std::process::Command;

use app::permissions::api::PermissionEditorSubmit;
use app::permissions::editor::{apply_edit, preview, ChangeRow, SubmitOutcome};
use app::permissions::matrix::principals_from_policies;
use app::permissions::{Action, PermissionSpec, Policy, ResourceType};
use axum::{body::Body, http::Request};
use leptos::server_fn::ServerFn;
use serde_json::{json, Value};
use server::registry::{RegistrySource, SourceKind};

use crate::common::{self, Backend, TestApp};
use crate::permissions_editing::{sqlite_copy, workspace};
use crate::registry::fixtures::feast_python;

const PROJECT: &str = "driver_ranking";

async fn console_on(path: &Path) -> TestApp {
    let url = common::fresh_database_url(Backend::Sqlite).await;
    let mut config = common::test_config(url);
    config.registries = vec![RegistrySource {
        name: "demo".into(),
        kind: SourceKind::Sqlite(path.to_path_buf()),
        token: None,
    }];
    let state = server::http::serve::build_state(config).await.unwrap();
    state.lifecycle.mark_started();
    for _ in 0..200 {
        if state.registries.handles[0].snapshot().is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let router = server::http::router(state.clone());
    TestApp { state, router }
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The editor's form for `spec` (None: delete `original`), with `intent`.
fn form(original: &str, version: &str, spec: Option<&PermissionSpec>, intent: &str) -> String {
    let mut f: Vec<(String, String)> = vec![
        ("registry".into(), "demo".into()),
        ("project".into(), PROJECT.into()),
        ("original_name".into(), original.into()),
        ("version".into(), version.into()),
        ("reason".into(), "preview oracle".into()),
        ("intent".into(), intent.into()),
        (
            "name".into(),
            spec.map_or(original.to_string(), |s| s.name.clone()),
        ),
    ];
    if let Some(s) = spec {
        f.extend(
            s.types
                .iter()
                .map(|t| (format!("types][{}", t.name()), "on".into())),
        );
        f.extend(
            s.actions
                .iter()
                .map(|a| (format!("actions][{}", a.name()), "on".into())),
        );
        f.push(("name_patterns".into(), s.name_patterns.join("\n")));
        let lines = |m: &std::collections::BTreeMap<String, String>| {
            m.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        f.push(("required_tags".into(), lines(&s.required_tags)));
        f.push(("tags".into(), lines(&s.tags)));
        let (kind, roles, groups, namespaces) = match &s.policy {
            Policy::RoleBased { roles } => ("role", roles.clone(), vec![], vec![]),
            Policy::GroupBased { groups } => ("group", vec![], groups.clone(), vec![]),
            Policy::NamespaceBased { namespaces } => {
                ("namespace", vec![], vec![], namespaces.clone())
            }
            Policy::CombinedGroupNamespace { groups, namespaces } => (
                "group_or_namespace",
                vec![],
                groups.clone(),
                namespaces.clone(),
            ),
            Policy::AllowAll => panic!("Feast cannot read AllowAll back"),
        };
        f.push(("policy_kind".into(), kind.into()));
        f.push(("roles".into(), roles.join(", ")));
        f.push(("groups".into(), groups.join(", ")));
        f.push(("namespaces".into(), namespaces.join(", ")));
    }
    f.iter()
        .map(|(k, v)| format!("{}={}", enc(&format!("form[{k}]")), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn submit(app: &TestApp, body: String) -> SubmitOutcome {
    let request = Request::post(PermissionEditorSubmit::PATH)
        .header("origin", format!("http://{}", app.state.config.listen))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let r = app.request(request).await;
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body))
}

fn current_permissions(app: &TestApp) -> Vec<PermissionSpec> {
    let snapshot = app.state.registries.handles[0]
        .snapshot()
        .expect("snapshot");
    let mut notes = Vec::new();
    let input = server::permissions::input::from_snapshot(&snapshot, &mut notes);
    input
        .projects
        .into_iter()
        .find(|p| p.project == PROJECT)
        .expect("project")
        .permissions
}

/// Feast's decision ("allow" / "deny" / "error" / "missing_object") for each preview row.
fn feast_decisions(
    python: &Path,
    registry: &Path,
    rows: &[ChangeRow],
    principals: &[app::permissions::Principal],
) -> Vec<String> {
    let queries: Vec<Value> = rows
        .iter()
        .map(|r| {
            let (kind, name) = r.object.split_once(' ').expect("TYPE name");
            let user = &principals
                .iter()
                .find(|p| p.label == r.principal)
                .unwrap_or_else(|| panic!("principal {}", r.principal))
                .user;
            json!({"user": user, "resource": {"type": kind, "name": name},
                   "actions": r.actions.split('+').collect::<Vec<_>>()})
        })
        .collect();
    let cases = json!({"cases": [{
        "registry": {"path": format!("sqlite:///{}", registry.display()), "project": PROJECT},
        "queries": queries,
    }]});
    let file = registry.with_file_name("preview-cases.json");
    std::fs::write(&file, cases.to_string()).unwrap();
    let out = Command::new(python)
        .arg(workspace().join("scripts/feast_oracle.py"))
        .arg(&file)
        .output()
        .expect("run oracle");
    assert!(
        out.status.success(),
        "oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Value = serde_json::from_slice(&out.stdout).expect("oracle JSON");
    answers["results"][0]
        .as_array()
        .expect("one case")
        .iter()
        .map(|a| a["assert"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Previews `spec` replacing `original` (None: a create; spec None: a delete), checks Feast
/// agrees with the "before" column, saves, checks Feast agrees with the "after" column.
/// Returns how many decisions were compared.
async fn check_edit(
    app: &TestApp,
    python: &Path,
    registry: &Path,
    original: Option<&str>,
    spec: Option<PermissionSpec>,
) -> usize {
    use app::permissions::api::PermissionsBackend;
    let provider = server::permissions::backend::ServerPermissions::new(
        app.state.registries.clone(),
        app.state.db.clone(),
    );
    let version = match original {
        None => "absent".to_string(),
        Some(name) => {
            provider
                .load("demo".into(), PROJECT.into(), name.into())
                .await
                .expect("load")
                .expect("exists")
                .version
        }
    };
    let original_name = original.unwrap_or_default();
    // The server's preview, as the editor's server function computes it.
    let data = provider
        .project("demo", PROJECT, &app::catalog::query::EveryObject)
        .await
        .expect("project data");
    let after = apply_edit(&data.permissions, original, spec.as_ref());
    let (rows, more) = preview(&data.permissions, &after, &data.objects);
    assert_eq!(more, 0, "every change is listed");
    assert!(!rows.is_empty(), "the edit changes something");
    if spec.is_some() {
        // The Preview button answers the same (a delete previews only when it deletes).
        let previewed = submit(app, form(original_name, &version, spec.as_ref(), "preview")).await;
        assert!(previewed.errors.is_empty(), "{:?}", previewed.errors);
        assert_eq!(previewed.preview, rows);
    }
    let principals = principals_from_policies(&[data.permissions.clone(), after].concat(), &[]);
    let rows = &rows;

    let compare = |feast: Vec<String>, column: fn(&ChangeRow) -> &str, when: &str| {
        let mut compared = 0;
        let mut failures = Vec::new();
        for (row, decision) in rows.iter().zip(feast) {
            let ours = column(row);
            // The object a create adds does not exist before it, nor a deleted one after.
            if decision == "missing_object" || ours == "unknown" {
                eprintln!(
                    "{when}: not compared: {} {} on {} ({decision}, preview {ours})",
                    row.principal, row.actions, row.object
                );
                continue;
            }
            compared += 1;
            if decision != ours {
                failures.push(format!(
                    "{when}: {} {} on {}: preview {ours}, Feast {decision}",
                    row.principal, row.actions, row.object
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        compared
    };
    let mut compared = compare(
        feast_decisions(python, registry, rows, &principals),
        |r| r.before.as_str(),
        "before the save",
    );
    let intent = if spec.is_some() { "save" } else { "delete" };
    let saved = submit(app, form(original_name, &version, spec.as_ref(), intent)).await;
    assert!(saved.done.is_some(), "{saved:?}");
    // The saving submit previewed the same change.
    assert_eq!(&saved.preview, rows);
    compared += compare(
        feast_decisions(python, registry, rows, &principals),
        |r| r.after.as_str(),
        "after the save",
    );
    compared
}

#[tokio::test]
async fn feast_decides_what_the_preview_said() {
    let python = feast_python();
    let path = sqlite_copy("preview-oracle").await;
    let app = console_on(&path).await;
    let before = current_permissions(&app);
    let mut compared = 0;

    // An update: more actions, another role and other name patterns for an existing
    // permission.
    let mut edited = before
        .iter()
        .find(|p| matches!(p.policy, Policy::RoleBased { .. }))
        .expect("a role-based permission")
        .clone();
    let original = edited.name.clone();
    edited.actions = vec![Action::Describe, Action::Update, Action::ReadOffline];
    edited.name_patterns = vec![".*_stats".into(), "driver_.*".into()];
    if let Policy::RoleBased { roles } = &mut edited.policy {
        roles.push("preview-oracle-role".into());
    }
    compared += check_edit(&app, &python, &path, Some(&original), Some(edited)).await;

    // A create: a group gains describing and reading on entities and feature views.
    let created = PermissionSpec {
        name: "preview_oracle_new".into(),
        types: vec![
            ResourceType::Entity,
            ResourceType::FeatureView,
            ResourceType::Permission,
        ],
        name_patterns: vec![],
        required_tags: Default::default(),
        actions: vec![Action::Describe, Action::ReadOnline],
        policy: Policy::GroupBased {
            groups: vec!["preview-oracle-group".into()],
        },
        tags: Default::default(),
    };
    compared += check_edit(&app, &python, &path, None, Some(created)).await;

    // A delete: the permission just edited goes away.
    compared += check_edit(&app, &python, &path, Some(&original), None).await;

    assert!(compared > 20, "only {compared} decisions compared");
    eprintln!("preview oracle: {compared} decisions agree");
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}
