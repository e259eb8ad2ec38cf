use std::path::PathBuf;

use super::origin::Origin;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration file {path}: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("configuration file {path} is not valid TOML{}: {message}", line.map(|l| format!(" (line {l})")).unwrap_or_default())]
    Syntax {
        path: PathBuf,
        message: String,
        line: Option<usize>,
    },
    #[error(
        "unknown configuration key `{key}` (from {origin}); known keys: {}",
        super::keys::names()
    )]
    UnknownKey { key: String, origin: Origin },
    #[error("invalid configuration key `{key}` (from {origin}): {reason}")]
    Invalid {
        key: &'static str,
        origin: Origin,
        reason: String,
    },
}
