//! Feast's access decision (`feast.permissions.enforcer.enforce_policy`), with its explanation.
//!
//! The rules, checked against Feast 0.67.0: a permission matches an object by type (with
//! subclasses), name patterns and, for Permission objects only, required tags; it must list every
//! requested action; one matching permission whose policy grants is enough; matching
//! permissions that all deny, or none matching, deny; a project without permissions allows any
//! user with a name.

use serde::Serialize;

use super::matching::{CompiledPermission, MatchState, NameVerdict, TagVerdict};
use super::model::{Action, PermissionSpec, Resource, User};

/// The answer to a single-object request (Get, Apply, Delete: Feast's assert mode).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "detail", rename_all = "snake_case")]
pub enum Outcome {
    Allow,
    Deny,
    /// Python raises something other than a permission error (an invalid pattern): HTTP 500.
    Error(String),
    /// Depends on a pattern the console cannot evaluate.
    Unknown(String),
}

/// What a List call (Feast's filter mode) does with the object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "detail", rename_all = "snake_case")]
pub enum ListOutcome {
    Allow,
    /// Silently left out of the list.
    FilteredOut,
    /// The whole List call fails with a permission error (HTTP 403).
    FailsCall,
    Error(String),
    Unknown(String),
}

/// Why the decision came out the way it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionReason {
    /// The project has no permissions: any user with a name is allowed.
    NoPermissionsDefined,
    /// No permissions and no user name: Feast refuses.
    NoPermissionsNoUser,
    Granted,
    /// Permissions matched, and every one of them denied.
    AllMatchingDenied,
    NoMatchingPermission,
    PatternError,
    Undecidable,
}

/// One permission's part in a decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PermissionVerdict {
    pub index: usize,
    pub name: String,
    pub type_covers: bool,
    pub name_match: Option<NameVerdict>,
    pub tags: Option<TagVerdict>,
    /// Requested actions this permission does not list (it must list all of them).
    pub missing_actions: Vec<Action>,
    pub matches: MatchState,
    pub policy: String,
    pub policy_grants: bool,
    /// One line a person can read.
    pub explanation: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub outcome: Outcome,
    pub list_outcome: ListOutcome,
    /// The decision if `required_tags` filtered on the object's tags, as its authors mean.
    pub intended: Outcome,
    pub reason: DecisionReason,
    /// Names of the matching permissions (in registry order).
    pub matching_permissions: Vec<String>,
    /// The first matching permission whose policy grants (Feast stops there).
    pub granted_by: Option<String>,
    /// Every permission whose types cover the object.
    pub permissions: Vec<PermissionVerdict>,
}

/// The permissions of one project, ready to answer requests.
#[derive(Clone, Debug, Default)]
pub struct PermissionEvaluator {
    permissions: Vec<CompiledPermission>,
}

impl PermissionEvaluator {
    /// `permissions` in registry row order (it only matters for List calls).
    pub fn new(permissions: &[PermissionSpec]) -> Self {
        PermissionEvaluator {
            permissions: permissions.iter().map(CompiledPermission::new).collect(),
        }
    }

    pub fn permissions(&self) -> &[CompiledPermission] {
        &self.permissions
    }

    /// Feast's decision for `user` requesting all of `actions` on `resource`, explained.
    pub fn evaluate(&self, user: &User, resource: &Resource, actions: &[Action]) -> Decision {
        let actual = self.matches(resource, actions, false);
        let intended = self.matches(resource, actions, true);
        let grants = self.grants(user);
        let (outcome, reason) = self.assert_outcome(user, &actual, &grants);
        let (intended_outcome, _) = self.assert_outcome(user, &intended, &grants);
        let list_outcome = self.list_outcome(user, resource, &actual, &grants);
        let matching_permissions = self
            .permissions
            .iter()
            .zip(&actual)
            .filter(|(_, m)| **m == MatchState::Yes)
            .map(|(p, _)| p.spec.name.clone())
            .collect();
        let granted_by = self
            .permissions
            .iter()
            .zip(actual.iter().zip(&grants))
            .find(|(_, (m, g))| **m == MatchState::Yes && **g)
            .map(|(p, _)| p.spec.name.clone());
        let permissions = self
            .permissions
            .iter()
            .enumerate()
            .filter(|(_, p)| p.covers(resource.resource_type))
            .map(|(i, p)| verdict(i, p, resource, actions, &actual[i], grants[i]))
            .collect();
        Decision {
            outcome,
            list_outcome,
            intended: intended_outcome,
            reason,
            matching_permissions,
            granted_by,
            permissions,
        }
    }

    /// Only the outcome of a single-object request, without building the explanation.
    pub fn outcome(&self, user: &User, resource: &Resource, actions: &[Action]) -> Outcome {
        let actual = self.matches(resource, actions, false);
        self.assert_outcome(user, &actual, &self.grants(user)).0
    }

    /// Each permission's match of `resource` and `actions`, in registry order; `intended`
    /// applies required tags to the object's own tags (see `match_resource`).
    fn matches(&self, resource: &Resource, actions: &[Action], intended: bool) -> Vec<MatchState> {
        self.permissions
            .iter()
            .map(|p| combine_actions(p, p.match_resource(resource, intended), actions))
            .collect()
    }

    /// Whether each permission's policy grants `user`, in registry order.
    fn grants(&self, user: &User) -> Vec<bool> {
        self.permissions
            .iter()
            .map(|p| p.spec.policy.grants(user))
            .collect()
    }

    fn assert_outcome(
        &self,
        user: &User,
        matches: &[MatchState],
        grants: &[bool],
    ) -> (Outcome, DecisionReason) {
        if self.permissions.is_empty() {
            return if user.username.is_empty() {
                (Outcome::Deny, DecisionReason::NoPermissionsNoUser)
            } else {
                (Outcome::Allow, DecisionReason::NoPermissionsDefined)
            };
        }
        // Every permission's match is computed before any policy is consulted, so a pattern
        // that raises anywhere fails the request.
        if let Some(MatchState::Error(e)) =
            matches.iter().find(|m| matches!(m, MatchState::Error(_)))
        {
            return (Outcome::Error(e.clone()), DecisionReason::PatternError);
        }
        if let Some(MatchState::Unknown { reason, .. }) = matches.iter().find(|m| {
            matches!(
                m,
                MatchState::Unknown {
                    maybe_error: true,
                    ..
                }
            )
        }) {
            return (
                Outcome::Unknown(reason.clone()),
                DecisionReason::Undecidable,
            );
        }
        if matches
            .iter()
            .zip(grants)
            .any(|(m, g)| *m == MatchState::Yes && *g)
        {
            return (Outcome::Allow, DecisionReason::Granted);
        }
        if let Some((MatchState::Unknown { reason, .. }, _)) = matches
            .iter()
            .zip(grants)
            .find(|(m, g)| matches!(m, MatchState::Unknown { .. }) && **g)
        {
            return (
                Outcome::Unknown(reason.clone()),
                DecisionReason::Undecidable,
            );
        }
        if matches
            .iter()
            .any(|m| matches!(m, MatchState::Yes | MatchState::Unknown { .. }))
        {
            (Outcome::Deny, DecisionReason::AllMatchingDenied)
        } else {
            (Outcome::Deny, DecisionReason::NoMatchingPermission)
        }
    }

    /// Filter mode: the same decision, except that a denial either drops the object or fails
    /// the whole call, depending on whether the last matching permission (in registry order) has
    /// name patterns, or, with no matching permission, whether any permission of the object's
    /// type has name patterns.
    fn list_outcome(
        &self,
        user: &User,
        resource: &Resource,
        matches: &[MatchState],
        grants: &[bool],
    ) -> ListOutcome {
        if self.permissions.is_empty() {
            return if user.username.is_empty() {
                ListOutcome::FailsCall
            } else {
                ListOutcome::Allow
            };
        }
        if let Some(MatchState::Error(e)) =
            matches.iter().find(|m| matches!(m, MatchState::Error(_)))
        {
            return ListOutcome::Error(e.clone());
        }
        if let Some(MatchState::Unknown { reason, .. }) = matches
            .iter()
            .find(|m| matches!(m, MatchState::Unknown { .. }))
        {
            return ListOutcome::Unknown(reason.clone());
        }
        let matching: Vec<usize> = (0..matches.len())
            .filter(|&i| matches[i] == MatchState::Yes)
            .collect();
        if matching.iter().any(|&i| grants[i]) {
            return ListOutcome::Allow;
        }
        let has_patterns = |i: usize| !self.permissions[i].spec.name_patterns.is_empty();
        if let Some(&last) = matching.last() {
            return if has_patterns(last) {
                ListOutcome::FilteredOut
            } else {
                ListOutcome::FailsCall
            };
        }
        let typed: Vec<usize> = (0..self.permissions.len())
            .filter(|&i| self.permissions[i].covers(resource.resource_type))
            .collect();
        if typed.iter().any(|&i| has_patterns(i)) {
            ListOutcome::FilteredOut
        } else {
            ListOutcome::FailsCall
        }
    }
}

/// `p.match_resource(r) and p.match_actions(actions)`.
fn combine_actions(p: &CompiledPermission, m: MatchState, actions: &[Action]) -> MatchState {
    if p.spec.lists_all(actions) {
        return m;
    }
    match m {
        // The name was still evaluated (and may raise) before the actions were compared.
        MatchState::Error(_)
        | MatchState::Unknown {
            maybe_error: true, ..
        } => m,
        _ => MatchState::No,
    }
}

fn verdict(
    index: usize,
    p: &CompiledPermission,
    resource: &Resource,
    actions: &[Action],
    matches: &MatchState,
    policy_grants: bool,
) -> PermissionVerdict {
    let name_match = p.name_verdict(&resource.name);
    let tags = p.tag_verdict(resource);
    let missing_actions: Vec<Action> = actions
        .iter()
        .copied()
        .filter(|a| !p.spec.actions.contains(a))
        .collect();
    let explanation = explain(
        p,
        &name_match,
        &tags,
        &missing_actions,
        matches,
        policy_grants,
    );
    PermissionVerdict {
        index,
        name: p.spec.name.clone(),
        type_covers: true,
        name_match: Some(name_match),
        tags: Some(tags),
        missing_actions,
        matches: matches.clone(),
        policy: p.spec.policy.describe(),
        policy_grants,
        explanation,
    }
}

fn explain(
    p: &CompiledPermission,
    name: &NameVerdict,
    tags: &TagVerdict,
    missing: &[Action],
    matches: &MatchState,
    grants: bool,
) -> String {
    let name_part = match name {
        NameVerdict::AnyName => "no name patterns (any name)".to_string(),
        NameVerdict::Matched { pattern } => format!("name matches {pattern:?}"),
        NameVerdict::NoPatternMatched => {
            "name matches none of its patterns (re.fullmatch)".to_string()
        }
        NameVerdict::Unknown {
            pattern, reason, ..
        } => format!("pattern {pattern:?} cannot be evaluated: {reason}"),
        NameVerdict::Error { pattern, message } => {
            format!("pattern {pattern:?} makes Feast fail: {message}")
        }
    };
    let tag_part = match tags {
        TagVerdict::NotRequired => String::new(),
        TagVerdict::Matched => "; required tags match".to_string(),
        TagVerdict::Mismatch { key, wanted, found } => {
            format!("; required tag {key}={wanted:?} not met (found {found:?})")
        }
        TagVerdict::IgnoredByFeast {
            intended_match: true,
        } => "; required tags ignored by Feast (the object's tags would satisfy them)".to_string(),
        TagVerdict::IgnoredByFeast {
            intended_match: false,
        } => "; required tags ignored by Feast (the object's tags do NOT satisfy them, so this \
             permission applies against its author's intent)"
            .to_string(),
    };
    let action_part = if missing.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = missing.iter().map(|a| a.name()).collect();
        format!("; does not list {}", names.join(", "))
    };
    let result = match (matches, grants) {
        (MatchState::Yes, true) => format!("matches and grants ({})", p.spec.policy.describe()),
        (MatchState::Yes, false) => format!(
            "matches but denies: user has none of {}",
            p.spec.policy.describe()
        ),
        (MatchState::No, _) => "does not match".to_string(),
        (MatchState::Unknown { .. }, _) => "match undecidable".to_string(),
        (MatchState::Error(_), _) => "raises".to_string(),
    };
    format!(
        "{}: {result}: {name_part}{tag_part}{action_part}",
        p.spec.name
    )
}

#[cfg(test)]
mod tests;
