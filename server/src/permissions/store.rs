//! The console's permission model to and from Feast's `Permission` proto, and one save:
//! registry write (optimistic concurrency) then audit record.

use app::backend::{error_chain, BackendError};
use app::permissions::api::{SaveRequest, StoredPermission};
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

/// Writes the registry, then the audit record. Returns the new version (`absent` after a
/// delete). The two databases cannot share a transaction: a failed audit insert after a
/// committed registry write is reported as an error naming the change.
pub async fn save(
    writer: &PermissionWriter,
    db: &ConsoleDb,
    req: &SaveRequest,
) -> Result<String, BackendError> {
    if req.reason.trim().is_empty() {
        return Err(BackendError::Invalid("a reason is required".into()));
    }
    let before = match &req.original_name {
        Some(n) => writer.read(&req.project, n).await.map_err(save_error)?,
        None => None,
    };
    let before_spec = before.as_ref().and_then(|r| from_bytes(&r.bytes).ok());
    let (operation, permission, after_version) = match (&req.spec, &req.original_name) {
        (Some(spec), original) => {
            let row = writer
                .put(
                    &req.project,
                    original.as_deref(),
                    &req.expected_version,
                    to_proto(spec),
                )
                .await
                .map_err(save_error)?;
            let op = if original.is_some() {
                "update"
            } else {
                "create"
            };
            (op, spec.name.clone(), row.version)
        }
        (None, Some(name)) => {
            writer
                .delete(&req.project, name, &req.expected_version)
                .await
                .map_err(save_error)?;
            ("delete", name.clone(), ABSENT.to_string())
        }
        (None, None) => return Err(BackendError::Invalid("nothing to delete".into())),
    };
    super::audit::append(
        db,
        super::audit::NewRecord {
            actor: &req.actor,
            registry: &req.registry,
            project: &req.project,
            permission: &permission,
            operation,
            reason: req.reason.trim(),
            before: before_spec.as_ref(),
            after: req.spec.as_ref(),
            before_version: &req.expected_version,
            after_version: &after_version,
        },
    )
    .await
    .map_err(|e| {
        BackendError::Unavailable(format!(
            "the registry was changed ({operation} `{permission}`) but the audit record could not be written: {e}"
        ))
    })?;
    Ok(after_version)
}
