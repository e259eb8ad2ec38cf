//! Where the permission commands get permissions and objects from: a JSON file today, a
//! registry snapshot (`--registry`) through [`from_snapshot`].

use std::path::{Path, PathBuf};

use app::catalog::model::{CatalogObject, ObjectKind};
use app::permissions::from_catalog::{permission_spec, resource_of};
use app::permissions::{PermissionSpec, Resource};
use serde::Deserialize;

use crate::registry::RegistrySnapshot;

/// One project's permissions (in registry order) and objects.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ProjectPermissions {
    #[serde(default = "default_project")]
    pub project: String,
    #[serde(default)]
    pub permissions: Vec<PermissionSpec>,
    /// Objects other than the permissions themselves.
    #[serde(default)]
    pub resources: Vec<Resource>,
}

fn default_project() -> String {
    "default".to_string()
}

/// Everything the commands evaluate.
#[derive(Clone, Debug, Default)]
pub struct PermissionsInput {
    pub projects: Vec<ProjectPermissions>,
    /// The project of the registry server's `feature_store.yaml`, when known.
    pub registry_server_project: Option<String>,
    /// Registry row order is lost (snapshots sort objects): List-call outcomes that depend on it
    /// are then not reported.
    pub row_order_known: bool,
}

/// Why the commands have no permissions to evaluate.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", path.display())]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("project `{name}` not found; projects: {}", known.join(", "))]
    UnknownProject { name: String, known: Vec<String> },
    #[error("several projects: choose one with --project")]
    SeveralProjects,
}

impl PermissionsInput {
    pub fn project(&self, name: Option<&str>) -> Result<&ProjectPermissions, InputError> {
        match name {
            Some(n) => self
                .projects
                .iter()
                .find(|p| p.project == n)
                .ok_or_else(|| InputError::UnknownProject {
                    name: n.to_string(),
                    known: self.projects.iter().map(|p| p.project.clone()).collect(),
                }),
            None if self.projects.len() == 1 => Ok(&self.projects[0]),
            None => Err(InputError::SeveralProjects),
        }
    }
}

/// The `--permissions FILE` format: one project object, a list of them, or
/// `{"projects": [...], "registry_server_project": "..."}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum FileFormat {
    Many {
        projects: Vec<ProjectPermissions>,
        registry_server_project: Option<String>,
    },
    One(ProjectPermissions),
    List(Vec<ProjectPermissions>),
}

pub fn from_file(path: &Path) -> Result<PermissionsInput, InputError> {
    let text = std::fs::read_to_string(path).map_err(|source| InputError::Read {
        path: path.to_owned(),
        source,
    })?;
    let parsed: FileFormat = serde_json::from_str(&text).map_err(|source| InputError::Parse {
        path: path.to_owned(),
        source,
    })?;
    let (projects, registry_server_project) = match parsed {
        FileFormat::Many {
            projects,
            registry_server_project,
        } => (projects, registry_server_project),
        FileFormat::One(p) => (vec![p], None),
        FileFormat::List(ps) => (ps, None),
    };
    Ok(PermissionsInput {
        projects,
        registry_server_project,
        row_order_known: true,
    })
}

/// Every project of a registry snapshot. Feast's internal `__dummy` entities are objects like
/// any other for Feast's check, so they are kept.
pub fn from_snapshot(snapshot: &RegistrySnapshot, notes: &mut Vec<String>) -> PermissionsInput {
    from_snapshot_shown(snapshot, notes, &|_| true)
}

/// [`from_snapshot`] with only the objects (rows) `shown` keeps; every permission still
/// decides.
pub fn from_snapshot_shown(
    snapshot: &RegistrySnapshot,
    notes: &mut Vec<String>,
    shown: &dyn Fn(&CatalogObject) -> bool,
) -> PermissionsInput {
    let projects = snapshot
        .projects
        .iter()
        .map(|p| {
            let mut out = ProjectPermissions {
                project: p.name.to_string(),
                ..Default::default()
            };
            if shown(p) {
                out.resources.push(resource_of(p));
            }
            for o in snapshot.objects.iter().filter(|o| o.project == p.name) {
                if o.kind == ObjectKind::Permission {
                    if let Some(spec) = permission_spec(o, notes) {
                        out.permissions.push(spec);
                    }
                } else if shown(o) {
                    out.resources.push(resource_of(o));
                }
            }
            out
        })
        .collect();
    PermissionsInput {
        projects,
        registry_server_project: None,
        row_order_known: false,
    }
}
