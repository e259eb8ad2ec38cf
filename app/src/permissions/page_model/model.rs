//! What the permissions page shows, computed from one project: the principals × (type ×
//! action) matrix (counts per cell; a cell's explanation is computed when it is opened, see
//! [`super::explain`]), the lints, who may do what per object (a page of objects at a time),
//! and everything one user may do. Pure; the page only renders it.

use serde::{Deserialize, Serialize};

use super::explain::{explain_from_axes, reason_text, CellExplanation};
use super::query::{matches_filter, matrix_axes, split, MatrixAxes, ViewQuery};
use crate::permissions::access::{effective_access, single_action_requests, Access, Principal};
use crate::permissions::evaluator::{Outcome, PermissionEvaluator};
use crate::permissions::lints::{lint_project_with, LintContext};
use crate::permissions::model::ProjectData;
use crate::permissions::model::{Action, PermissionSpec, Resource, ResourceType, User};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PermissionRow {
    pub name: String,
    pub types: String,
    pub name_patterns: String,
    pub required_tags: String,
    pub actions: String,
    pub policy: String,
}

/// Sent as `[allowed, total]`: a big matrix has thousands of cells.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "(usize, usize)", into = "(usize, usize)")]
pub struct CellView {
    pub allowed: usize,
    pub total: usize,
}

impl From<(usize, usize)> for CellView {
    fn from((allowed, total): (usize, usize)) -> Self {
        CellView { allowed, total }
    }
}

impl From<CellView> for (usize, usize) {
    fn from(c: CellView) -> Self {
        (c.allowed, c.total)
    }
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
    /// This page of the objects the filters keep.
    pub objects: Vec<ObjectAccess>,
    /// Which page `objects` is (1-based), of how many, over how many objects.
    pub objects_page: usize,
    pub objects_pages: usize,
    pub objects_total: usize,
    pub as_user: Option<UserView>,
    /// The cell `query.explain` names, when it names one.
    pub explained: Option<CellExplanation>,
    pub notes: Vec<String>,
}

/// Objects per page of the per-object and as-a-user lists.
pub const OBJECTS_PER_PAGE: usize = 10;

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
    project_view_with_lints(data, query, evaluator, |extra| {
        lint_rows(data, extra, evaluator)
    })
}

/// The lints the page lists for `data` with the principals `extra` the query adds: they do not
/// depend on the filters, so the server keeps them per snapshot.
pub fn lint_rows(
    data: &ProjectData,
    extra: &[Principal],
    evaluator: &PermissionEvaluator,
) -> Vec<LintRow> {
    lint_project_with(
        &LintContext {
            project: &data.project,
            permissions: &data.permissions,
            objects: &data.objects,
            extra_principals: extra,
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
    .collect()
}

/// [`project_view_with`] with the lints from `lints` (given the principals the query adds).
pub fn project_view_with_lints(
    data: &ProjectData,
    query: &ViewQuery,
    evaluator: &PermissionEvaluator,
    lints: impl FnOnce(&[Principal]) -> Vec<LintRow>,
) -> ProjectView {
    let mut notes = data.notes.clone();
    let perms = &data.permissions;
    let axes = matrix_axes(data, query, &mut notes);
    let explained = (!query.explain.is_empty())
        .then(|| explain_from_axes(&axes, perms, &query.explain, evaluator))
        .flatten();
    let MatrixAxes {
        objects,
        principals,
        columns,
        extra,
    } = axes;
    let requests = single_action_requests();
    let access = effective_access(evaluator, &principals, &objects, &requests, false);
    let rows = (0..principals.len())
        .map(|pi| {
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
                    CellView {
                        allowed,
                        total: of_type.len(),
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

    let lints = lints(&extra);

    let shown: Vec<usize> = (0..objects.len())
        .filter(|oi| matches_filter(objects[*oi].resource_type.name(), &query.r#type))
        .filter(|oi| query.object.is_empty() || objects[*oi].name.contains(query.object.trim()))
        .collect();
    let objects_total = shown.len();
    let objects_pages = objects_total.div_ceil(OBJECTS_PER_PAGE).max(1);
    let objects_page = query
        .page
        .trim()
        .parse::<usize>()
        .unwrap_or(1)
        .clamp(1, objects_pages);
    let from = (objects_page - 1) * OBJECTS_PER_PAGE;
    let shown = &shown[from.min(objects_total)..(from + OBJECTS_PER_PAGE).min(objects_total)];
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
        objects_page,
        objects_pages,
        objects_total,
        as_user,
        explained,
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
