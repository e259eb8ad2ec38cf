//! Test support for registry history: a feature repository that real Feast 0.67 applies to a
//! SQLite, file or PostgreSQL registry, or to a SQLite registry the console reads through
//! Feast's REST registry server, and a "console" (registry handle, reader, recorder) that
//! reads it and records its history, as the `history_record` task does.

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::Arc,
    time::{Duration, Instant},
};

use app::history::model::{HistoryEntry, HistoryFilter};
use server::db::ConsoleDb;
use server::history::recorder::{Recorded, Recorder};
use server::history::store;
use server::registry::refresher::RegistryHandle;
use server::registry::source::parse_entry;
use server::registry::{Reader, RegistrySource};

use crate::auth_support::provider;
use crate::common;
use crate::registry::fixtures;
use crate::registry_user_token::{start_feast, FeastServer};

/// The registry kinds the console reads: three that `feast apply` writes and the console
/// reads directly, and Feast's REST registry server (`feast serve_registry --rest-api`, no
/// auth) in front of a SQLite registry.
#[derive(Clone, Copy, Debug)]
pub enum RegistryKind {
    Sqlite,
    File,
    Postgres,
    Rest,
}

/// A feature repository of project `shop` in a temp folder, with its registry.
pub struct FeastRepo {
    pub dir: PathBuf,
    /// The console's registry entry (`shop=...`).
    pub entry: String,
    python: PathBuf,
    /// Feast's registry server and its API's base URL, for [`RegistryKind::Rest`].
    server: Option<(FeastServer, String)>,
}

fn scratch(tag: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("fc-hist-{}-{tag}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

impl FeastRepo {
    pub async fn new(kind: RegistryKind) -> FeastRepo {
        let python = fixtures::feast_python();
        let dir = scratch("repo");
        let (yaml_registry, entry) = match kind {
            RegistryKind::Sqlite | RegistryKind::Rest => {
                let url = format!("sqlite:///{}", dir.join("registry.sqlite").display());
                (format!("  registry_type: sql\n  path: {url}\n"), url)
            }
            RegistryKind::File => {
                let path = dir.join("registry.db");
                (
                    format!("  registry_type: file\n  path: {}\n", path.display()),
                    format!("file://{}", path.display()),
                )
            }
            RegistryKind::Postgres => {
                let db = common::fresh_database_url(common::Backend::Postgres).await;
                let url = db.replacen("postgres://", "postgresql+psycopg://", 1);
                (format!("  registry_type: sql\n  path: {url}\n"), url)
            }
        };
        let yaml = format!(
            "project: shop\nprovider: local\nregistry:\n{yaml_registry}  cache_ttl_seconds: 0\n\
             online_store:\n  type: sqlite\n  path: {}\noffline_store:\n  type: file\n\
             entity_key_serialization_version: 3\nauth:\n  type: no_auth\n",
            dir.join("online.db").display()
        );
        std::fs::write(dir.join("feature_store.yaml"), yaml).expect("feature_store.yaml");
        let server = match kind {
            RegistryKind::Rest => {
                let port = provider::free_port();
                let server = start_feast(&python, &dir, port);
                let api = format!("http://127.0.0.1:{port}/api/v1");
                answering(&api).await;
                Some((server, api))
            }
            _ => None,
        };
        let entry = server.as_ref().map_or(entry, |(_, api)| api.clone());
        FeastRepo {
            dir,
            entry: format!("shop={entry}"),
            python,
            server,
        }
    }

    /// Writes `definitions` as the repository's only Python file and runs `feast apply`; a
    /// registry server is then told to reload (its cache never expires with a TTL of 0, as
    /// after a deployment's apply job one would call the same endpoint or wait for its TTL).
    pub async fn apply(&self, definitions: &str) {
        std::fs::write(self.dir.join("definitions.py"), definitions).expect("definitions.py");
        let feast = self.python.with_file_name("feast");
        let out = Command::new(&feast)
            .arg("-c")
            .arg(&self.dir)
            .arg("apply")
            .current_dir(&self.dir)
            .output()
            .unwrap_or_else(|e| common::missing("feast", e, "run scripts/feast-venv.sh"));
        assert!(
            out.status.success(),
            "feast apply failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if let Some((_, api)) = &self.server {
            let reloaded = common::http_client()
                .post(format!("{api}/registry/refresh"))
                .send()
                .await
                .expect("registry server answers");
            assert!(reloaded.status().is_success(), "{}", reloaded.status());
        }
    }

    pub fn source(&self) -> RegistrySource {
        parse_entry(&self.entry, Path::new("/")).expect("registry entry parses")
    }
}

/// Waits until Feast's registry server at `api` lists projects (its start takes seconds).
async fn answering(api: &str) {
    let deadline = Instant::now() + Duration::from_secs(90);
    let client = common::http_client();
    loop {
        let answer = client.get(format!("{api}/projects")).send().await;
        match answer {
            Ok(r) if r.status().is_success() => return,
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(300)).await,
            other => panic!("Feast's registry server never answered: {other:?}"),
        }
    }
}

/// One console replica's view of the registry and its recorder.
pub struct Console {
    pub handle: Arc<RegistryHandle>,
    reader: Reader,
    recorder: Recorder,
}

impl Console {
    pub async fn start(db: &ConsoleDb, source: &RegistrySource, replica: &str) -> Console {
        Console {
            handle: Arc::new(RegistryHandle::new(source)),
            reader: Reader::open(source).await.expect("registry opens"),
            recorder: Recorder::new(db.clone(), replica),
        }
    }

    /// Reads the registry (as the refresher does) and records what changed.
    pub async fn look(&mut self) -> Recorded {
        self.refresh().await;
        self.record().await
    }

    pub async fn refresh(&mut self) {
        let outcome = self.reader.refresh().await;
        assert!(outcome.is_ok(), "registry read: {:?}", outcome.err());
        self.handle.record(outcome);
    }

    pub async fn record(&mut self) -> Recorded {
        self.recorder
            .record(&self.handle)
            .await
            .unwrap_or_else(|e| panic!("record: {}", app::backend::error_chain(&e)))
    }
}

/// Every recorded entry of `registry`, oldest first.
pub async fn all_entries(db: &ConsoleDb, registry: &str) -> Vec<HistoryEntry> {
    let mut out = Vec::new();
    let filter = HistoryFilter::registry(registry);
    let mut before = None;
    loop {
        let page = store::query(db, &filter, before, 1000)
            .await
            .expect("query");
        out.extend(page.entries);
        match page.next_before_id {
            Some(id) => before = Some(id),
            None => break,
        }
    }
    out.reverse();
    out
}

/// An entry as the tests compare it: change, kind, name and the changed paths.
pub fn summary(e: &HistoryEntry) -> String {
    let paths: Vec<&str> = e.change.fields.iter().map(|f| f.path.as_str()).collect();
    format!(
        "{} {} {} [{}]",
        e.change.change.as_str(),
        e.change.kind.as_str(),
        e.change.name,
        paths.join(", ")
    )
}
