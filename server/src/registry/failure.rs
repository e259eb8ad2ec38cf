//! How talking to a registry's store fails, typed for the reader and the permission writer
//! alike. Each keeps the driver's error as its source; the text is safe to show (no URL, so
//! no password) and says what a user can act on.

use std::sync::Arc;

use serde_json::Value;

use crate::capped_read::{read_capped, CappedReadError, REGISTRY_RESPONSE_MAX};

/// A failed SQL call (SQLite or PostgreSQL).
#[derive(Clone, Debug, thiserror::Error)]
#[error("{}", describe_sql(.0))]
pub struct SqlFailure(pub Arc<sqlx::Error>);

impl From<sqlx::Error> for SqlFailure {
    fn from(e: sqlx::Error) -> SqlFailure {
        SqlFailure(Arc::new(e))
    }
}

impl SqlFailure {
    pub fn error(&self) -> &sqlx::Error {
        &self.0
    }
}

// The database's own message, not sqlx's wrapper text around it.
fn describe_sql(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(db) => {
            let msg = db.message();
            if msg.contains("file is not a database") {
                "is not a Feast registry (not an SQLite database)".to_string()
            } else {
                msg.to_string()
            }
        }
        sqlx::Error::Io(io) => format!("cannot connect: {io}"),
        sqlx::Error::PoolTimedOut => "cannot connect: timed out".to_string(),
        sqlx::Error::ColumnDecode { index, source } => {
            format!("is not a Feast registry (column {index} has an unexpected type: {source})")
        }
        other => other.to_string(),
    }
}

/// A failed call to Feast's registry server.
#[derive(Clone, Debug, thiserror::Error)]
pub enum HttpFailure {
    /// No answer: refused connection, timeout, TLS. The URL is stripped from the error.
    #[error("{}", describe_transport(.0))]
    Transport(Arc<reqwest::Error>),
    /// An answer other than 2xx, with Feast's `detail` (or the start of the body).
    #[error("answered {status}: {detail}")]
    Status {
        status: reqwest::StatusCode,
        detail: String,
    },
    /// An answer longer than the console reads (`capped_read::REGISTRY_RESPONSE_MAX`).
    #[error("response larger than {}, the most the console reads from a registry server", crate::capped_read::size_text(*.limit))]
    TooLarge { limit: usize },
    /// A 2xx answer that is not JSON.
    #[error("not JSON; is this a Feast registry server?")]
    NotJson(#[source] Arc<serde_json::Error>),
}

impl HttpFailure {
    fn transport(e: reqwest::Error) -> HttpFailure {
        HttpFailure::Transport(Arc::new(e.without_url()))
    }

    /// The status Feast answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            HttpFailure::Status { status, .. } => Some(status.as_u16()),
            _ => None,
        }
    }

    pub fn is_timeout(&self) -> bool {
        matches!(self, HttpFailure::Transport(e) if e.is_timeout())
    }

    /// Feast 0.67 answers a missing object with 404 on some paths and with 500 "Internal
    /// server error: Permission X does not exist in project P" on others (GET with auth on,
    /// DELETE).
    pub fn is_not_found(&self) -> bool {
        match self {
            HttpFailure::Status { status, detail } => {
                status.as_u16() == 404
                    || (status.as_u16() == 500 && detail.contains("does not exist in project"))
            }
            _ => false,
        }
    }
}

fn describe_transport(e: &reqwest::Error) -> String {
    if e.is_connect() {
        let cause = std::error::Error::source(e).map_or_else(|| e.to_string(), |s| s.to_string());
        format!("cannot connect: {cause}")
    } else if e.is_timeout() {
        "timed out".to_string()
    } else {
        app::backend::error_chain(e)
    }
}

/// Sends `request` and returns the body of a 2xx answer: JSON, or `Value::Null` when the
/// body is empty or not JSON and `json_required` is false.
pub async fn send(
    request: reqwest::RequestBuilder,
    json_required: bool,
) -> Result<Value, HttpFailure> {
    let response = request.send().await.map_err(HttpFailure::transport)?;
    let status = response.status();
    let body = read_capped(response, REGISTRY_RESPONSE_MAX)
        .await
        .map_err(|e| match e {
            CappedReadError::TooLarge { limit } => HttpFailure::TooLarge { limit },
            CappedReadError::Transport(e) => HttpFailure::transport(e),
        })?;
    let parsed = serde_json::from_slice::<Value>(&body);
    if !status.is_success() {
        let detail = parsed
            .as_ref()
            .ok()
            .and_then(|v| v.get("detail"))
            .map(|d| d.as_str().map_or_else(|| d.to_string(), str::to_string))
            .unwrap_or_else(|| String::from_utf8_lossy(&body).chars().take(300).collect());
        return Err(HttpFailure::Status { status, detail });
    }
    match parsed {
        Ok(v) => Ok(v),
        Err(_) if !json_required => Ok(Value::Null),
        Err(e) => Err(HttpFailure::NotJson(Arc::new(e))),
    }
}
