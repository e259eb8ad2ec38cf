//! The bearer token the console sends to REST registry servers: a value, or a file read again
//! at each use, so a mounted Kubernetes Secret that rotates in place is picked up without a
//! restart. `Debug` never shows the value.

use std::{
    io::Read,
    path::{Path, PathBuf},
    sync::Arc,
};

/// A token file larger than this is refused rather than read (bearer tokens are a few KiB).
pub const MAX_TOKEN_FILE_BYTES: u64 = 64 * 1024;

#[derive(Clone, PartialEq, Eq)]
pub enum RegistryToken {
    /// `registry_token`, a command's `--token`, or a signed-in user's access token.
    Value(String),
    /// `registry_token_file`: its content, trailing whitespace ignored.
    File(PathBuf),
}

/// Why the token file gave no token.
#[derive(Clone, Debug, thiserror::Error)]
pub enum TokenError {
    #[error("cannot read the registry token file {}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: Arc<std::io::Error>,
    },
    #[error("the registry token file {} is larger than {MAX_TOKEN_FILE_BYTES} bytes", .0.display())]
    TooLarge(PathBuf),
    #[error("the registry token file {} is empty", .0.display())]
    Empty(PathBuf),
    #[error("the registry token file {} is not UTF-8 text", .0.display())]
    NotText(PathBuf),
}

impl RegistryToken {
    /// The token to send now: the value, or the file's current content.
    pub fn read(&self) -> Result<String, TokenError> {
        match self {
            RegistryToken::Value(value) => Ok(value.clone()),
            RegistryToken::File(path) => read_file(path),
        }
    }
}

fn read_file(path: &Path) -> Result<String, TokenError> {
    let failed = |e: std::io::Error| TokenError::Read {
        path: path.to_path_buf(),
        source: Arc::new(e),
    };
    let file = std::fs::File::open(path).map_err(failed)?;
    let mut bytes = Vec::new();
    file.take(MAX_TOKEN_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(failed)?;
    if bytes.len() as u64 > MAX_TOKEN_FILE_BYTES {
        return Err(TokenError::TooLarge(path.to_path_buf()));
    }
    let text = String::from_utf8(bytes).map_err(|_| TokenError::NotText(path.to_path_buf()))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(TokenError::Empty(path.to_path_buf()));
    }
    Ok(token.to_string())
}

impl From<String> for RegistryToken {
    fn from(value: String) -> RegistryToken {
        RegistryToken::Value(value)
    }
}

impl From<&str> for RegistryToken {
    fn from(value: &str) -> RegistryToken {
        RegistryToken::Value(value.to_string())
    }
}

impl std::fmt::Debug for RegistryToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RegistryToken::Value(_) => f.write_str("RegistryToken(***)"),
            RegistryToken::File(path) => f.debug_tuple("RegistryToken::File").field(path).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("fc-token-{}-{name}", std::process::id()))
    }

    #[test]
    fn a_token_file_is_read_again_at_each_use() {
        let path = temp("rotating");
        std::fs::write(&path, "first-token\n").unwrap();
        let token = RegistryToken::File(path.clone());
        assert_eq!(token.read().unwrap(), "first-token");
        // A Secret volume swaps the file in place when the Secret rotates.
        std::fs::write(&path, "second-token").unwrap();
        assert_eq!(token.read().unwrap(), "second-token");
        assert!(!format!("{token:?}").contains("token\""), "{token:?}");
    }

    #[test]
    fn a_missing_empty_or_huge_token_file_is_a_clear_error() {
        let missing = RegistryToken::File(temp("missing"));
        let text = app::backend::error_chain(&missing.read().unwrap_err());
        assert!(
            text.contains("cannot read the registry token file"),
            "{text}"
        );

        let empty = temp("empty");
        std::fs::write(&empty, "  \n").unwrap();
        let err = RegistryToken::File(empty).read().unwrap_err();
        assert!(matches!(err, TokenError::Empty(_)), "{err}");

        let huge = temp("huge");
        std::fs::write(&huge, vec![b'a'; MAX_TOKEN_FILE_BYTES as usize + 1]).unwrap();
        let err = RegistryToken::File(huge).read().unwrap_err();
        assert!(matches!(err, TokenError::TooLarge(_)), "{err}");
    }

    #[test]
    fn debug_never_shows_a_token_value() {
        let token = RegistryToken::from("sekrit-value");
        assert!(!format!("{token:?}").contains("sekrit"));
    }
}
