//! Why one matrix cell is what it is, computed when the cell is opened (the page carries only
//! each cell's counts and its key, so a big project's page stays small).

use serde::{Deserialize, Serialize};

use super::query::{matrix_axes, MatrixAxes, ViewQuery};
use crate::permissions::access::{effective_access, Access, Principal};
use crate::permissions::evaluator::{DecisionReason, PermissionEvaluator};
use crate::permissions::model::{Action, PermissionSpec, ProjectData, Resource, ResourceType};

/// The explanation of one cell: which permissions decide it and how, and a few denied objects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellExplanation {
    pub key: String,
    pub principal: String,
    pub object_type: String,
    pub action: String,
    pub allowed: usize,
    pub total: usize,
    /// One line each.
    pub lines: Vec<String>,
}

/// Longest key accepted: two indexes and a dot.
const KEY_LIMIT: usize = 24;

/// The key of the cell in row `principal` and column `column` of the matrix for one query.
pub fn cell_key(principal: usize, column: usize) -> String {
    format!("{principal}.{column}")
}

fn parse_key(key: &str) -> Option<(usize, usize)> {
    if key.len() > KEY_LIMIT {
        return None;
    }
    let (p, c) = key.split_once('.')?;
    Some((p.parse().ok()?, c.parse().ok()?))
}

/// The explanation of the cell `key` of the matrix `query` shows; None when there is no such
/// cell (a stale or malformed key).
pub fn cell_explanation(
    data: &ProjectData,
    query: &ViewQuery,
    key: &str,
    evaluator: &PermissionEvaluator,
) -> Option<CellExplanation> {
    let axes = matrix_axes(data, query, &mut Vec::new());
    explain_from_axes(&axes, &data.permissions, key, evaluator)
}

/// [`cell_explanation`] over axes already built.
pub(super) fn explain_from_axes(
    axes: &MatrixAxes,
    perms: &[PermissionSpec],
    key: &str,
    evaluator: &PermissionEvaluator,
) -> Option<CellExplanation> {
    let (pi, ci) = parse_key(key)?;
    let principal = axes.principals.get(pi)?;
    let (t, a) = *axes.columns.get(ci)?;
    let of_type: Vec<Resource> = axes
        .objects
        .iter()
        .filter(|o| o.resource_type == t)
        .cloned()
        .collect();
    let access = effective_access(
        evaluator,
        std::slice::from_ref(principal),
        &of_type,
        &[vec![a]],
        false,
    );
    let denied: Vec<&Resource> = (0..of_type.len())
        .filter(|oi| access.get(0, *oi, 0) != Access::Allow)
        .map(|oi| &of_type[oi])
        .collect();
    Some(CellExplanation {
        key: key.to_string(),
        principal: principal.label.clone(),
        object_type: t.name().to_string(),
        action: a.name().to_string(),
        allowed: of_type.len() - denied.len(),
        total: of_type.len(),
        lines: explain_cell(perms, evaluator, principal, t, a, &denied),
    })
}

pub(super) fn reason_text(reason: DecisionReason) -> &'static str {
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

/// The permissions covering the type, whether each lists the action and grants the principal,
/// and the reason for a few denied objects.
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
