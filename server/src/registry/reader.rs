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
        let mut reader = Reader::open(source).await?;
        reader
            .refresh()
            .await?
            .ok_or_else(|| LoadError::new(&source.display(), LoadProblem::Empty))
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
