//! Permission editing against real Feast: what the console creates, edits and deletes in a
//! SQL registry (SQLite copy of the demo registry; PostgreSQL registry created by Feast's own
//! SqlRegistry) is read back identically by the Feast SDK and `feast permissions list`; the
//! project's feast_metadata timestamp moves as Feast moves it; every save leaves an audit
//! record. Needs the Feast venv (scripts/feast-venv.sh); the tests fail without it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use app::backend::BackendError;
use app::permissions::api::{AuditFilter, SaveRequest};
use app::permissions::audit_state::AuditState;
use app::permissions::{Action, PermissionSpec, Policy, ResourceType};
use serde_json::{json, Value};
use server::db::ConsoleDb;
use server::permissions::{audit, store};
use server::registry::write::{PermissionWriter, ABSENT};
use server::registry::{RegistrySource, SourceKind};

use crate::common;
use crate::registry::fixtures::feast_python;

pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A scratch copy of the demo registry (never the committed file itself). Its `managed_infra`
/// rows are dropped: Feast's SqlRegistry opens every online-store file they name (paths into
/// target/feast-fixtures), which would fail or write outside the scratch folder.
pub async fn sqlite_copy(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "fc-perm-edit-{tag}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let to = dir.join("registry.sqlite");
    std::fs::copy(
        workspace().join("server/demo/registry/registry.sqlite"),
        &to,
    )
    .unwrap();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", to.display()))
        .await
        .unwrap();
    sqlx::query("DELETE FROM managed_infra")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    to
}

const READ_BACK: &str = r#"
import json, sys
from google.protobuf.json_format import MessageToDict
from feast.infra.registry.sql import SqlRegistry, SqlRegistryConfig

from feast.protos.feast.core.Permission_pb2 import PermissionSpec as P
url, project = sys.argv[1], sys.argv[2]
if url.startswith("file:"):
    from feast.infra.registry.registry import Registry
    from feast.repo_config import RegistryConfig
    reg = Registry(project, RegistryConfig(path=url[5:], cache_ttl_seconds=0), None)
    assert [e.name for e in reg.list_entities(project, allow_cache=False)] == ["driver"]
else:
    reg = SqlRegistry(SqlRegistryConfig(registry_type="sql", path=url, cache_ttl_seconds=0), project, None)
out = []
for p in reg.list_permissions(project, allow_cache=False):
    spec = p.to_proto().spec
    out.append({
        "name": spec.name,
        "types": [P.Type.Name(t) for t in spec.types],
        "name_patterns": list(spec.name_patterns),
        "required_tags": dict(spec.required_tags),
        "actions": [P.AuthzedAction.Name(a) for a in spec.actions],
        "policy": MessageToDict(spec.policy),
        "tags": dict(spec.tags),
        "created": p.created_timestamp.isoformat() if p.created_timestamp else None,
    })
print(json.dumps(out))
"#;

const MAKE_FILE_REGISTRY: &str = r#"
import sys
from feast import Entity
from feast.project import Project
from feast.infra.registry.registry import Registry
from feast.repo_config import RegistryConfig
path, project = sys.argv[1], sys.argv[2]
reg = Registry(project, RegistryConfig(path=path, cache_ttl_seconds=0), None)
reg.apply_project(Project(name=project, description="console editing test"), commit=False)
reg.apply_entity(Entity(name="driver", join_keys=["driver_id"]), project, commit=True)
print("ok")
"#;

const MAKE_PG_REGISTRY: &str = r#"
import sys
from feast import Entity
from feast.project import Project
from feast.infra.registry.sql import SqlRegistry, SqlRegistryConfig

url, project = sys.argv[1], sys.argv[2]
reg = SqlRegistry(SqlRegistryConfig(registry_type="sql", path=url, cache_ttl_seconds=0), project, None)
reg.apply_project(Project(name=project, description="console editing test"))
reg.apply_entity(Entity(name="driver", join_keys=["driver_id"]), project)
print("ok")
"#;

pub fn python(python: &Path, script: &str, args: &[&str]) -> String {
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What Feast should print for `spec` (the same shape READ_BACK prints).
pub(crate) fn expected(spec: &PermissionSpec) -> Value {
    let policy = match &spec.policy {
        Policy::RoleBased { roles } => json!({"roleBasedPolicy": {"roles": roles}}),
        Policy::GroupBased { groups } => json!({"groupBasedPolicy": {"groups": groups}}),
        Policy::NamespaceBased { namespaces } => {
            json!({"namespaceBasedPolicy": {"namespaces": namespaces}})
        }
        Policy::CombinedGroupNamespace { groups, namespaces } => {
            json!({"combinedGroupNamespacePolicy": {"groups": groups, "namespaces": namespaces}})
        }
        Policy::AllowAll => json!({}),
    };
    json!({
        "name": spec.name,
        "types": spec.types.iter().map(|t| t.name()).collect::<Vec<_>>(),
        "name_patterns": spec.name_patterns,
        "required_tags": spec.required_tags,
        "actions": spec.actions.iter().map(|a| a.name()).collect::<Vec<_>>(),
        "policy": policy,
        "tags": spec.tags,
    })
}

pub(crate) fn feast_view(py: &Path, url: &str, project: &str, name: &str) -> Option<Value> {
    let text = python(py, READ_BACK, &[url, project]);
    let list: Vec<Value> = serde_json::from_str(text.trim()).expect("json from python");
    list.into_iter().find(|p| p["name"] == name).map(|mut p| {
        p.as_object_mut().unwrap().remove("created");
        p
    })
}

pub fn spec(name: &str) -> PermissionSpec {
    PermissionSpec {
        name: name.into(),
        types: vec![ResourceType::FeatureView, ResourceType::Entity],
        name_patterns: vec!["driver.*".into(), "(?i)CARD_.*".into()],
        required_tags: BTreeMap::from([("team".to_string(), "ranking".to_string())]),
        actions: vec![Action::Describe, Action::ReadOnline, Action::ReadOffline],
        policy: Policy::RoleBased {
            roles: vec!["console-test-reader".into()],
        },
        tags: BTreeMap::from([("owner".to_string(), "console".to_string())]),
    }
}

pub async fn console_db() -> ConsoleDb {
    let url = common::fresh_database_url(common::Backend::Sqlite).await;
    ConsoleDb::open(&url, 5).await.expect("console db")
}

fn request(
    project: &str,
    original: Option<&str>,
    version: &str,
    spec: Option<PermissionSpec>,
) -> SaveRequest {
    SaveRequest {
        registry: "test".into(),
        project: project.into(),
        original_name: original.map(str::to_string),
        expected_version: version.into(),
        spec,
        actor: "ada-admin".into(),
        reason: "round trip test".into(),
    }
}

async fn metadata_timestamp(writer_url: &SourceKind, project: &str) -> i64 {
    let sql = "SELECT last_updated_timestamp FROM feast_metadata WHERE project_id = $1 AND metadata_key = 'last_updated_timestamp'";
    match writer_url {
        SourceKind::Sqlite(p) => {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", p.display()))
                .await
                .unwrap();
            sqlx::query_scalar(sql)
                .bind(project)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
        SourceKind::Postgres(u) => {
            let pool = sqlx::PgPool::connect(u).await.unwrap();
            sqlx::query_scalar(sql)
                .bind(project)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
        _ => unreachable!(),
    }
}

/// Create, edit (with a rename), delete; after each step Feast reads exactly what was saved.
async fn round_trip(py: &Path, source: RegistrySource, feast_url: &str, project: &str) {
    let writer = PermissionWriter::open(&source)
        .await
        .expect("open registry");
    let db = console_db().await;
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;

    let created = spec("console_created");
    let v1 = store::save(
        &writer,
        &db,
        &request(project, None, ABSENT, Some(created.clone())),
    )
    .await
    .expect("create");
    assert_eq!(
        feast_view(py, feast_url, project, "console_created"),
        Some(expected(&created))
    );
    // Feast's `_set_last_updated_metadata`: the project's timestamp is the save's.
    if !matches!(source.kind, SourceKind::File(_)) {
        assert!(metadata_timestamp(&source.kind, project).await >= started);
    }

    // The console reads back what it wrote, with the same version.
    let loaded = store::load(&writer, project, "console_created")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(loaded.spec, created);
    assert_eq!(loaded.version, v1);

    let mut edited = created.clone();
    edited.name = "console_edited".into();
    edited.types = vec![ResourceType::FeatureService];
    edited.actions = Action::ALL.to_vec();
    edited.name_patterns = vec![];
    edited.required_tags.clear();
    edited.policy = Policy::CombinedGroupNamespace {
        groups: vec!["/team-a".into()],
        namespaces: vec!["team-b".into()],
    };
    let v2 = store::save(
        &writer,
        &db,
        &request(project, Some("console_created"), &v1, Some(edited.clone())),
    )
    .await
    .expect("edit");
    assert_ne!(v1, v2);
    assert_eq!(feast_view(py, feast_url, project, "console_created"), None);
    assert_eq!(
        feast_view(py, feast_url, project, "console_edited"),
        Some(expected(&edited))
    );

    // A save based on the old version is refused and writes nothing.
    let stale = store::save(
        &writer,
        &db,
        &request(project, Some("console_edited"), &v1, Some(created.clone())),
    )
    .await;
    assert!(matches!(stale, Err(BackendError::Conflict(_))), "{stale:?}");
    assert_eq!(
        feast_view(py, feast_url, project, "console_edited"),
        Some(expected(&edited))
    );

    store::save(
        &writer,
        &db,
        &request(project, Some("console_edited"), &v2, None),
    )
    .await
    .expect("delete");
    assert_eq!(feast_view(py, feast_url, project, "console_edited"), None);

    // The stale save is recorded as failed; the others as committed.
    let (records, failed): (Vec<_>, Vec<_>) = audit::list(&db, &AuditFilter::default())
        .await
        .unwrap()
        .into_iter()
        .partition(|r| r.state == AuditState::Committed);
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert_eq!(failed[0].state, AuditState::Failed);
    assert_eq!(failed[0].before_version, v1);
    let ops: Vec<(&str, &str)> = records
        .iter()
        .map(|r| (r.operation.as_str(), r.permission.as_str()))
        .collect();
    assert_eq!(
        ops,
        vec![
            ("delete", "console_edited"),
            ("update", "console_edited"),
            ("create", "console_created")
        ]
    );
    assert_eq!(records[1].before.as_ref(), Some(&created));
    assert_eq!(records[1].after.as_ref(), Some(&edited));
    assert_eq!(records[0].after, None);
    assert!(records
        .iter()
        .all(|r| r.actor == "ada-admin" && r.reason == "round trip test"));
}

#[tokio::test]
async fn round_trip_on_a_sqlite_registry() {
    let py = feast_python();
    let path = sqlite_copy("rt").await;
    let source = RegistrySource {
        name: "test".into(),
        kind: SourceKind::Sqlite(path.clone()),
        token: None,
    };
    round_trip(
        &py,
        source,
        &format!("sqlite:///{}", path.display()),
        "driver_ranking",
    )
    .await;

    // `feast permissions list` in a repo pointing at the same registry sees a console save.
    let writer = PermissionWriter::open(&RegistrySource {
        name: "test".into(),
        kind: SourceKind::Sqlite(path.clone()),
        token: None,
    })
    .await
    .unwrap();
    let db = console_db().await;
    store::save(
        &writer,
        &db,
        &request(
            "driver_ranking",
            None,
            ABSENT,
            Some(spec("console_cli_check")),
        ),
    )
    .await
    .unwrap();
    let repo = path.parent().unwrap().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(
        repo.join("feature_store.yaml"),
        format!(
            "project: driver_ranking\nprovider: local\nregistry:\n  registry_type: sql\n  path: sqlite:///{}\n  cache_ttl_seconds: 0\nonline_store:\n  type: sqlite\n  path: {}\nentity_key_serialization_version: 3\n",
            path.display(),
            repo.join("online.db").display()
        ),
    )
    .unwrap();
    let feast = py.parent().unwrap().join("feast");
    let out = Command::new(&feast)
        .args(["-c", repo.to_str().unwrap(), "permissions", "list"])
        .output()
        .expect("feast permissions list");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("console_cli_check"), "{stdout}");
    assert!(
        stdout.contains("ranking_readers"),
        "existing permissions still listed: {stdout}"
    );
}

#[tokio::test]
async fn round_trip_on_a_postgres_registry() {
    let py = feast_python();
    let url = common::fresh_database_url(common::Backend::Postgres).await;
    let feast_url = url.replacen("postgres://", "postgresql+psycopg://", 1);
    python(&py, MAKE_PG_REGISTRY, &[&feast_url, "edits"]);
    let source = RegistrySource {
        name: "test".into(),
        kind: SourceKind::Postgres(url.clone()),
        token: None,
    };
    round_trip(&py, source, &feast_url, "edits").await;
}

#[tokio::test]
async fn round_trip_on_a_file_registry() {
    let py = feast_python();
    let dir = sqlite_copy("file").await.parent().unwrap().to_path_buf();
    let path = dir.join("registry.db");
    python(&py, MAKE_FILE_REGISTRY, &[path.to_str().unwrap(), "edits"]);
    let source = RegistrySource {
        name: "test".into(),
        kind: SourceKind::File(path.clone()),
        token: None,
    };
    round_trip(&py, source, &format!("file:{}", path.display()), "edits").await;
    // The rewrite was atomic: no temporary file is left behind.
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn rest_registries_need_the_users_token() {
    // A REST registry is only written with the signed-in admin's own token (see
    // permissions_rest_write.rs); without one the answer says so and nothing is sent.
    let source = RegistrySource {
        name: "x".into(),
        kind: SourceKind::Rest("http://127.0.0.1:1/api/v1".into()),
        token: None,
    };
    let writer = PermissionWriter::open(&source).await.expect("opened");
    let err = writer.read("p", "n").await.err().expect("refused");
    assert!(err.to_string().contains("access token"), "{err}");
    let err = writer
        .put("p", None, ABSENT, store::to_proto(&spec("x")))
        .await
        .err()
        .expect("refused");
    assert!(err.to_string().contains("access token"), "{err}");
}
