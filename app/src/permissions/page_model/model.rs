//! What the permissions page shows, computed from one project: the principals × (type ×
//! action) matrix with an explanation per cell, the lints, who may do what per object, and
//! everything one user may do. Pure; the page only renders it.

use serde::{Deserialize, Serialize};

use crate::permissions::access::{effective_access, single_action_requests, Access, Principal};
use crate::permissions::evaluator::{DecisionReason, Outcome, PermissionEvaluator};
use crate::permissions::lints::{lint_project_with, LintContext};
use crate::permissions::matrix::principals_from_policies;
use crate::permissions::model::ProjectData;
use crate::permissions::model::{Action, PermissionSpec, Resource, ResourceType, User};

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
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PermissionRow {
    pub name: String,
    pub types: String,
    pub name_patterns: String,
    pub required_tags: String,
    pub actions: String,
    pub policy: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellView {
    pub allowed: usize,
    pub total: usize,
    /// One line each: which permissions decide this cell and how.
    pub explanation: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatrixView {
    pub principals: Vec<String>,
    /// (type, action) names.
    pub columns: Vec<(String, String)>,
    pub rows: Vec<Vec<CellView>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LintRow {
    pub severity: String,
    pub code: String,
    pub permission: String,
    pub message: String,
    pub objects: String,
    pub principals: String,
}

/// Per object: for each action, the principals allowed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObjectAccess {
    pub object_type: String,
    pub name: String,
    pub actions: Vec<(String, Vec<String>)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserCell {
    pub allowed: bool,
    pub why: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub object_type: String,
    pub name: String,
    /// One per action of [`UserView::actions`].
    pub cells: Vec<UserCell>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub user: String,
    pub actions: Vec<String>,
    pub rows: Vec<UserRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectView {
    pub permissions: Vec<PermissionRow>,
    pub matrix: MatrixView,
    pub lints: Vec<LintRow>,
    pub objects: Vec<ObjectAccess>,
    /// Objects left out of the per-object and as-a-user lists (shown as a count).
    pub objects_truncated: usize,
    pub as_user: Option<UserView>,
    pub notes: Vec<String>,
}

/// At most this many objects in the per-object and as-a-user lists.
pub const OBJECT_LIMIT: usize = 500;

fn split(text: &str) -> Vec<String> {
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

fn reason_text(reason: DecisionReason) -> &'static str {
    match reason {
        DecisionReason::NoPermissionsDefined => {
            "the project has no permissions: any named user is allowed"
        }
        DecisionReason::NoPermissionsNoUser => "no permissions and no user: denied",
        DecisionReason::Granted => "granted",
        DecisionReason::AllMatchingDenied => {
            "matching permissions exist but none grants this principal"
        }
        DecisionReason::NoMatchingPermission => {
            "no permission matches this object with this action: denied"
        }
        DecisionReason::PatternError => "a name pattern Python cannot compile fails the request",
        DecisionReason::Undecidable => "depends on a pattern the console cannot evaluate",
    }
}

fn matches_filter(value: &str, filter: &str) -> bool {
    filter.is_empty() || filter == "all" || value == filter
}

/// Builds the page for one project.
pub fn project_view(data: &ProjectData, query: &ViewQuery) -> ProjectView {
    project_view_with(data, query, &PermissionEvaluator::new(&data.permissions))
}

/// [`project_view`] with `data.permissions` already compiled into `evaluator` (the server
/// compiles each snapshot's permissions once, not once per request).
pub fn project_view_with(
    data: &ProjectData,
    query: &ViewQuery,
    evaluator: &PermissionEvaluator,
) -> ProjectView {
    let mut notes = data.notes.clone();
    let perms = &data.permissions;
    let mut objects: Vec<Resource> = data.objects.clone();
    objects.extend(perms.iter().map(Resource::of_permission));
    let extra = typed_principals(&query.principals, &mut notes);
    let principals: Vec<Principal> = principals_from_policies(perms, &extra)
        .into_iter()
        .filter(|p| query.who.is_empty() || p.label.contains(query.who.trim()))
        .collect();
    let requests = single_action_requests();
    let access = effective_access(evaluator, &principals, &objects, &requests, false);

    let mut types: Vec<ResourceType> = objects.iter().map(|o| o.resource_type).collect();
    types.sort();
    types.dedup();
    let columns: Vec<(ResourceType, Action)> = types
        .iter()
        .filter(|t| matches_filter(t.name(), &query.r#type))
        .flat_map(|t| Action::ALL.into_iter().map(move |a| (*t, a)))
        .filter(|(_, a)| matches_filter(a.name(), &query.action))
        .collect();
    let rows = principals
        .iter()
        .enumerate()
        .map(|(pi, principal)| {
            columns
                .iter()
                .map(|(t, a)| {
                    let ri = Action::ALL.iter().position(|x| x == a).unwrap_or(0);
                    let of_type: Vec<usize> = (0..objects.len())
                        .filter(|oi| objects[*oi].resource_type == *t)
                        .collect();
                    let allowed = of_type
                        .iter()
                        .filter(|oi| access.get(pi, **oi, ri) == Access::Allow)
                        .count();
                    let denied: Vec<&Resource> = of_type
                        .iter()
                        .filter(|oi| access.get(pi, **oi, ri) != Access::Allow)
                        .map(|oi| &objects[*oi])
                        .collect();
                    CellView {
                        allowed,
                        total: of_type.len(),
                        explanation: explain_cell(perms, evaluator, principal, *t, *a, &denied),
                    }
                })
                .collect()
        })
        .collect();
    let matrix = MatrixView {
        principals: principals.iter().map(|p| p.label.clone()).collect(),
        columns: columns
            .iter()
            .map(|(t, a)| (t.name().to_string(), a.name().to_string()))
            .collect(),
        rows,
    };

    let lints = lint_project_with(
        &LintContext {
            project: &data.project,
            permissions: perms,
            objects: &data.objects,
            extra_principals: &extra,
            registry_server_project: None,
        },
        evaluator,
    )
    .into_iter()
    .map(|l| LintRow {
        severity: l.severity.word().to_string(),
        code: serde_json::to_value(l.code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        permission: l.permission.unwrap_or_default(),
        message: l.message,
        objects: l
            .objects
            .iter()
            .map(|o| format!("{} {}", o.resource_type.name(), o.name))
            .collect::<Vec<_>>()
            .join(", "),
        principals: l.principals.join(", "),
    })
    .collect();

    let shown: Vec<usize> = (0..objects.len())
        .filter(|oi| matches_filter(objects[*oi].resource_type.name(), &query.r#type))
        .filter(|oi| query.object.is_empty() || objects[*oi].name.contains(query.object.trim()))
        .collect();
    let objects_truncated = shown.len().saturating_sub(OBJECT_LIMIT);
    let shown = &shown[..shown.len().min(OBJECT_LIMIT)];
    let per_object = shown
        .iter()
        .map(|oi| ObjectAccess {
            object_type: objects[*oi].resource_type.name().to_string(),
            name: objects[*oi].name.clone(),
            actions: Action::ALL
                .iter()
                .enumerate()
                .filter(|(_, a)| matches_filter(a.name(), &query.action))
                .map(|(ri, a)| {
                    let who = principals
                        .iter()
                        .enumerate()
                        .filter(|(pi, _)| access.get(*pi, *oi, ri) == Access::Allow)
                        .map(|(_, p)| p.label.clone())
                        .collect();
                    (a.name().to_string(), who)
                })
                .collect(),
        })
        .collect();

    let as_user = (!(query.roles.trim().is_empty()
        && query.groups.trim().is_empty()
        && query.namespaces.trim().is_empty()))
    .then(|| {
        let user = User {
            username: "you".into(),
            roles: split(&query.roles),
            groups: split(&query.groups),
            namespaces: split(&query.namespaces),
        };
        user_view(
            evaluator,
            &user,
            shown.iter().map(|oi| &objects[*oi]),
            query,
        )
    });

    ProjectView {
        permissions: perms.iter().map(permission_row).collect(),
        matrix,
        lints,
        objects: per_object,
        objects_truncated,
        as_user,
        notes,
    }
}

fn permission_row(p: &PermissionSpec) -> PermissionRow {
    let kv = |m: &std::collections::BTreeMap<String, String>| {
        m.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    PermissionRow {
        name: p.name.clone(),
        types: if p.types.is_empty() || p.types.len() == ResourceType::ALL.len() {
            "all types".into()
        } else {
            p.types
                .iter()
                .map(|t| t.name())
                .collect::<Vec<_>>()
                .join(", ")
        },
        name_patterns: p.name_patterns.join(", "),
        required_tags: kv(&p.required_tags),
        actions: if p.actions.len() == Action::ALL.len() {
            "ALL".into()
        } else {
            p.actions
                .iter()
                .map(|a| a.name())
                .collect::<Vec<_>>()
                .join(", ")
        },
        policy: p.policy.describe(),
    }
}

/// Why one matrix cell is what it is: the permissions covering the type, whether each lists
/// the action and grants the principal, and the reason for a few denied objects.
fn explain_cell(
    perms: &[PermissionSpec],
    evaluator: &PermissionEvaluator,
    principal: &Principal,
    t: ResourceType,
    a: Action,
    denied: &[&Resource],
) -> Vec<String> {
    let mut out = Vec::new();
    if perms.is_empty() {
        out.push("No permissions in this project: Feast allows any named user.".into());
        return out;
    }
    for p in perms.iter().filter(|p| p.covers_type(t)) {
        let scope = if p.name_patterns.is_empty() {
            "every name".to_string()
        } else {
            format!("names matching {}", p.name_patterns.join(" | "))
        };
        let line = match (p.actions.contains(&a), p.policy.grants(&principal.user)) {
            (false, _) => format!(
                "{}: covers {} but does not list {}.",
                p.name,
                t.name(),
                a.name()
            ),
            (true, true) => format!(
                "{}: grants {} on {scope} ({}).",
                p.name,
                a.name(),
                p.policy.describe()
            ),
            (true, false) => format!(
                "{}: lists {} on {scope}, but its policy ({}) does not include {}.",
                p.name,
                a.name(),
                p.policy.describe(),
                principal.label
            ),
        };
        out.push(line);
    }
    if out.is_empty() {
        out.push(format!(
            "No permission covers {}: every request is denied.",
            t.name()
        ));
    }
    for o in denied.iter().take(3) {
        let d = evaluator.evaluate(&principal.user, o, &[a]);
        out.push(format!("Denied on {}: {}.", o.name, reason_text(d.reason)));
    }
    if denied.len() > 3 {
        out.push(format!("… and {} more denied.", denied.len() - 3));
    }
    out
}

fn user_view<'a>(
    evaluator: &PermissionEvaluator,
    user: &User,
    objects: impl Iterator<Item = &'a Resource>,
    query: &ViewQuery,
) -> UserView {
    let mut requests: Vec<Vec<Action>> = Action::ALL
        .iter()
        .filter(|a| matches_filter(a.name(), &query.action))
        .map(|a| vec![*a])
        .collect();
    requests.push(Action::UPDATE_REQUEST.to_vec());
    let rows = objects
        .map(|o| UserRow {
            object_type: o.resource_type.name().to_string(),
            name: o.name.clone(),
            cells: requests
                .iter()
                .map(|r| {
                    let d = evaluator.evaluate(user, o, r);
                    let why = match (&d.outcome, &d.granted_by) {
                        (Outcome::Allow, Some(p)) => format!("granted by {p}"),
                        (Outcome::Error(e) | Outcome::Unknown(e), _) => e.clone(),
                        _ => reason_text(d.reason).to_string(),
                    };
                    UserCell {
                        allowed: d.outcome == Outcome::Allow,
                        why,
                    }
                })
                .collect(),
        })
        .collect();
    UserView {
        user: format!(
            "roles [{}], groups [{}], namespaces [{}]",
            user.roles.join(", "),
            user.groups.join(", "),
            user.namespaces.join(", ")
        ),
        actions: requests
            .iter()
            .map(|r| r.iter().map(|a| a.name()).collect::<Vec<_>>().join("+"))
            .collect(),
        rows,
    }
}

#[cfg(test)]
mod tests;
