//! The permissions page's query and what it selects: the matrix's objects, principals (rows)
//! and (type, action) columns. Shared by the page and a cell's explanation.

use serde::{Deserialize, Serialize};

use crate::permissions::access::Principal;
use crate::permissions::matrix::principals_from_policies;
use crate::permissions::model::{Action, ProjectData, Resource, ResourceType, User};

/// The page's query string (every field optional).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ViewQuery {
    pub registry: String,
    pub project: String,
    /// Extra matrix rows: `role:x`, `group:y`, `namespace:z`, comma-separated.
    pub principals: String,
    /// Only principals whose label contains this.
    pub who: String,
    /// Only this type (`FEATURE_VIEW`, ...), or all.
    pub r#type: String,
    /// Only this action, or all.
    pub action: String,
    /// Only objects whose name contains this.
    pub object: String,
    /// "As a user": comma-separated lists; shown when any is filled in.
    pub roles: String,
    pub groups: String,
    pub namespaces: String,
    /// Which page of objects (1-based) the per-object and as-a-user lists show.
    #[serde(default)]
    pub page: String,
    /// The key of the matrix cell whose explanation the page shows (without JavaScript).
    #[serde(default)]
    pub explain: String,
}

impl ViewQuery {
    /// Every field with its query-string name, for links and hidden form fields.
    pub fn fields(&self) -> [(&'static str, &str); 12] {
        [
            ("registry", &self.registry),
            ("project", &self.project),
            ("principals", &self.principals),
            ("who", &self.who),
            ("type", &self.r#type),
            ("action", &self.action),
            ("object", &self.object),
            ("roles", &self.roles),
            ("groups", &self.groups),
            ("namespaces", &self.namespaces),
            ("page", &self.page),
            ("explain", &self.explain),
        ]
    }
}

/// The matrix's objects (the project's, plus its permissions as objects), rows and columns
/// for one query.
pub struct MatrixAxes {
    pub objects: Vec<Resource>,
    pub principals: Vec<Principal>,
    pub columns: Vec<(ResourceType, Action)>,
    /// The principals the query adds.
    pub extra: Vec<Principal>,
}

pub fn matrix_axes(data: &ProjectData, query: &ViewQuery, notes: &mut Vec<String>) -> MatrixAxes {
    let perms = &data.permissions;
    let mut objects: Vec<Resource> = data.objects.clone();
    objects.extend(perms.iter().map(Resource::of_permission));
    let extra = typed_principals(&query.principals, notes);
    let principals: Vec<Principal> = principals_from_policies(perms, &extra)
        .into_iter()
        .filter(|p| query.who.is_empty() || p.label.contains(query.who.trim()))
        .collect();
    let mut types: Vec<ResourceType> = objects.iter().map(|o| o.resource_type).collect();
    types.sort();
    types.dedup();
    let columns: Vec<(ResourceType, Action)> = types
        .iter()
        .filter(|t| matches_filter(t.name(), &query.r#type))
        .flat_map(|t| Action::ALL.into_iter().map(move |a| (*t, a)))
        .filter(|(_, a)| matches_filter(a.name(), &query.action))
        .collect();
    MatrixAxes {
        objects,
        principals,
        columns,
        extra,
    }
}

pub(super) fn split(text: &str) -> Vec<String> {
    text.split([',', '\n'])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// `role:x`, `group:y`, `namespace:z` entries as principals; other entries are ignored
/// with a note.
pub fn typed_principals(text: &str, notes: &mut Vec<String>) -> Vec<Principal> {
    let mut out = Vec::new();
    for entry in split(text) {
        let mut user = User::named(&entry);
        match entry.split_once(':') {
            Some(("role", v)) => user.roles.push(v.trim().to_string()),
            Some(("group", v)) => user.groups.push(v.trim().to_string()),
            Some(("namespace", v)) => user.namespaces.push(v.trim().to_string()),
            _ => {
                notes.push(format!(
                    "`{entry}` ignored: write role:NAME, group:NAME or namespace:NAME"
                ));
                continue;
            }
        }
        out.push(Principal::new(entry, user));
    }
    out
}

pub(super) fn matches_filter(value: &str, filter: &str) -> bool {
    filter.is_empty() || filter == "all" || value == filter
}
