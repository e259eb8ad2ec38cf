//! Why a registry could not be read.

use std::{path::PathBuf, sync::Arc};

use super::failure::{HttpFailure, SqlFailure};

/// A registry could not be read: which one (password removed) and why, as a chain of causes.
/// Cloned into every status and cached failure, so causes are shared (`Arc`).
#[derive(Clone, Debug, thiserror::Error)]
#[error("registry {source_name}")]
pub struct LoadError {
    pub source_name: String,
    #[source]
    pub problem: LoadProblem,
}

#[derive(Clone, Debug, thiserror::Error)]
pub enum LoadProblem {
    #[error("no such file: {}", .0.display())]
    NoSuchFile(PathBuf),
    #[error("cannot read")]
    Io(#[source] Arc<std::io::Error>),
    #[error("is not a Feast registry.db")]
    NotARegistryFile(#[source] RegistryFileProblem),
    #[error("is not a Feast registry: it has no `projects` and `feature_views` tables")]
    NoRegistryTables,
    #[error("invalid URL")]
    InvalidUrl(#[source] SqlFailure),
    #[error(transparent)]
    Sql(#[from] SqlFailure),
    #[error("cannot build an HTTP client")]
    HttpClient(#[source] Arc<reqwest::Error>),
    #[error("GET {path}")]
    Http {
        path: String,
        #[source]
        failure: HttpFailure,
    },
    #[error("GET projects: no `projects` list; is this a Feast registry server?")]
    NoProjectList,
    #[error("the first read returned nothing")]
    Empty,
    #[error("no bearer token")]
    Token(#[source] super::token::TokenError),
    #[error("decoding stopped: a decoder thread failed")]
    DecoderFailed,
}

/// Why a file is not a `registry.db`.
#[derive(Clone, Debug, thiserror::Error)]
pub enum RegistryFileProblem {
    #[error("the file is empty")]
    Empty,
    #[error("truncated or another format")]
    Undecodable(#[source] prost::DecodeError),
    #[error("no schema version and no projects")]
    NoSchemaVersion,
}

impl LoadError {
    pub fn new(source_name: &str, problem: impl Into<LoadProblem>) -> LoadError {
        LoadError {
            source_name: source_name.to_string(),
            problem: problem.into(),
        }
    }

    /// Every cause in one line, for status pages, logs and the command line.
    pub fn text(&self) -> String {
        app::backend::error_chain(self)
    }
}

impl From<std::io::Error> for LoadProblem {
    fn from(e: std::io::Error) -> LoadProblem {
        LoadProblem::Io(Arc::new(e))
    }
}

impl From<RegistryFileProblem> for LoadProblem {
    fn from(e: RegistryFileProblem) -> LoadProblem {
        LoadProblem::NotARegistryFile(e)
    }
}
