//! Writing one Permission through a Feast registry server's REST API (`POST /permissions`,
//! `DELETE /permissions/{name}`), with the signed-in admin's own access token, so Feast's own
//! authorization decides whether the write is allowed.
//!
//! Feast has no conditional write. The version check is read-then-compare-then-write: just
//! before writing, the permission is read again (`allow_cache=false`) with the same token and
//! compared with the version the edit was based on; a different version is refused as a
//! conflict, writing nothing. Console saves of one permission are serialised inside this
//! process, so two console edits cannot both pass the check. **Remaining race window:** a
//! writer outside this console process (another replica, `feast apply`, a script) that writes
//! the same permission between this GET and the POST/DELETE is overwritten; the window is one
//! round trip to the registry server.
//!
//! The version of a REST permission is [`version_of`] its spec (as proto bytes) and the
//! `createdTimestamp` / `lastUpdatedTimestamp` Feast reports: Feast moves the latter on every
//! change, so any write behind the console's back shows as a new version.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use prost::Message;
use serde_json::Value;

use super::failure::{send, HttpFailure};
use super::proto::permission::{Permission, PermissionSpec};
use super::write::model::{check_version, StoredRow, WriteError, ABSENT};
use app::util::percent::path_segment;

mod json;

pub use json::{apply_body, row_from_json};

/// A REST registry opened for permission writes; `token` is the signed-in admin's.
#[derive(Clone)]
pub struct RestPermissions {
    base: String,
    client: reqwest::Client,
    token: Option<String>,
}

fn locks() -> &'static Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>> {
    static LOCKS: OnceLock<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> = OnceLock::new();
    LOCKS.get_or_init(Default::default)
}

/// The in-process lock of one permission of one registry server.
fn lock_of(key: String) -> Arc<tokio::sync::Mutex<()>> {
    let mut map = locks().lock().unwrap_or_else(|p| p.into_inner());
    // Forget locks nobody holds, so the map stays as small as the edits in flight.
    map.retain(|_, l| Arc::strong_count(l) > 1);
    map.entry(key).or_default().clone()
}

impl RestPermissions {
    pub fn new(base: &str) -> Result<RestPermissions, WriteError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
            // A fresh connection per call: Feast 0.67 answers some misses with an unhandled
            // exception (500) and then resets the connection, which would fail the next call
            // made on it. Writes are rare; the handshake costs nothing that matters.
            .pool_max_idle_per_host(0)
            .build()
            .map_err(WriteError::HttpClient)?;
        Ok(RestPermissions {
            base: base.trim_end_matches('/').to_string(),
            client,
            token: None,
        })
    }

    /// The same registry, acting as the holder of `token`.
    pub fn with_token(&self, token: Option<String>) -> RestPermissions {
        RestPermissions {
            token,
            ..self.clone()
        }
    }

    fn token(&self) -> Result<&str, WriteError> {
        self.token.as_deref().ok_or_else(|| {
            WriteError::Unsupported(
                "a REST registry is written with your own access token, and this session has none: sign in through the identity provider (not development mode) to edit it"
                    .into(),
            )
        })
    }

    /// Sends `request` with the caller's token. A missing token is checked by each public
    /// method first, so it is not a call failure here.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Value, HttpFailure> {
        let request = match self.token.as_deref() {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        send(request, false).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base)
    }

    /// The permission as Feast stores it now (bypassing the server's registry cache).
    pub async fn read(&self, project: &str, name: &str) -> Result<Option<StoredRow>, WriteError> {
        self.token()?;
        let request = self
            .client
            .get(self.url(&format!("permissions/{}", path_segment(name))))
            .query(&[("project", project), ("allow_cache", "false")]);
        match self.send(request).await {
            Ok(v) => row_from_json(&v).map(Some),
            Err(f) if f.is_not_found() => Ok(None),
            Err(f) => Err(self.failure(f, "DESCRIBE", project, name, false)),
        }
    }

    /// A clear error for a failed call; `writing` says the failure came from a write.
    fn failure(
        &self,
        failure: HttpFailure,
        actions: &str,
        project: &str,
        name: &str,
        writing: bool,
    ) -> WriteError {
        let server = crate::db::redact_url(&self.base);
        let context = match (&failure, failure.status()) {
            (HttpFailure::Status { detail, .. }, Some(403)) => {
                return WriteError::Refused(format!(
                    "Feast refused: your token lacks {actions} on permission `{name}` in project `{project}` ({detail}); nothing was written"
                ))
            }
            (HttpFailure::Status { detail, .. }, Some(401)) => {
                return WriteError::Refused(format!(
                    "Feast did not accept your access token ({detail}); sign in again; nothing was written"
                ))
            }
            (HttpFailure::Status { .. }, _) => format!(
                "the registry server at {server} failed on permission `{name}` in `{project}`; nothing was written"
            ),
            _ if writing && failure.is_timeout() => format!(
                "the registry server at {server} did not answer in time: it may or may not have applied the change to `{name}`; reload it to see"
            ),
            _ => format!("the registry server at {server} could not be reached; nothing was written"),
        };
        WriteError::Server { context, failure }
    }

    /// Creates or replaces `spec` in `project` (see the module comment for the check).
    /// Renames are refused: Feast's REST API has none, and create-then-delete could leave
    /// both permissions behind when the delete is refused.
    pub async fn put(
        &self,
        project: &str,
        original_name: Option<&str>,
        expected: &str,
        spec: PermissionSpec,
    ) -> Result<StoredRow, WriteError> {
        self.token()?;
        let name = spec.name.clone();
        if original_name.is_some_and(|o| o != name) {
            return Err(WriteError::Unsupported(
                "renaming a permission through a REST registry server is not supported (Feast's REST API has no rename): create the new permission, then delete the old one".into(),
            ));
        }
        if original_name.is_none() && expected != ABSENT {
            return Err(WriteError::Invalid(
                "a create must start from the absent version".into(),
            ));
        }
        let lock = lock_of(format!("{}\n{project}\n{name}", self.base));
        let _one_console_write = lock.lock().await;
        if original_name.is_none() {
            if self.read(project, &name).await?.is_some() {
                return Err(WriteError::Conflict(format!(
                    "a permission named `{name}` already exists in `{project}`; nothing was written"
                )));
            }
            self.project_exists(project).await?;
        } else {
            check_version(&name, expected, self.read(project, &name).await?)?;
        }
        let actions = if original_name.is_some() {
            "DESCRIBE+UPDATE"
        } else {
            "CREATE"
        };
        let request = self
            .client
            .post(self.url("permissions"))
            .header("content-type", "application/json")
            .body(apply_body(project, &spec).to_string());
        self.send(request)
            .await
            .map_err(|f| self.failure(f, actions, project, &name, true))?;
        // The new version, for the audit record and for editing on. Should the read fail, the
        // write stands (and is audited); the version is then unknown, so a further edit from
        // it is refused as a conflict rather than risk overwriting.
        Ok(match self.read(project, &name).await {
            Ok(Some(row)) => row,
            _ => StoredRow {
                bytes: Permission {
                    spec: Some(spec),
                    meta: None,
                }
                .encode_to_vec(),
                version: "unread".into(),
                last_updated: 0,
            },
        })
    }

    /// Refuses a project the registry server says does not exist (Feast's apply would
    /// silently create it).
    async fn project_exists(&self, project: &str) -> Result<(), WriteError> {
        let request = self
            .client
            .get(self.url(&format!("projects/{}", path_segment(project))));
        match self.send(request).await {
            Err(f) if f.status() == Some(404) => Err(WriteError::Invalid(format!(
                "project `{project}` does not exist in this registry"
            ))),
            Err(failure @ HttpFailure::Transport(_)) => Err(WriteError::Server {
                context: format!(
                    "the registry server at {} could not be reached; nothing was written",
                    crate::db::redact_url(&self.base)
                ),
                failure,
            }),
            // Describing the project may be refused to a user who may still create
            // permissions in it: Feast decides that on the POST.
            _ => Ok(()),
        }
    }

    /// Deletes `name` from `project` if it is still at version `expected`.
    pub async fn delete(
        &self,
        project: &str,
        name: &str,
        expected: &str,
    ) -> Result<StoredRow, WriteError> {
        self.token()?;
        let lock = lock_of(format!("{}\n{project}\n{name}", self.base));
        let _one_console_write = lock.lock().await;
        let Some(row) = check_version(name, expected, self.read(project, name).await?)? else {
            return Err(WriteError::Conflict(format!(
                "permission `{name}` no longer exists in `{project}`"
            )));
        };
        let request = self
            .client
            .delete(self.url(&format!("permissions/{}", path_segment(name))))
            .query(&[("project", project)]);
        match self.send(request).await {
            Ok(_) => Ok(row),
            Err(f) if f.is_not_found() => Err(WriteError::Conflict(format!(
                "permission `{name}` no longer exists in `{project}`"
            ))),
            Err(f) => Err(self.failure(f, "DELETE", project, name, true)),
        }
    }

    /// Asks the registry server to reload its registry cache, so listings (which the
    /// console reads with `allow_cache`) show the write now. Feast wants UPDATE on the
    /// server's own project for this; when refused, listings catch up when the server's
    /// cache expires. Returns why it failed, if it did.
    pub async fn refresh_server_cache(&self) -> Option<String> {
        let request = self.client.post(self.url("registry/refresh"));
        match self.send(request).await {
            Ok(_) => None,
            Err(f) => Some(app::backend::error_chain(&f)),
        }
    }
}
