//! The console's permission model to and from Feast's `Permission` proto, and one save:
//! audit record (pending), registry write (optimistic concurrency), audit record settled.

use app::backend::{error_chain, BackendError};
use app::permissions::api::{SaveRequest, StoredPermission};
use app::permissions::audit_state::{settle, AuditState, Current, Observed};
use app::permissions::{Action, PermissionSpec, Policy, ResourceType};

use crate::db::ConsoleDb;
use crate::registry::proto::permission::{
    self as proto, CombinedGroupNamespacePolicy, GroupBasedPolicy, NamespaceBasedPolicy,
    PolicyType, RoleBasedPolicy,
};
use crate::registry::proto::permission::{console_policy, PermissionCodecError};
use crate::registry::proto::PermissionRecord;
use crate::registry::write::{PermissionWriter, WriteError, ABSENT};

/// The proto spec Feast's `Permission.to_proto` writes (no `project`: Feast leaves it empty).
pub fn to_proto(spec: &PermissionSpec) -> proto::PermissionSpec {
    let list = |v: &[String]| v.to_vec();
    let policy_type = match &spec.policy {
        Policy::RoleBased { roles } => Some(PolicyType::RoleBased(RoleBasedPolicy {
            roles: list(roles),
        })),
        Policy::GroupBased { groups } => Some(PolicyType::GroupBased(GroupBasedPolicy {
            groups: list(groups),
        })),
        Policy::NamespaceBased { namespaces } => {
            Some(PolicyType::NamespaceBased(NamespaceBasedPolicy {
                namespaces: list(namespaces),
            }))
        }
        Policy::CombinedGroupNamespace { groups, namespaces } => Some(
            PolicyType::CombinedGroupNamespace(CombinedGroupNamespacePolicy {
                groups: list(groups),
                namespaces: list(namespaces),
            }),
        ),
        Policy::AllowAll => None,
    };
    proto::PermissionSpec {
        name: spec.name.clone(),
        project: String::new(),
        types: spec.types.iter().map(|t| t.proto_number()).collect(),
        name_patterns: spec.name_patterns.clone(),
        required_tags: spec.required_tags.clone(),
        actions: spec.actions.iter().map(|a| a.proto_number()).collect(),
        policy: Some(proto::Policy {
            name: String::new(),
            project: String::new(),
            policy_type,
        }),
        tags: spec.tags.clone(),
    }
}

/// Why stored bytes cannot be edited in the console's model.
#[derive(Debug, thiserror::Error)]
pub enum StoredSpecError {
    #[error(transparent)]
    Undecodable(#[from] PermissionCodecError),
    #[error("unknown type number {0}")]
    UnknownType(i32),
    #[error("unknown action number {0}")]
    UnknownAction(i32),
}

/// The console's model of stored bytes; unknown enum numbers are refused rather than dropped,
/// so an edit cannot silently lose them.
pub fn from_bytes(bytes: &[u8]) -> Result<PermissionSpec, StoredSpecError> {
    let record = PermissionRecord::decode(bytes)?;
    let spec = record.message.spec.unwrap_or_default();
    let mut types = Vec::new();
    for n in &spec.types {
        types.push(ResourceType::from_proto_number(*n).ok_or(StoredSpecError::UnknownType(*n))?);
    }
    let mut actions = Vec::new();
    for n in &spec.actions {
        actions.push(Action::from_proto_number(*n).ok_or(StoredSpecError::UnknownAction(*n))?);
    }
    let policy = console_policy(spec.policy.and_then(|p| p.policy_type));
    Ok(PermissionSpec {
        name: spec.name,
        types,
        name_patterns: spec.name_patterns,
        required_tags: spec.required_tags,
        actions,
        policy,
        tags: spec.tags,
    })
}

fn save_error(e: WriteError) -> BackendError {
    match e {
        WriteError::Conflict(m) => BackendError::Conflict(m),
        WriteError::Invalid(m) => BackendError::Invalid(m),
        WriteError::Unsupported(m) | WriteError::Refused(m) => BackendError::Unavailable(m),
        store @ (WriteError::Database(_)
        | WriteError::Io(_)
        | WriteError::Server { .. }
        | WriteError::HttpClient(_)) => BackendError::unavailable(&store),
    }
}

pub async fn load(
    writer: &PermissionWriter,
    project: &str,
    name: &str,
) -> Result<Option<StoredPermission>, BackendError> {
    let Some(row) = writer.read(project, name).await.map_err(save_error)? else {
        return Ok(None);
    };
    let spec = from_bytes(&row.bytes).map_err(|e| BackendError::Invalid(error_chain(&e)))?;
    Ok(Some(StoredPermission {
        spec,
        version: row.version,
    }))
}

/// What a save writes, before it is written.
struct Change<'a> {
    operation: &'static str,
    /// The permission written (its new name for a rename; the deleted one for a delete).
    permission: String,
    original: Option<&'a str>,
    after: Option<&'a PermissionSpec>,
}

impl<'a> Change<'a> {
    fn of(req: &'a SaveRequest) -> Result<Change<'a>, BackendError> {
        let (operation, permission) = match (&req.spec, &req.original_name) {
            (Some(spec), Some(_)) => ("update", spec.name.clone()),
            (Some(spec), None) => ("create", spec.name.clone()),
            (None, Some(name)) => ("delete", name.clone()),
            (None, None) => return Err(BackendError::Invalid("nothing to delete".into())),
        };
        Ok(Change {
            operation,
            permission,
            original: req.original_name.as_deref(),
            after: req.spec.as_ref(),
        })
    }
}

/// One permission as the registry holds it now, for settling a change.
async fn current(
    writer: &PermissionWriter,
    project: &str,
    name: &str,
) -> Result<Option<Current>, WriteError> {
    Ok(writer.read(project, name).await?.map(|row| Current {
        spec: from_bytes(&row.bytes).ok(),
        version: row.version,
    }))
}

/// Whether the change of `permission` (from `original`, at `before_version`, to `after`) is
/// in the registry now: read it again and let [`settle`] decide.
pub async fn state_now(
    writer: &PermissionWriter,
    project: &str,
    permission: &str,
    original: Option<&str>,
    before_version: &str,
    after: Option<&PermissionSpec>,
) -> Result<(AuditState, String), WriteError> {
    let target_now = current(writer, project, permission).await?;
    let original_now = match original {
        Some(o) if o == permission => Some(target_now.clone()),
        Some(o) => Some(current(writer, project, o).await?),
        None => None,
    };
    let renamed = after.is_some() && original.is_some_and(|o| o != permission);
    let version = target_now
        .as_ref()
        .map_or(ABSENT.to_string(), |c| c.version.clone());
    let state = settle(
        &Observed {
            before_version,
            after,
            original_now,
            target_now,
            renamed,
        },
        ABSENT,
    );
    Ok((state, version))
}

/// Writes the audit record (pending), then the registry, then settles the record: committed,
/// failed, or, when the write's answer was lost, what reading the registry again shows.
/// Returns the new version (`absent` after a delete).
///
/// Runs in a task of its own: dropping the caller (a client gone, a request timeout) does not
/// stop a save half-way, so its record is always settled. A console killed in between leaves
/// the record pending, and the lease holder's `super::reconcile` settles it.
pub async fn save(
    writer: &PermissionWriter,
    db: &ConsoleDb,
    req: &SaveRequest,
) -> Result<String, BackendError> {
    if req.reason.trim().is_empty() {
        return Err(BackendError::Invalid("a reason is required".into()));
    }
    let (writer, db, req) = (writer.clone(), db.clone(), req.clone());
    tokio::spawn(async move { save_recorded(&writer, &db, &req).await })
        .await
        .unwrap_or_else(|e| {
            Err(BackendError::Unavailable(format!(
                "the save stopped unexpectedly ({e}); its audit record says whether it was made"
            )))
        })
}

async fn save_recorded(
    writer: &PermissionWriter,
    db: &ConsoleDb,
    req: &SaveRequest,
) -> Result<String, BackendError> {
    let change = Change::of(req)?;
    let before = match change.original {
        Some(n) => writer.read(&req.project, n).await.map_err(save_error)?,
        None => None,
    };
    let before_spec = before.as_ref().and_then(|r| from_bytes(&r.bytes).ok());
    let id = super::audit::begin(
        db,
        super::audit::NewRecord {
            actor: &req.actor,
            registry: &req.registry,
            project: &req.project,
            permission: &change.permission,
            original: change.original,
            operation: change.operation,
            reason: req.reason.trim(),
            before: before_spec.as_ref(),
            after: change.after,
            before_version: &req.expected_version,
            after_version: if change.after.is_none() { ABSENT } else { "" },
            replica: crate::lease::this_process(),
        },
    )
    .await
    .map_err(|e| {
        BackendError::Unavailable(format!(
            "the audit log cannot be written, so nothing was changed: {}",
            error_chain(&e)
        ))
    })?;
    let written = match (&req.spec, change.original) {
        (Some(spec), original) => writer
            .put(
                &req.project,
                original,
                &req.expected_version,
                to_proto(spec),
            )
            .await
            .map(|row| row.version),
        (None, Some(name)) => writer
            .delete(&req.project, name, &req.expected_version)
            .await
            .map(|_| ABSENT.to_string()),
        // Refused by `Change::of` already.
        (None, None) => Err(WriteError::Invalid("nothing to delete".into())),
    };
    let (state, version, detail, answer) = match written {
        Ok(v) => (AuditState::Committed, Some(v.clone()), String::new(), Ok(v)),
        Err(e) if e.nothing_written() => (
            AuditState::Failed,
            None,
            error_chain(&e),
            Err(save_error(e)),
        ),
        Err(e) => reread(writer, req, &change, e).await,
    };
    let settled = super::audit::settle(
        db,
        id,
        super::audit::Settled {
            state,
            after_version: version.as_deref(),
            detail: &detail,
            reconciled: false,
        },
    )
    .await;
    if let Err(e) = settled {
        tracing::warn!(record = id, state = state.as_str(), error = %error_chain(&e), "cannot settle the audit record; it stays pending until the next start-up reconciles it");
        if state == AuditState::Committed {
            return Err(BackendError::Unavailable(format!(
                "the registry was changed ({} `{}`) but its audit record could not be marked committed (it is reconciled at the next start-up): {}",
                change.operation, change.permission, error_chain(&e)
            )));
        }
    }
    answer
}

/// The write failed in a way that may still have changed the registry (its answer was lost):
/// read the registry again and settle by what it holds.
async fn reread(
    writer: &PermissionWriter,
    req: &SaveRequest,
    change: &Change<'_>,
    e: WriteError,
) -> (
    AuditState,
    Option<String>,
    String,
    Result<String, BackendError>,
) {
    let why = error_chain(&e);
    let now = state_now(
        writer,
        &req.project,
        &change.permission,
        change.original,
        &req.expected_version,
        change.after,
    )
    .await;
    match now {
        Ok((AuditState::Committed, version)) => (
            AuditState::Committed,
            Some(version.clone()),
            format!("the write failed ({why}) but reading the registry again shows it made"),
            Ok(version),
        ),
        Ok((AuditState::Failed, _)) => (
            AuditState::Failed,
            None,
            format!("{why}; reading the registry again shows nothing changed"),
            Err(save_error(e)),
        ),
        Ok((_, _)) => (
            AuditState::Unknown,
            None,
            format!("{why}; reading the registry again cannot tell whether the change was made (it changed since)"),
            Err(save_error(e)),
        ),
        Err(again) => (
            AuditState::Unknown,
            None,
            format!(
                "{why}; the registry cannot be read again to tell: {}",
                error_chain(&again)
            ),
            Err(save_error(e)),
        ),
    }
}
