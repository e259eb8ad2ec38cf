//! Reading Feast registries: SQL (SQLite, PostgreSQL), file `registry.db`, and the registry
//! server's REST API, into immutable [`RegistrySnapshot`]s kept fresh by [`refresher`].

pub mod decode;
pub mod demo;
pub mod feature_store_yaml;
pub mod file;
pub mod proto;
pub mod refresher;
pub mod rest;
pub mod snapshot;
pub mod source;
pub mod sql;
pub mod user_views;
pub mod write;
pub mod write_file;
pub mod write_rest;

pub use snapshot::RegistrySnapshot;
pub use source::{RegistrySource, SourceKind};

/// A registry could not be read. The message names the source (password removed).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("registry {source_name}: {message}")]
pub struct LoadError {
    pub source_name: String,
    pub message: String,
}

impl LoadError {
    pub fn new(source_name: &str, message: String) -> LoadError {
        LoadError {
            source_name: source_name.to_string(),
            message,
        }
    }
}

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
        reader.refresh().await?.ok_or_else(|| {
            LoadError::new(
                &source.display(),
                "the first read returned nothing".to_string(),
            )
        })
    }
}
