//! Why a registry could not be read.

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
