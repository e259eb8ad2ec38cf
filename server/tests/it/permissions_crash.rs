//! Permission saves against real `feast-console serve` processes:
//! - the console killed with SIGKILL during 50 saves, then started again: after start-up
//!   reconciliation every change in the registry has a committed audit record, and no change
//!   that is not there has one (SQLite registry, SQLite console database);
//! - two console processes saving many changes to one file registry (`registry.db`) at once:
//!   no update is lost and the file always decodes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use app::permissions::api::AuditFilter;
use app::permissions::audit_state::AuditState;
use leptos::server_fn::ServerFn;
use server::db::ConsoleDb;
use server::permissions::audit;
use server::registry::write::PermissionWriter;
use server::registry::{RegistrySource, SourceKind};

use crate::auth_support::provider::free_port;
use crate::common::{self, Backend};
use crate::permissions_editing::sqlite_copy;
use crate::permissions_pages::CREATE;

const PROJECT: &str = "driver_ranking";

/// One `feast-console serve` process (development mode: every request is an admin).
struct Console {
    child: Child,
    base: String,
    http: reqwest::Client,
}

impl Console {
    fn start(registry: &str, database_url: &str) -> Console {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let port = free_port();
        let data = std::env::temp_dir().join(format!("fc-crash-{}-{port}", std::process::id()));
        let child = Command::new(env!("CARGO_BIN_EXE_feast-console"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--registry", registry])
            .arg("--data-dir")
            .arg(&data)
            .env_remove("FEAST_CONSOLE_CONFIG")
            .env("FEAST_CONSOLE_DATABASE_URL", database_url)
            .env("FEAST_CONSOLE_LEADER_LEASE_SECONDS", "2")
            .env("FEAST_CONSOLE_LOG_LEVEL", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start feast-console");
        Console {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
        }
    }

    async fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let ready = self.http.get(format!("{}/readyz", self.base)).send().await;
            if ready.is_ok_and(|r| r.status() == 200) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the console at {} never became ready", self.base);
    }

    /// Creates permission `name` in `registry` through the editor's server function; the answer's body, or
    /// the transport error when the answer never came.
    fn save(
        &self,
        registry: &str,
        name: &str,
    ) -> impl std::future::Future<Output = Result<String, String>> {
        let request = self
            .http
            .post(format!(
                "{}{}",
                self.base,
                app::permissions::api::PermissionEditorSubmit::PATH
            ))
            .header("origin", &self.base)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(
                CREATE
                    .replace("registry%5D=demo", &format!("registry%5D={registry}"))
                    .replace("http_created", name),
            );
        async move {
            let r = request.send().await.map_err(|e| e.to_string())?;
            r.text().await.map_err(|e| e.to_string())
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        self.kill();
    }
}

fn saved(answer: &Result<String, String>, name: &str) -> bool {
    answer
        .as_ref()
        .is_ok_and(|body| body.contains(&format!("Saved `{name}`")))
}

async fn stored(writer: &PermissionWriter, name: &str) -> bool {
    writer
        .read(PROJECT, name)
        .await
        .expect("read the registry")
        .is_some()
}

/// Takes SQLite's write lock on the database at `path` (as another writer would hold it), so
/// writes there wait until the returned connection rolls back.
pub(crate) async fn hold_write_lock(path: &Path) -> sqlx::SqliteConnection {
    use sqlx::Connection;
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut c)
        .await
        .unwrap();
    c
}

pub(crate) async fn release(mut c: sqlx::SqliteConnection) {
    use sqlx::Connection;
    sqlx::query("ROLLBACK").execute(&mut c).await.unwrap();
    c.close().await.unwrap();
}

async fn pending_count(db: &ConsoleDb) -> usize {
    audit::list(db, &AuditFilter::default())
        .await
        .unwrap()
        .iter()
        .filter(|r| r.state == AuditState::Pending)
        .count()
}

/// Waits until `check` holds, or fails naming `what`.
async fn until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    while !check().await {
        assert!(Instant::now() < deadline, "{what}: not within 60 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn writer_of(path: &Path) -> impl std::future::Future<Output = PermissionWriter> + '_ {
    async move {
        PermissionWriter::open(&RegistrySource {
            name: "demo".into(),
            kind: SourceKind::Sqlite(path.to_path_buf()),
            token: None,
        })
        .await
        .unwrap()
    }
}

/// 50 saves: 20 run to the end; then the console is killed with 15 of them waiting for the
/// registry (their change not made) and 15 whose change is in the registry but whose record
/// is not yet settled (the console database is held). The kill lands in both windows every
/// time, without depending on timing.
#[tokio::test]
async fn a_console_killed_during_50_saves_loses_no_audit_record() {
    const DONE: usize = 20;
    const WAITING: usize = 15;
    const WRITTEN: usize = 15;
    let demo = sqlite_copy("crash").await;
    let other = sqlite_copy("crash-other").await;
    let sources = format!(
        "demo=sqlite:///{},other=sqlite:///{}",
        demo.display(),
        other.display()
    );
    let db_url = common::fresh_database_url(Backend::Sqlite).await;
    let console_db = PathBuf::from(db_url.trim_start_matches("sqlite://"));
    let mut console = Console::start(&sources, &db_url);
    console.wait_ready().await;
    let db = ConsoleDb::open(&db_url, 2).await.unwrap();

    let mut answers = BTreeMap::new();
    for i in 0..DONE {
        let name = format!("crash_{i:02}");
        answers.insert(name.clone(), console.save("demo", &name).await);
    }
    // The rest at once, both registries held: each writes its pending record and waits.
    let (demo_lock, other_lock) = (hold_write_lock(&demo).await, hold_write_lock(&other).await);
    let mut in_flight = Vec::new();
    for i in DONE..DONE + WAITING + WRITTEN {
        let registry = if i < DONE + WAITING { "other" } else { "demo" };
        let name = format!("crash_{i:02}");
        let save = console.save(registry, &name);
        in_flight.push(tokio::spawn(async move { (name, save.await) }));
    }
    until("every save's pending record", || async {
        pending_count(&db).await == WAITING + WRITTEN
    })
    .await;
    // Hold the console database, let the demo registry go: those changes are made, and their
    // records cannot be settled.
    let db_lock = hold_write_lock(&console_db).await;
    release(demo_lock).await;
    let demo_writer = writer_of(&demo).await;
    until("the demo registry holds every change", || async {
        let mut all = true;
        for i in DONE + WAITING..DONE + WAITING + WRITTEN {
            all &= stored(&demo_writer, &format!("crash_{i:02}")).await;
        }
        all
    })
    .await;
    console.kill();
    release(db_lock).await;
    release(other_lock).await;
    for t in in_flight {
        let (name, answer) = t.await.unwrap();
        answers.insert(name, answer);
    }
    let left_pending = pending_count(&db).await;

    // Started again, it reconciles what the killed process left pending.
    let restarted = Console::start(&sources, &db_url);
    restarted.wait_ready().await;
    until("no record pending", || async {
        pending_count(&db).await == 0
    })
    .await;
    let records = audit::list(&db, &AuditFilter::default()).await.unwrap();

    let other_writer = writer_of(&other).await;
    let mut in_registry = 0;
    for (name, answer) in &answers {
        let mine: Vec<_> = records.iter().filter(|r| &r.permission == name).collect();
        let committed = mine
            .iter()
            .filter(|r| r.state == AuditState::Committed)
            .count();
        let there = stored(&demo_writer, name).await || stored(&other_writer, name).await;
        in_registry += usize::from(there);
        assert_eq!(
            committed,
            usize::from(there),
            "{name}: in the registry: {there}; its records: {mine:#?}"
        );
        if saved(answer, name) {
            assert!(
                there,
                "{name} was answered saved but is not in the registry"
            );
        }
    }
    let count = |s: AuditState| records.iter().filter(|r| r.state == s).count();
    let reconciled = records
        .iter()
        .filter(|r| r.detail.contains("reconciled by console process"))
        .count();
    let answered = answers.iter().filter(|(n, a)| saved(a, n)).count();
    println!(
        "kill -9 during {} saves: answered saved {answered}, in the registry {in_registry}; \
         audit records: committed {}, failed {}, unknown {}, left pending by the killed process {left_pending}, \
         reconciled at start-up {reconciled}",
        answers.len(),
        count(AuditState::Committed),
        count(AuditState::Failed),
        count(AuditState::Unknown),
    );
    assert_eq!(answers.len(), 50);
    assert_eq!(answered, DONE);
    assert_eq!(
        left_pending,
        WAITING + WRITTEN,
        "the kill landed in both windows"
    );
    assert_eq!(reconciled, left_pending);
    assert_eq!(count(AuditState::Committed), DONE + WRITTEN);
    assert_eq!(count(AuditState::Failed), WAITING);
    assert_eq!(count(AuditState::Unknown), 0);
}

/// A scratch copy of the demo file registry (`registry.db`).
fn file_copy(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "fc-file-lock-{tag}-{}-{}",
        std::process::id(),
        free_port()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let to = dir.join("registry.db");
    std::fs::copy(crate::registry::fixtures::demo_file(), &to).unwrap();
    to
}

/// Whether the file is a whole registry: every top-level field parses.
fn decodes(path: &Path) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    server::registry::write_file::read(&bytes, PROJECT, "none")
        .map(drop)
        .map_err(|e| e.to_string())
}

const PER_CONSOLE: usize = 25;

#[tokio::test]
async fn two_console_processes_saving_to_one_file_registry_lose_no_update() {
    let path = file_copy("two");
    let source = format!("demo={}", path.display());
    let one = Console::start(&source, &common::fresh_database_url(Backend::Sqlite).await);
    let two = Console::start(&source, &common::fresh_database_url(Backend::Sqlite).await);
    one.wait_ready().await;
    two.wait_ready().await;

    // A reader checks the file all along: it is always a whole registry.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (done, path) = (done.clone(), path.clone());
        tokio::task::spawn_blocking(move || {
            let mut reads = 0u32;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                decodes(&path).map_err(|e| format!("after {reads} reads: {e}"))?;
                reads += 1;
            }
            Ok::<u32, String>(reads)
        })
    };
    let mut saves = Vec::new();
    for i in 0..PER_CONSOLE {
        for (console, tag) in [(&one, "one"), (&two, "two")] {
            let name = format!("lock_{tag}_{i:02}");
            let save = console.save("demo", &name);
            saves.push(tokio::spawn(async move { (name.clone(), save.await) }));
        }
    }
    for s in saves {
        let (name, answer) = s.await.unwrap();
        assert!(saved(&answer, &name), "{name}: {answer:?}");
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let reads = reader.await.unwrap().expect("the file always decodes");

    let writer = PermissionWriter::open(&RegistrySource {
        name: "demo".into(),
        kind: SourceKind::File(path.clone()),
        token: None,
    })
    .await
    .unwrap();
    let mut lost = Vec::new();
    for i in 0..PER_CONSOLE {
        for tag in ["one", "two"] {
            let name = format!("lock_{tag}_{i:02}");
            if !stored(&writer, &name).await {
                lost.push(name);
            }
        }
    }
    assert!(lost.is_empty(), "updates lost: {lost:?}");
    let left: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
    println!(
        "two processes, {} saves to one registry.db: none lost; the file decoded on all {reads} reads meanwhile",
        2 * PER_CONSOLE
    );
}
