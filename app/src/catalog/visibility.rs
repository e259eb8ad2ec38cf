//! What a person may see of a registry: Feast's DESCRIBE decision for their Feast identity,
//! object by object, made by the console's own evaluator over the console's full read.
//!
//! Fail closed: no identity sees nothing; an object the evaluator cannot decide (a pattern it
//! answers *unknown* for, one Python would reject, a permission of its project that could not
//! be decoded) is hidden and counted, so the page can say so once. Pure: the server caches the
//! result per (snapshot, identity) and answers [`super::query::Visibility`] from it.

use std::collections::BTreeMap;

use super::model::{CatalogObject, ObjectKind};
use crate::auth::identity::Identity;
use crate::permissions::evaluator::{Outcome, PermissionEvaluator};
use crate::permissions::from_catalog::{permission_spec, resource_of};
use crate::permissions::model::{Action, PermissionSpec, User};

/// Who sees what (`catalog_visibility`, `catalog_visibility_admins`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VisibilityRule {
    /// Each object only to people Feast would let DESCRIBE it.
    Feast,
    /// Everything to every signed-in viewer.
    All,
}

impl VisibilityRule {
    pub fn parse(text: &str) -> Option<VisibilityRule> {
        match text.trim() {
            "feast" | "" => Some(VisibilityRule::Feast),
            "all" => Some(VisibilityRule::All),
            _ => None,
        }
    }
}

/// The user Feast's checks see for a signed-in identity (`feast.permissions.user.User`).
pub fn feast_user(identity: &Identity) -> User {
    User {
        username: identity.username.clone(),
        roles: identity.feast_roles.clone(),
        groups: identity.groups.clone(),
        namespaces: identity.namespaces.clone(),
    }
}

/// Which objects of one registry a user may DESCRIBE, one bit per object in the order given
/// to [`describable`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Describable {
    bits: Vec<u64>,
    len: usize,
    /// Objects hidden because the evaluator could not decide for them.
    pub undecided: usize,
}

impl Describable {
    /// A decision given object by object, in position order (tests, tools).
    pub fn from_allowed(allowed: impl IntoIterator<Item = bool>) -> Describable {
        let allowed: Vec<bool> = allowed.into_iter().collect();
        let mut out = Describable {
            bits: vec![0; allowed.len().div_ceil(64)],
            len: allowed.len(),
            undecided: 0,
        };
        for (i, _) in allowed.iter().enumerate().filter(|(_, a)| **a) {
            out.set(i);
        }
        out
    }

    pub fn allows(&self, index: usize) -> bool {
        index < self.len && self.bits[index / 64] & (1 << (index % 64)) != 0
    }

    /// How many objects are visible.
    pub fn visible(&self) -> usize {
        self.bits.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Memory held, for the cache's byte bound.
    pub fn heap_bytes(&self) -> usize {
        self.bits.capacity() * std::mem::size_of::<u64>()
    }

    fn set(&mut self, index: usize) {
        self.bits[index / 64] |= 1 << (index % 64);
    }
}

/// Each project's permissions, ready to decide; a project with a permission the console could
/// not decode cannot be decided at all.
struct ProjectRules {
    evaluator: PermissionEvaluator,
    undecodable: bool,
}

/// One object's DESCRIBE decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny,
    /// The evaluator could not decide (hidden, and counted).
    Undecided,
}

/// A registry's permissions, per project, ready to decide DESCRIBE for any object of it: the
/// objects of the snapshot they were read from ([`describable`]) or copies of objects kept
/// elsewhere (a history entry's object, decided with the registry's current permissions).
pub struct DescribeRules {
    rules: BTreeMap<String, ProjectRules>,
    open: PermissionEvaluator,
    server_project: Option<String>,
}

impl DescribeRules {
    /// The permission objects of `objects` (a whole registry) decide for their project.
    ///
    /// Project objects are decided by the permissions of `server_project` when given (a Feast
    /// registry server decides `GetProject` with its own `feature_store.yaml` project), else by
    /// their own project's permissions (a shared SQL or file registry has no server project).
    pub fn new<'a>(
        objects: impl IntoIterator<Item = &'a CatalogObject>,
        server_project: Option<&str>,
    ) -> DescribeRules {
        let mut specs: BTreeMap<String, (Vec<PermissionSpec>, bool)> = BTreeMap::new();
        for o in objects
            .into_iter()
            .filter(|o| o.kind == ObjectKind::Permission)
        {
            let entry = specs.entry(o.project.to_string()).or_default();
            let mut notes = Vec::new();
            match permission_spec(o, &mut notes) {
                // A type or action name this console does not know could widen or narrow what
                // the permission grants: undecidable, like a permission that could not be read.
                Some(spec) if notes.is_empty() => entry.0.push(spec),
                _ => entry.1 = true,
            }
        }
        let rules = specs
            .into_iter()
            .map(|(project, (specs, undecodable))| {
                let evaluator = PermissionEvaluator::new(&specs);
                (
                    project,
                    ProjectRules {
                        evaluator,
                        undecodable,
                    },
                )
            })
            .collect();
        DescribeRules {
            rules,
            open: PermissionEvaluator::new(&[]),
            server_project: server_project.map(str::to_string),
        }
    }

    /// Feast's DESCRIBE decision for `user` on `object` (assert mode: the answer Feast's
    /// server gives when that one object is asked for).
    pub fn decide(&self, user: &User, object: &CatalogObject) -> Decision {
        let deciding = match (object.kind, &self.server_project) {
            (ObjectKind::Project, Some(server)) => server.as_str(),
            _ => object.project.as_str(),
        };
        let (evaluator, undecodable) = match self.rules.get(deciding) {
            Some(r) => (&r.evaluator, r.undecodable),
            None => (&self.open, false),
        };
        if undecodable {
            return Decision::Undecided;
        }
        match evaluator.outcome(user, &resource_of(object), &[Action::Describe]) {
            Outcome::Allow => Decision::Allow,
            Outcome::Deny => Decision::Deny,
            Outcome::Error(_) | Outcome::Unknown(_) => Decision::Undecided,
        }
    }
}

/// Feast's DESCRIBE decision for `user` on each of `objects` (a whole registry: its permission
/// objects decide for their project; see [`DescribeRules`]). `None` (no identity) sees nothing.
pub fn describable(
    objects: &[&CatalogObject],
    user: Option<&User>,
    server_project: Option<&str>,
) -> Describable {
    let mut out = Describable {
        bits: vec![0; objects.len().div_ceil(64)],
        len: objects.len(),
        undecided: 0,
    };
    let Some(user) = user else {
        return out;
    };
    let rules = DescribeRules::new(objects.iter().copied(), server_project);
    for (i, o) in objects.iter().enumerate() {
        // Feast's `__dummy` entity is never shown, whatever the decision: not deciding it keeps
        // it out of the undecided count the page reports.
        if o.is_internal() {
            continue;
        }
        match rules.decide(user, o) {
            Decision::Allow => out.set(i),
            Decision::Deny => {}
            Decision::Undecided => out.undecided += 1,
        }
    }
    out
}

#[cfg(test)]
#[path = "visibility_tests.rs"]
mod tests;
