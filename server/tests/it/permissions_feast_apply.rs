//! What `feast apply` (real Feast 0.67) does to permissions saved in the console, and the
//! Python snippet that keeps them (app::permissions::python_snippet) checked with Feast itself.
//!
//! 1. A repository defines a permission; `feast apply`; the console creates another and
//!    changes the first; `feast apply` of the same repository again: Feast deletes the one the
//!    repository lacks and writes the repository's older definition over the change. With the
//!    console's snippets added to the repository, `feast apply` keeps both as the console saved
//!    them. On SQLite, file and PostgreSQL registries.
//! 2. For every policy kind, several action and type sets and hostile strings, the snippet run
//!    in Feast's venv gives `Permission.to_proto()` equal to the bytes the console stored.
//!
//! Needs the Feast venv (FC_TEST_FEAST_PYTHON) and, for PostgreSQL, FC_TEST_PG_URL; the tests
//! fail without them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use app::permissions::api::SaveRequest;
use app::permissions::python_snippet::{python_snippet, variable_name};
use app::permissions::{Action, PermissionSpec, Policy, ResourceType};
use serde_json::{json, Value};
use server::permissions::store;
use server::registry::write::{PermissionWriter, ABSENT};
use server::registry::{RegistrySource, SourceKind};

use crate::common;
use crate::permissions_editing::{console_db, python, sqlite_copy};
use crate::registry::fixtures::feast_python;

const PROJECT: &str = "apply_test";

/// The repository's own definition of `repo_managed` (older than the console's change).
const DEFINITIONS: &str = r#"from feast import Entity
from feast.feature_view import FeatureView
from feast.permissions.action import AuthzedAction
from feast.permissions.permission import Permission
from feast.permissions.policy import RoleBasedPolicy

driver = Entity(name="driver", join_keys=["driver_id"])

repo_managed = Permission(
    name="repo_managed",
    types=[FeatureView],
    actions=[AuthzedAction.DESCRIBE],
    policy=RoleBasedPolicy(roles=["old-reader"]),
)
"#;

const ENTITY_ONLY: &str = r#"from feast import Entity

driver = Entity(name="driver", join_keys=["driver_id"])
"#;

fn repo_managed_in_repo() -> PermissionSpec {
    PermissionSpec {
        name: "repo_managed".into(),
        types: vec![ResourceType::FeatureView],
        name_patterns: vec![],
        required_tags: BTreeMap::new(),
        actions: vec![Action::Describe],
        policy: Policy::RoleBased {
            roles: vec!["old-reader".into()],
        },
        tags: BTreeMap::new(),
    }
}

fn repo_managed_changed() -> PermissionSpec {
    PermissionSpec {
        types: vec![ResourceType::FeatureView, ResourceType::FeatureService],
        actions: vec![Action::Describe, Action::ReadOnline],
        policy: Policy::GroupBased {
            groups: vec!["new-readers".into()],
        },
        tags: BTreeMap::from([("changed".to_string(), "in the console".to_string())]),
        ..repo_managed_in_repo()
    }
}

fn console_added() -> PermissionSpec {
    PermissionSpec {
        name: "console_added".into(),
        types: vec![ResourceType::Entity],
        name_patterns: vec!["driver.*".into()],
        required_tags: BTreeMap::from([("team".to_string(), "ranking".to_string())]),
        actions: Action::ALL.to_vec(),
        policy: Policy::NamespaceBased {
            namespaces: vec!["team-a".into()],
        },
        tags: BTreeMap::from([("owner".to_string(), "console".to_string())]),
    }
}

/// A feature repository whose `feature_store.yaml` points at `registry_yaml`; returns it.
fn repo(dir: &Path, registry_yaml: &str) -> PathBuf {
    let repo = dir.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(
        repo.join("feature_store.yaml"),
        format!(
            "project: {PROJECT}\nprovider: local\nregistry:\n{registry_yaml}online_store:\n  type: sqlite\n  path: {}\noffline_store:\n  type: file\nentity_key_serialization_version: 3\nauth:\n  type: no_auth\n",
            repo.join("online.db").display()
        ),
    )
    .unwrap();
    std::fs::write(repo.join("definitions.py"), DEFINITIONS).unwrap();
    repo
}

/// `feast apply` in `repo`; its output (which lists what it deleted and changed).
fn feast_apply(py: &Path, repo: &Path) -> String {
    let feast = py.with_file_name("feast");
    let out = Command::new(&feast)
        .args(["-c", repo.to_str().expect("utf-8 path"), "apply"])
        .current_dir(repo)
        .output()
        .expect("run feast apply");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "feast apply failed:\n{text}");
    text
}

fn save(project: &str, original: Option<&str>, version: &str, spec: PermissionSpec) -> SaveRequest {
    SaveRequest {
        registry: "test".into(),
        project: project.into(),
        original_name: original.map(str::to_string),
        expected_version: version.into(),
        spec: Some(spec),
        actor: "ada-admin".into(),
        reason: "feast apply test".into(),
    }
}

async fn stored(source: &RegistrySource, name: &str) -> Option<PermissionSpec> {
    // A writer per read: the file registry's writer may keep what it read last.
    let writer = PermissionWriter::open(source).await.expect("open registry");
    store::load(&writer, PROJECT, name)
        .await
        .expect("read the registry")
        .map(|s| s.spec)
}

/// The whole story on one registry: see the module comment.
async fn apply_after_console_edits(source: RegistrySource, repo: &Path) {
    let py = feast_python();
    feast_apply(&py, repo);
    assert_eq!(
        stored(&source, "repo_managed").await,
        Some(repo_managed_in_repo())
    );

    // The console creates one permission and changes the repository's.
    let writer = PermissionWriter::open(&source)
        .await
        .expect("open registry");
    let db = console_db().await;
    store::save(&writer, &db, &save(PROJECT, None, ABSENT, console_added()))
        .await
        .expect("console create");
    let version = store::load(&writer, PROJECT, "repo_managed")
        .await
        .unwrap()
        .expect("repo_managed stored")
        .version;
    store::save(
        &writer,
        &db,
        &save(
            PROJECT,
            Some("repo_managed"),
            &version,
            repo_managed_changed(),
        ),
    )
    .await
    .expect("console update");
    drop(writer);
    assert_eq!(
        stored(&source, "console_added").await,
        Some(console_added())
    );
    assert_eq!(
        stored(&source, "repo_managed").await,
        Some(repo_managed_changed())
    );

    // `feast apply` of the unchanged repository: the created one is deleted, the changed one
    // is the repository's definition again.
    let out = feast_apply(&py, repo);
    assert_eq!(stored(&source, "console_added").await, None, "{out}");
    assert_eq!(
        stored(&source, "repo_managed").await,
        Some(repo_managed_in_repo()),
        "{out}"
    );

    // With the console's snippets in the repository (instead of its own definition), `feast
    // apply` writes exactly what the console saved, and again when applied unchanged.
    let snippets = format!(
        "{}\n\n{}",
        python_snippet(&console_added()),
        python_snippet(&repo_managed_changed())
    );
    std::fs::write(repo.join("definitions.py"), ENTITY_ONLY).unwrap();
    std::fs::write(repo.join("permissions.py"), snippets).unwrap();
    for _ in 0..2 {
        let out = feast_apply(&py, repo);
        assert_eq!(
            stored(&source, "console_added").await,
            Some(console_added()),
            "{out}"
        );
        assert_eq!(
            stored(&source, "repo_managed").await,
            Some(repo_managed_changed()),
            "{out}"
        );
    }
}

fn scratch_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "fc-feast-apply-{tag}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The story on a registry of `kind` at `path` (Feast's `registry_type` and `path`).
async fn on_registry(dir: PathBuf, registry_type: &str, path: &str, kind: SourceKind) {
    let yaml =
        format!("  registry_type: {registry_type}\n  path: {path}\n  cache_ttl_seconds: 0\n");
    let repo = repo(&dir, &yaml);
    let source = RegistrySource {
        name: "test".into(),
        kind,
        token: None,
    };
    apply_after_console_edits(source, &repo).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn feast_apply_deletes_and_reverts_console_edits_on_a_sqlite_registry() {
    let dir = scratch_dir("sqlite");
    let path = dir.join("registry.sqlite");
    let url = format!("sqlite:///{}", path.display());
    on_registry(dir, "sql", &url, SourceKind::Sqlite(path)).await;
}

#[tokio::test]
async fn feast_apply_deletes_and_reverts_console_edits_on_a_file_registry() {
    let dir = scratch_dir("file");
    let path = dir.join("registry.db");
    let shown = path.display().to_string();
    on_registry(dir, "file", &shown, SourceKind::File(path)).await;
}

#[tokio::test]
async fn feast_apply_deletes_and_reverts_console_edits_on_a_postgres_registry() {
    let url = common::fresh_database_url(common::Backend::Postgres).await;
    let feast_url = url.replacen("postgres://", "postgresql+psycopg://", 1);
    on_registry(
        scratch_dir("pg"),
        "sql",
        &feast_url,
        SourceKind::Postgres(url),
    )
    .await;
}

/// Runs each case's snippet in Feast's venv and compares `Permission.to_proto().spec` with the
/// spec the console stored (read raw from the SQLite registry, not through Feast's
/// constructor). A stored empty `types` is compared as what Feast's constructor stores for no
/// types (all of them), and stored patterns and tags as the constructor strips them.
const SNIPPET_CHECK: &str = r#"
import json, sqlite3, sys
from google.protobuf.json_format import MessageToDict
from feast.permissions.permission import Permission
from feast.permissions.policy import RoleBasedPolicy
from feast.protos.feast.core.Permission_pb2 import Permission as PermissionProto

args = json.load(open(sys.argv[1]))
db = sqlite3.connect(args["registry"])
all_types = Permission(name="x", policy=RoleBasedPolicy(roles=[])).to_proto().spec.types
out = []
for case in args["cases"]:
    scope = {}
    exec(compile(case["snippet"], "<snippet>", "exec"), scope)
    made = scope[case["variable"]]
    assert isinstance(made, Permission), type(made)
    spec = made.to_proto().spec
    row = db.execute(
        "SELECT permission_proto FROM permissions WHERE project_id = ? AND permission_name = ?",
        (args["project"], case["name"]),
    ).fetchone()
    stored = PermissionProto.FromString(row[0]).spec
    if not stored.types:
        stored.types.extend(all_types)
    # What Feast's constructor does to any definition (`_normalize_name_patterns`,
    # `_normalize_tags`); the snippet says so when it changes something.
    normal = PermissionProto.FromString(row[0]).spec
    normal.CopyFrom(stored)
    del normal.name_patterns[:]
    normal.name_patterns.extend(p.strip() for p in stored.name_patterns)
    for field in ("tags", "required_tags"):
        getattr(normal, field).clear()
        getattr(normal, field).update({k.strip(): v.strip() for k, v in getattr(stored, field).items()})
    out.append({
        "name": case["name"],
        "equal": spec == normal,
        "stripped": normal != stored,
        "snippet": MessageToDict(spec),
        "stored": MessageToDict(stored),
    })
print(json.dumps(out))
"#;

fn cases() -> Vec<PermissionSpec> {
    let base = |name: &str, policy: Policy| PermissionSpec {
        name: name.into(),
        types: vec![],
        name_patterns: vec![],
        required_tags: BTreeMap::new(),
        actions: vec![Action::Describe],
        policy,
        tags: BTreeMap::new(),
    };
    let roles = |r: &[&str]| Policy::RoleBased {
        roles: r.iter().map(|s| s.to_string()).collect(),
    };
    let hostile = [
        "quote\"and'apostrophe",
        "back\\slash\\n-not-a-newline",
        "line\nbreak\r\ttab",
        "\"\"\"triple''' {braces} %s",
        "équipe-データ-🚀",
        "bidi\u{202e}txt\u{200b}zero\u{2028}sep\u{feff}bom",
        // U+0085 is space to Python's strip: Feast's constructor drops it at the end.
        "nul\u{0}bell\u{7}del\u{7f}c1\u{85}",
        "\")\nimport os\nos.system('echo pwned')\n#",
    ];
    let mut out = vec![
        PermissionSpec {
            types: vec![ResourceType::FeatureView, ResourceType::Entity],
            name_patterns: vec!["driver.*".into(), "(?i)CARD_.*".into()],
            required_tags: BTreeMap::from([("team".to_string(), "ranking".to_string())]),
            actions: vec![Action::Describe, Action::ReadOnline, Action::ReadOffline],
            tags: BTreeMap::from([("owner".to_string(), "console".to_string())]),
            ..base("role_based", roles(&["reader", "ops"]))
        },
        PermissionSpec {
            actions: Action::ALL.to_vec(),
            types: ResourceType::ALL.to_vec(),
            ..base(
                "group_based_all_actions",
                Policy::GroupBased {
                    groups: (0..12).map(|i| format!("/org/group-number-{i}")).collect(),
                },
            )
        },
        PermissionSpec {
            actions: vec![Action::ReadOffline, Action::ReadOnline],
            ..base(
                "namespace_read",
                Policy::NamespaceBased {
                    namespaces: vec!["team-b".into()],
                },
            )
        },
        PermissionSpec {
            actions: vec![Action::WriteOffline, Action::WriteOnline],
            types: vec![ResourceType::Project, ResourceType::LabelView],
            ..base(
                "combined_write",
                Policy::CombinedGroupNamespace {
                    groups: vec!["/team-a".into()],
                    namespaces: vec!["team-b".into(), "team-c".into()],
                },
            )
        },
        PermissionSpec {
            actions: vec![
                Action::Create,
                Action::Describe,
                Action::Update,
                Action::Delete,
            ],
            types: vec![
                ResourceType::ValidationReference,
                ResourceType::SavedDataset,
                ResourceType::DataSource,
            ],
            ..base("crud_sources", roles(&["editor"]))
        },
        PermissionSpec {
            // Not an alias: Feast keeps the order given.
            actions: vec![Action::WriteOnline, Action::Delete, Action::Create],
            types: vec![
                ResourceType::StreamFeatureView,
                ResourceType::BatchFeatureView,
                ResourceType::OnDemandFeatureView,
                ResourceType::FeatureService,
                ResourceType::Permission,
            ],
            ..base("odd_order", roles(&[]))
        },
        base("allow_all", Policy::AllowAll),
    ];
    for (i, h) in hostile.iter().enumerate() {
        out.push(PermissionSpec {
            name_patterns: vec![h.to_string()],
            required_tags: BTreeMap::from([(h.to_string(), h.to_string())]),
            tags: BTreeMap::from([(format!("k{i}"), h.to_string())]),
            ..base(&format!("hostile {i} {h}"), roles(&[h]))
        });
    }
    out
}

#[tokio::test]
async fn the_python_snippet_gives_feast_the_permission_the_console_stored() {
    let py = feast_python();
    let path = sqlite_copy("snippet").await;
    let source = RegistrySource {
        name: "test".into(),
        kind: SourceKind::Sqlite(path.clone()),
        token: None,
    };
    let writer = PermissionWriter::open(&source)
        .await
        .expect("open registry");
    let db = console_db().await;
    let project = "driver_ranking";
    let mut checks = Vec::new();
    for spec in cases() {
        store::save(&writer, &db, &save(project, None, ABSENT, spec.clone()))
            .await
            .unwrap_or_else(|e| panic!("console save of {:?}: {e}", spec.name));
        let snippet = python_snippet(&spec);
        // Each snippet binds its own variable (else the repository would hold one of them).
        assert!(!checks
            .iter()
            .any(|c: &Value| c["variable"] == variable_name(&spec.name)));
        checks.push(
            json!({ "name": spec.name, "snippet": snippet, "variable": variable_name(&spec.name) }),
        );
    }
    let args = path.with_file_name("snippets.json");
    std::fs::write(
        &args,
        serde_json::to_vec(&json!({ "registry": path, "project": project, "cases": checks }))
            .unwrap(),
    )
    .unwrap();
    let text = python(&py, SNIPPET_CHECK, &[args.to_str().unwrap()]);
    let results: Vec<Value> = serde_json::from_str(text.trim()).expect("json from python");
    assert_eq!(results.len(), checks.len());
    // The snippet warns exactly when Feast's constructor changes what was stored.
    for (r, c) in results.iter().zip(&checks) {
        let warns = c["snippet"].as_str().unwrap().contains("# Feast strips");
        assert_eq!(r["stripped"] == true, warns, "{}", c["snippet"]);
    }
    let wrong: Vec<&Value> = results.iter().filter(|r| r["equal"] != true).collect();
    assert!(
        wrong.is_empty(),
        "{} snippet(s) differ from what the console stored:\n{}",
        wrong.len(),
        serde_json::to_string_pretty(&wrong).unwrap()
    );
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}
