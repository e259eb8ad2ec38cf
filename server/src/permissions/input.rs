//! Where the permission commands get permissions and objects from: a JSON file today, a
//! registry snapshot (`--registry`) through [`from_snapshot`].

use std::path::{Path, PathBuf};

use app::catalog::model::{CatalogObject, Detail, ObjectKind};
use app::permissions::{Action, PermissionSpec, Policy, Resource, ResourceType};
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

fn resource_type(kind: ObjectKind) -> ResourceType {
    match kind {
        ObjectKind::Project => ResourceType::Project,
        ObjectKind::Entity => ResourceType::Entity,
        ObjectKind::DataSource => ResourceType::DataSource,
        ObjectKind::FeatureView => ResourceType::FeatureView,
        ObjectKind::BatchFeatureView => ResourceType::BatchFeatureView,
        ObjectKind::StreamFeatureView => ResourceType::StreamFeatureView,
        ObjectKind::OnDemandFeatureView => ResourceType::OnDemandFeatureView,
        ObjectKind::LabelView => ResourceType::LabelView,
        ObjectKind::FeatureService => ResourceType::FeatureService,
        ObjectKind::SavedDataset => ResourceType::SavedDataset,
        ObjectKind::ValidationReference => ResourceType::ValidationReference,
        ObjectKind::Permission => ResourceType::Permission,
    }
}

/// A permission as the catalog decoded it. Unknown type or action names (from a newer Feast)
/// are dropped with a note rather than guessed.
fn permission_spec(o: &CatalogObject, notes: &mut Vec<String>) -> Option<PermissionSpec> {
    let Detail::Permission(d) = &o.detail else {
        notes.push(format!(
            "permission {}: could not be decoded, left out",
            o.name
        ));
        return None;
    };
    let mut types = Vec::new();
    for t in &d.types {
        match ResourceType::from_name(t) {
            Some(t) => types.push(t),
            None => notes.push(format!("permission {}: unknown type {t:?} ignored", o.name)),
        }
    }
    let mut actions = Vec::new();
    for a in &d.actions {
        match Action::parse_with_aliases(a) {
            Some(v) => actions.extend(v),
            None => notes.push(format!(
                "permission {}: unknown action {a:?} ignored",
                o.name
            )),
        }
    }
    // A missing policy: Feast cannot read it back; evaluated as what it was meant to be (grant
    // all), and reported by the AllowAll lint.
    let policy = d.policy.clone().unwrap_or(Policy::AllowAll);
    Some(PermissionSpec {
        name: o.name.clone(),
        types,
        name_patterns: d.name_patterns.clone(),
        required_tags: d.required_tags.clone(),
        actions,
        policy,
        tags: o.tags.clone(),
    })
}

/// Every project of a registry snapshot. Feast's internal `__dummy` entities are objects like
/// any other for Feast's check, so they are kept.
pub fn from_snapshot(snapshot: &RegistrySnapshot, notes: &mut Vec<String>) -> PermissionsInput {
    let projects = snapshot
        .projects
        .iter()
        .map(|p| {
            let mut out = ProjectPermissions {
                project: p.name.clone(),
                ..Default::default()
            };
            out.resources.push(Resource {
                resource_type: ResourceType::Project,
                name: p.name.clone(),
                tags: p.tags.clone(),
                required_tags: Default::default(),
            });
            for o in snapshot.objects.iter().filter(|o| o.project == p.name) {
                if o.kind == ObjectKind::Permission {
                    if let Some(spec) = permission_spec(o, notes) {
                        out.permissions.push(spec);
                    }
                } else {
                    out.resources.push(Resource {
                        resource_type: resource_type(o.kind),
                        name: o.name.clone(),
                        tags: o.tags.clone(),
                        required_tags: Default::default(),
                    });
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
