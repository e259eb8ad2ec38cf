//! An open registry of any kind: dispatches to the SQL, file and REST readers.

use super::load_error::{LoadError, LoadProblem};
use super::snapshot::RegistrySnapshot;
use super::source::{RegistrySource, SourceKind};
use super::{file, rest, sql};

/// An open registry of any kind, remembering what it read last for cheap refreshes.
pub enum Reader {
    Sql(Box<sql::SqlReader>),
    File(file::FileReader),
    Rest(rest::RestReader),
}

impl Reader {
    pub async fn open(source: &RegistrySource) -> Result<Reader, LoadError> {
        let display = source.display();
        Ok(match &source.kind {
            SourceKind::Sqlite(path) => {
                Reader::Sql(Box::new(sql::SqlReader::open_sqlite(path, display).await?))
            }
            SourceKind::Postgres(url) => {
                Reader::Sql(Box::new(sql::SqlReader::open_postgres(url, display).await?))
            }
            SourceKind::File(path) => Reader::File(file::FileReader::new(path, display)),
            SourceKind::Rest(url) => {
                Reader::Rest(rest::RestReader::new(url, source.token.clone(), display)?)
            }
        })
    }

    /// A new snapshot when the registry changed since the previous call (always on the first).
    pub async fn refresh(&mut self) -> Result<Option<RegistrySnapshot>, LoadError> {
        match self {
            Reader::Sql(r) => r.refresh().await,
            Reader::File(r) => r.refresh().await,
            Reader::Rest(r) => r.refresh().await,
        }
    }

    /// Opens and reads once: for the command line.
    pub async fn load_once(source: &RegistrySource) -> Result<RegistrySnapshot, LoadError> {
        Reader::open(source).await?.read_whole(source).await
    }

    /// This reader's first read (of `source`, which it was opened on).
    async fn read_whole(mut self, source: &RegistrySource) -> Result<RegistrySnapshot, LoadError> {
        self.refresh()
            .await?
            .ok_or_else(|| LoadError::new(&source.display(), LoadProblem::Empty))
    }
}

/// What a full read found, without the objects: the cache probe's answer.
pub struct ReadCount {
    /// Objects other than projects.
    pub objects: usize,
    /// Every project: those stored and those objects name.
    pub projects: Vec<String>,
}

impl Reader {
    /// Opens and reads every object once, as [`Reader::load_once`] does, but keeps only the
    /// counts: a SQL registry's objects are decoded and dropped one by one, so a probe never
    /// holds a second copy of a large registry (file and REST registries arrive whole anyway
    /// and are loaded).
    pub async fn count_once(source: &RegistrySource) -> Result<ReadCount, LoadError> {
        let reader = Reader::open(source).await?;
        if let Reader::Sql(sql) = &reader {
            let (objects, projects) = sql.count_all().await?;
            return Ok(ReadCount {
                objects,
                projects: projects.iter().map(|p| p.to_string()).collect(),
            });
        }
        let snapshot = reader.read_whole(source).await?;
        Ok(ReadCount {
            objects: snapshot.objects.len(),
            projects: snapshot
                .projects
                .iter()
                .map(|p| p.project.to_string())
                .collect(),
        })
    }
}

/// Reads `source` once on a runtime of its own, for the command line: `(exit code, message)`
/// on failure, the message naming every cause.
pub fn load_once_blocking(source: &RegistrySource) -> Result<RegistrySnapshot, (u8, String)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| (1, format!("cannot start the async runtime: {e}")))?;
    runtime
        .block_on(Reader::load_once(source))
        .map_err(|e| (1, app::backend::error_chain(&e)))
}
