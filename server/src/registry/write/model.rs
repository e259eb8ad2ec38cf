//! What the permission writers share: a stored row, its version, and the errors a write
//! returns. Its own file so that `write.rs` (which dispatches) and the backends
//! (`write_file.rs`, `write_rest.rs`) all depend on it and not on each other.

use sha2::{Digest, Sha256};

use crate::registry::failure::{HttpFailure, SqlFailure};

/// The version of a permission that does not exist yet (a create).
pub const ABSENT: &str = "absent";

/// A stored permission row.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredRow {
    pub bytes: Vec<u8>,
    /// [`version_of`] the bytes.
    pub version: String,
    pub last_updated: i64,
}

/// A short, stable name for exact stored bytes: SHA-256, hex, first 24 characters.
pub fn version_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// Why a permission write did not happen. The first four are answers for the editor, in
/// words; the rest are failures of the store, with the store's error as their source.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The row is not the version the edit was based on; nothing was written.
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Unsupported(String),
    /// The registry server refused the caller's token (401/403); nothing was written.
    #[error("{0}")]
    Refused(String),
    #[error("registry write failed")]
    Database(#[source] SqlFailure),
    #[error("registry write failed")]
    Io(#[source] std::io::Error),
    /// A call to the registry server failed; `context` says what it means for the edit.
    #[error("{context}")]
    Server {
        context: String,
        #[source]
        failure: HttpFailure,
    },
    #[error("cannot build an HTTP client")]
    HttpClient(#[source] reqwest::Error),
}

impl WriteError {
    /// Whether the registry surely holds nothing of the write: an answer given before
    /// writing, a refusal, or no client to send with. After any other failure the write may
    /// have landed (a SQL commit or an HTTP answer lost on the way back), so the caller reads
    /// the registry again to tell.
    pub fn nothing_written(&self) -> bool {
        match self {
            WriteError::Conflict(_)
            | WriteError::Invalid(_)
            | WriteError::Unsupported(_)
            | WriteError::Refused(_)
            | WriteError::HttpClient(_) => true,
            WriteError::Database(_) | WriteError::Io(_) | WriteError::Server { .. } => false,
        }
    }
}

impl From<sqlx::Error> for WriteError {
    fn from(e: sqlx::Error) -> WriteError {
        WriteError::Database(e.into())
    }
}

/// The conflict answer: `name` is no longer at version `expected`.
pub fn conflict(name: &str, expected: &str, actual: &str) -> WriteError {
    let now = if actual == ABSENT {
        "it has been deleted".to_string()
    } else {
        format!("it is now version {actual}")
    };
    WriteError::Conflict(format!(
        "permission `{name}` changed since it was loaded (version {expected}; {now}); nothing was written — reload and apply your edit again"
    ))
}

/// The row read now, when its version is the one the edit started from; a conflict otherwise.
pub fn check_version(
    name: &str,
    expected: &str,
    current: Option<StoredRow>,
) -> Result<Option<StoredRow>, WriteError> {
    let actual = current.as_ref().map_or(ABSENT, |r| r.version.as_str());
    if actual != expected {
        return Err(conflict(name, expected, actual));
    }
    Ok(current)
}
