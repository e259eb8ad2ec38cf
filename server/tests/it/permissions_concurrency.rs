//! 50 concurrent conflicting edits of one permission, in rounds: in each round exactly one
//! edit (all based on the same version) wins, every other one is told it conflicted, and
//! nothing is lost: the stored permission is the last winner's, and the audit log has one
//! record per win. SQLite (copy of the demo registry) and PostgreSQL (same registry rows
//! copied into a fresh database).

use std::sync::Arc;

use app::backend::BackendError;
use app::permissions::api::{AuditFilter, SaveRequest};
use app::permissions::audit_state::AuditState;
use app::permissions::Policy;
use server::db::ConsoleDb;
use server::permissions::{audit, store};
use server::registry::write::{PermissionWriter, ABSENT};
use server::registry::{RegistrySource, SourceKind};

use crate::common;
use crate::permissions_editing::{console_db, spec, sqlite_copy};

const WRITERS: usize = 50;
const ROUNDS: usize = 3;

async fn contend(source: RegistrySource, project: &str) {
    let db: ConsoleDb = console_db().await;
    let writer = PermissionWriter::open(&source)
        .await
        .expect("open registry");
    let base = spec("contended");
    let save = |original: Option<&str>, version: &str, n: usize| SaveRequest {
        registry: "test".into(),
        project: project.into(),
        original_name: original.map(str::to_string),
        expected_version: version.into(),
        spec: Some({
            let mut s = base.clone();
            s.policy = Policy::RoleBased {
                roles: vec![format!("writer-{n}")],
            };
            s
        }),
        actor: format!("admin-{n}"),
        reason: format!("edit {n}"),
    };
    let mut version = store::save(&writer, &db, &save(None, ABSENT, 0))
        .await
        .expect("create");
    let mut wins = 1;
    for round in 0..ROUNDS {
        let writer = Arc::new(writer.clone());
        let tasks: Vec<_> = (1..=WRITERS)
            .map(|i| {
                let n = round * 1000 + i;
                let (writer, db, req) = (
                    writer.clone(),
                    db.clone(),
                    save(Some("contended"), &version, n),
                );
                tokio::spawn(async move { (n, store::save(&writer, &db, &req).await) })
            })
            .collect();
        let mut winners = Vec::new();
        let mut conflicts = 0;
        for t in tasks {
            match t.await.unwrap() {
                (n, Ok(v)) => winners.push((n, v)),
                (_, Err(BackendError::Conflict(m))) => {
                    assert!(m.contains("nothing was written"), "{m}");
                    conflicts += 1;
                }
                (_, Err(e)) => panic!("round {round}: unexpected error {e:?}"),
            }
        }
        assert_eq!(
            winners.len(),
            1,
            "round {round}: exactly one winner, got {winners:?}"
        );
        assert_eq!(conflicts, WRITERS - 1, "round {round}: every loser told");
        let (n, v) = winners.pop().unwrap();
        let stored = store::load(&writer, project, "contended")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.version, v);
        assert_eq!(
            stored.spec.policy,
            Policy::RoleBased {
                roles: vec![format!("writer-{n}")]
            },
            "the winner's edit is what is stored"
        );
        version = v;
        wins += 1;
    }
    let all = audit::list(&db, &AuditFilter::default()).await.unwrap();
    let (records, lost): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|r| r.state == AuditState::Committed);
    assert_eq!(
        records.len(),
        wins,
        "one committed audit record per win, none for a loser"
    );
    assert_eq!(lost.len(), ROUNDS * (WRITERS - 1), "a failed one per loser");
    assert!(lost.iter().all(|r| r.state == AuditState::Failed));
    // Each record's before-version is the previous record's after-version: no lost update.
    let mut chain: Vec<_> = records.iter().rev().collect();
    let first = chain.remove(0);
    let mut previous = first.after_version.clone();
    for r in chain {
        assert_eq!(r.before_version, previous);
        previous = r.after_version.clone();
    }
}

#[tokio::test]
async fn fifty_concurrent_edits_on_sqlite() {
    let path = sqlite_copy("race").await;
    contend(
        RegistrySource {
            name: "test".into(),
            kind: SourceKind::Sqlite(path),
            token: None,
        },
        "driver_ranking",
    )
    .await;
}

#[tokio::test]
async fn fifty_concurrent_edits_on_postgres() {
    let url = common::fresh_database_url(common::Backend::Postgres).await;
    // Feast's tables, as Feast creates them (see SQL_REGISTRY_SCHEMA.md); only the ones a
    // permission save touches.
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    for sql in [
        "CREATE TABLE projects (project_id VARCHAR(255) PRIMARY KEY, project_name VARCHAR(255) NOT NULL, last_updated_timestamp BIGINT NOT NULL, project_proto BYTEA NOT NULL)",
        "CREATE TABLE permissions (permission_name VARCHAR(255) NOT NULL, project_id VARCHAR(255) NOT NULL, last_updated_timestamp BIGINT NOT NULL, permission_proto BYTEA NOT NULL, PRIMARY KEY (permission_name, project_id))",
        "CREATE TABLE feast_metadata (project_id VARCHAR(255) NOT NULL, metadata_key VARCHAR(50) NOT NULL, metadata_value TEXT NOT NULL, last_updated_timestamp BIGINT NOT NULL, PRIMARY KEY (project_id, metadata_key))",
        "INSERT INTO projects VALUES ('race', 'race', 0, '\\x0a060a0472616365'::bytea)",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    contend(
        RegistrySource {
            name: "test".into(),
            kind: SourceKind::Postgres(url),
            token: None,
        },
        "race",
    )
    .await;
}

#[tokio::test]
async fn fifty_concurrent_edits_on_a_file_registry() {
    let dir = sqlite_copy("race-file")
        .await
        .parent()
        .unwrap()
        .to_path_buf();
    let path = dir.join("registry.db");
    // A `feast.core.Registry` holding one project, `race` (field 17: Project{spec{name}}).
    let mut bytes = vec![0x8a, 0x01, 0x08, 0x0a, 0x06, 0x0a, 0x04];
    bytes.extend_from_slice(b"race");
    std::fs::write(&path, bytes).unwrap();
    contend(
        RegistrySource {
            name: "test".into(),
            kind: SourceKind::File(path),
            token: None,
        },
        "race",
    )
    .await;
}
