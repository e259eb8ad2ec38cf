//! What the permissions page and the editor preview show: the principals × (type × action)
//! matrix, and who gains or loses which action on which objects when permissions change.

use std::collections::BTreeMap;

use serde::Serialize;

use super::access::{effective_access, single_action_requests, Access, EffectiveAccess, Principal};
use super::evaluator::PermissionEvaluator;
use super::model::{Action, PermissionSpec, Policy, Resource, ResourceType, User};

/// One principal per role, group and namespace named in any policy (plus `extra`, e.g. typed
/// in by the user), each holding only that value: the matrix rows.
pub fn principals_from_policies(
    permissions: &[PermissionSpec],
    extra: &[Principal],
) -> Vec<Principal> {
    let mut out: Vec<Principal> = Vec::new();
    let mut push = |label: String, user: User| {
        if !out.iter().any(|p| p.label == label) {
            out.push(Principal::new(label, user));
        }
    };
    for p in permissions {
        let (roles, groups, namespaces): (&[String], &[String], &[String]) = match &p.policy {
            Policy::RoleBased { roles } => (roles, &[], &[]),
            Policy::GroupBased { groups } => (&[], groups, &[]),
            Policy::NamespaceBased { namespaces } => (&[], &[], namespaces),
            Policy::CombinedGroupNamespace { groups, namespaces } => (&[], groups, namespaces),
            Policy::AllowAll => (&[], &[], &[]),
        };
        for r in roles {
            push(
                format!("role:{r}"),
                User {
                    username: format!("role:{r}"),
                    roles: vec![r.clone()],
                    ..User::default()
                },
            );
        }
        for g in groups {
            push(
                format!("group:{g}"),
                User {
                    username: format!("group:{g}"),
                    groups: vec![g.clone()],
                    ..User::default()
                },
            );
        }
        for n in namespaces {
            push(
                format!("namespace:{n}"),
                User {
                    username: format!("namespace:{n}"),
                    namespaces: vec![n.clone()],
                    ..User::default()
                },
            );
        }
    }
    for e in extra {
        push(e.label.clone(), e.user.clone());
    }
    out
}

/// How many objects of one type a principal may act on with one action.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MatrixCell {
    pub allowed: usize,
    pub denied: usize,
    pub error: usize,
    pub unknown: usize,
}

impl MatrixCell {
    pub fn total(&self) -> usize {
        self.allowed + self.denied + self.error + self.unknown
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct AccessMatrix {
    pub principals: Vec<Principal>,
    /// Column keys: each object type present, with each action.
    pub columns: Vec<(ResourceType, Action)>,
    /// `rows[principal][column]`.
    pub rows: Vec<Vec<MatrixCell>>,
}

/// The principals × (type × action) matrix over the objects of one project.
pub fn access_matrix(
    permissions: &[PermissionSpec],
    principals: &[Principal],
    objects: &[Resource],
) -> AccessMatrix {
    let evaluator = PermissionEvaluator::new(permissions);
    let requests = single_action_requests();
    let access = effective_access(&evaluator, principals, objects, &requests, false);
    let mut types: Vec<ResourceType> = objects.iter().map(|o| o.resource_type).collect();
    types.sort();
    types.dedup();
    let columns: Vec<(ResourceType, Action)> = types
        .iter()
        .flat_map(|t| Action::ALL.iter().map(move |a| (*t, *a)))
        .collect();
    let column_of: BTreeMap<(ResourceType, Action), usize> =
        columns.iter().enumerate().map(|(i, c)| (*c, i)).collect();
    let mut rows = vec![vec![MatrixCell::default(); columns.len()]; principals.len()];
    for (pi, row) in rows.iter_mut().enumerate() {
        for (oi, o) in objects.iter().enumerate() {
            for (ri, action) in Action::ALL.iter().enumerate() {
                let Some(&ci) = column_of.get(&(o.resource_type, *action)) else {
                    continue;
                };
                let cell = &mut row[ci];
                match access.get(pi, oi, ri) {
                    Access::Allow => cell.allowed += 1,
                    Access::Deny => cell.denied += 1,
                    Access::Error => cell.error += 1,
                    Access::Unknown => cell.unknown += 1,
                }
            }
        }
    }
    AccessMatrix {
        principals: principals.to_vec(),
        columns,
        rows,
    }
}

/// One changed cell between two permission sets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccessChange {
    pub principal: String,
    pub object: Resource,
    pub actions: Vec<Action>,
    pub before: Access,
    pub after: Access,
}

impl AccessChange {
    pub fn gained(&self) -> bool {
        self.after == Access::Allow && self.before != Access::Allow
    }
    pub fn lost(&self) -> bool {
        self.before == Access::Allow && self.after != Access::Allow
    }
}

/// Who gains or loses which request on which objects when `before` becomes `after`. Requests
/// are the eight single actions plus an update (`[DESCRIBE, UPDATE]`, what Feast really asks).
/// Principals come from both permission sets plus `extra`.
pub fn access_diff(
    before: &[PermissionSpec],
    after: &[PermissionSpec],
    extra: &[Principal],
    objects: &[Resource],
) -> Vec<AccessChange> {
    let mut principals = principals_from_policies(before, extra);
    for p in principals_from_policies(after, &[]) {
        if !principals.iter().any(|q| q.label == p.label) {
            principals.push(p);
        }
    }
    let mut requests = single_action_requests();
    requests.push(Action::UPDATE_REQUEST.to_vec());
    let old = effective_access(
        &PermissionEvaluator::new(before),
        &principals,
        objects,
        &requests,
        false,
    );
    let new = effective_access(
        &PermissionEvaluator::new(after),
        &principals,
        objects,
        &requests,
        false,
    );
    changes(&old, &new)
}

fn changes(old: &EffectiveAccess, new: &EffectiveAccess) -> Vec<AccessChange> {
    let mut out = Vec::new();
    for (pi, principal) in old.principals.iter().enumerate() {
        for (oi, object) in old.objects.iter().enumerate() {
            for (ri, request) in old.requests.iter().enumerate() {
                let (b, a) = (old.get(pi, oi, ri), new.get(pi, oi, ri));
                if a != b {
                    out.push(AccessChange {
                        principal: principal.label.clone(),
                        object: object.clone(),
                        actions: request.clone(),
                        before: b,
                        after: a,
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
