//! Feast's decision on real registries: the console reads the registry with its own reader and
//! evaluates; Feast reads the same registry with its own SqlRegistry and calls enforce_policy.
//! Every principal named in a policy (plus a few plain users) × every object × each action and
//! an update must agree. This checks decoding and evaluation together.
//!
//! Uses the committed demo registry and `target/feast-fixtures/sqlite` (built by
//! `scripts/make-registries.sh`). Needs the Feast venv (`scripts/feast-venv.sh`;
//! `FC_TEST_FEAST_PYTHON` overrides); the test fails without either.

use std::path::{Path, PathBuf};
use std::process::Command;

use app::permissions::matrix::principals_from_policies;
use app::permissions::{Action, Outcome, PermissionEvaluator, Principal, Resource, User};
use serde_json::{json, Value};
use server::permissions::input::from_snapshot;
use server::registry::{source::parse_entry, Reader};

use crate::common;
use crate::registry::fixtures::{feast_fixtures, feast_python};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The committed demo registry and the fixture's SQLite registry (the test fails when
/// `scripts/make-registries.sh` has not built it).
fn registries() -> Vec<PathBuf> {
    let sqlite = common::required_path(
        feast_fixtures().join("sqlite/registry.sqlite"),
        "the real-Feast SQLite registry fixture",
        "run scripts/make-registries.sh (scripts/test.sh does)",
    );
    vec![
        workspace().join("server/demo/registry/registry.sqlite"),
        sqlite,
    ]
}

/// A scratch copy: Feast's SqlRegistry opens the database read-write.
fn scratch(from: &Path, n: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fc-perm-oracle-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let to = dir.join("registry.sqlite");
    std::fs::copy(from, &to).expect("copy registry");
    to
}

fn principals(permissions: &[app::permissions::PermissionSpec]) -> Vec<Principal> {
    let extra = [
        Principal::new("anonymous", User::named("")),
        Principal::new("plain user", User::named("alice")),
        Principal::new(
            "k8s sa team-b",
            User::named("team-b:reader").with_namespaces(&["team-b"]),
        ),
    ];
    principals_from_policies(permissions, &extra)
}

#[tokio::test]
async fn console_and_feast_decide_the_same_on_real_registries() {
    let python = feast_python();
    let mut compared = 0;
    let mut failures = Vec::new();
    for (n, original) in registries().iter().enumerate() {
        let path = scratch(original, n);
        let source =
            parse_entry(&format!("sqlite:///{}", path.display()), &workspace()).expect("source");
        let snapshot = Reader::load_once(&source)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let mut notes = Vec::new();
        let input = from_snapshot(&snapshot, &mut notes);
        assert!(notes.is_empty(), "{notes:?}");
        let mut requests: Vec<Vec<Action>> = Action::ALL.iter().map(|a| vec![*a]).collect();
        requests.push(Action::UPDATE_REQUEST.to_vec());
        let mut cases = Vec::new();
        let mut expected = Vec::new();
        for project in &input.projects {
            let evaluator = PermissionEvaluator::new(&project.permissions);
            let mut objects: Vec<Resource> = project.resources.clone();
            objects.extend(project.permissions.iter().map(Resource::of_permission));
            let mut queries = Vec::new();
            let mut ours = Vec::new();
            for p in principals(&project.permissions) {
                for o in &objects {
                    for r in &requests {
                        queries.push(json!({ "user": p.user, "resource": { "type": o.resource_type, "name": o.name }, "actions": r }));
                        ours.push((
                            p.label.clone(),
                            o.clone(),
                            r.clone(),
                            evaluator.evaluate(&p.user, o, r),
                        ));
                    }
                }
            }
            cases.push(json!({ "registry": { "path": format!("sqlite:///{}", path.display()), "project": project.project }, "queries": queries }));
            expected.push((project.project.clone(), ours));
        }
        let file = path.with_file_name("cases.json");
        std::fs::write(
            &file,
            serde_json::to_vec(&json!({ "cases": cases })).expect("json"),
        )
        .expect("write cases");
        let out = Command::new(&python)
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
        let _ = std::fs::remove_dir_all(path.parent().unwrap_or(&path));
        for ((project, ours), theirs) in expected
            .iter()
            .zip(answers["results"].as_array().into_iter().flatten())
        {
            for ((principal, object, actions, d), want) in
                ours.iter().zip(theirs.as_array().into_iter().flatten())
            {
                let got = match &d.outcome {
                    Outcome::Allow => "allow",
                    Outcome::Deny => "deny",
                    Outcome::Error(_) => "error",
                    Outcome::Unknown(_) => continue,
                };
                compared += 1;
                let mut feast_matching: Vec<String> = want["matching_permissions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect();
                feast_matching.sort();
                let mut our_matching = d.matching_permissions.clone();
                our_matching.sort();
                if want["assert"] != got || feast_matching != our_matching {
                    failures.push(format!(
                        "{}: project {project}, {principal} {actions:?} on {} {}: feast {} {feast_matching:?}, console {got} {our_matching:?}",
                        original.display(), object.resource_type.name(), object.name, want["assert"]
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreement(s):\n{}",
        failures.len(),
        failures
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(compared > 1000, "only {compared} decisions compared");
    eprintln!("registry oracle: {compared} decisions agree");
}
