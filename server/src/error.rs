//! Errors that stop the console from starting. Each prints as one clear line and maps to an
//! exit code: 2 for bad configuration or usage, 1 for everything else.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("cannot create data folder {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Database(#[from] crate::db::DbError),
    #[error("{addr} is already in use (is another feast-console running?); choose another address with --{flag}")]
    AddressInUse {
        addr: std::net::SocketAddr,
        /// The flag that sets it: `listen` or `ops-listen`.
        flag: &'static str,
    },
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("server error: {0}")]
    Serve(std::io::Error),
    #[error("no identity provider is configured (oidc_issuer_url), so the console would be open to anyone reaching its {place}; \
             use loopback addresses for development (listen, public_url), configure sign-in, or pass --insecure-no-auth")]
    OpenWithoutAuth { place: String },
    #[error("cannot set up sign-in: {0}")]
    Auth(#[source] crate::auth::oidc::OidcSetupError),
    #[error("cannot set up the topology source: {0}")]
    Topology(#[source] crate::topology::source::ConnectError),
}

impl StartError {
    pub fn exit_code(&self) -> u8 {
        match self {
            StartError::Config(_)
            | StartError::OpenWithoutAuth { .. }
            | StartError::Topology(_) => 2,
            _ => 1,
        }
    }
}
