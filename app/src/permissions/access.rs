//! Effective access in bulk: Feast's single-object decision for every principal × object ×
//! request, fast enough to recompute in the browser while a permission is edited.
//!
//! Same rules as `PermissionEvaluator::outcome` (the tests check they agree), but organised
//! around bit sets: per object, which permissions match; per principal, which grant; per
//! request, which list every action. A cell is allowed when the three intersect.

use std::collections::HashMap;

use serde::Serialize;

use super::evaluator::PermissionEvaluator;
use super::matching::{CompiledPermission, NameState};
use super::model::{Action, Resource, User};

/// One cell of effective access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Allow,
    Deny,
    /// Feast fails the request (a pattern Python cannot compile).
    Error,
    /// Depends on a pattern the console cannot evaluate.
    Unknown,
}

/// A principal: a label for people and the user Feast would see.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Principal {
    pub label: String,
    pub user: User,
}

impl Principal {
    pub fn new(label: impl Into<String>, user: User) -> Self {
        Principal {
            label: label.into(),
            user,
        }
    }
}

/// Fixed-size bit set over permission indexes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Bits(Vec<u64>);

impl Bits {
    pub(crate) fn new(len: usize) -> Self {
        Bits(vec![0; len.div_ceil(64)])
    }
    pub(crate) fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    fn and(&self, other: &Bits) -> Bits {
        Bits(self.0.iter().zip(&other.0).map(|(a, b)| a & b).collect())
    }
    fn intersects(&self, other: &Bits) -> bool {
        self.0.iter().zip(&other.0).any(|(a, b)| a & b != 0)
    }
}

/// The match of every permission against one object, as bit sets.
struct ObjectMatches {
    yes: Bits,
    unknown: Bits,
    /// Python raises for this object whatever is asked.
    error: bool,
    maybe_error: bool,
}

/// Effective access for `principals × objects × requests`; `requests[r]` is one request needing
/// all of its actions (e.g. `[DESCRIBE, UPDATE]` for an update).
#[derive(Clone, Debug, Serialize)]
pub struct EffectiveAccess {
    pub principals: Vec<Principal>,
    pub objects: Vec<Resource>,
    pub requests: Vec<Vec<Action>>,
    cells: Vec<Access>,
}

impl EffectiveAccess {
    pub fn get(&self, principal: usize, object: usize, request: usize) -> Access {
        self.cells[(principal * self.objects.len() + object) * self.requests.len() + request]
    }

    pub fn cells(&self) -> &[Access] {
        &self.cells
    }
}

/// The eight single-action requests, in proto order.
pub fn single_action_requests() -> Vec<Vec<Action>> {
    Action::ALL.iter().map(|a| vec![*a]).collect()
}

/// Computes effective access. `intended` applies `required_tags` to object tags (what the
/// permission's author meant) instead of Feast's real rule.
pub fn effective_access(
    evaluator: &PermissionEvaluator,
    principals: &[Principal],
    objects: &[Resource],
    requests: &[Vec<Action>],
    intended: bool,
) -> EffectiveAccess {
    let perms = evaluator.permissions();
    let mut cells = Vec::with_capacity(principals.len() * objects.len() * requests.len());
    if perms.is_empty() {
        // No permissions: any named user may do anything.
        for p in principals {
            let a = if p.user.username.is_empty() {
                Access::Deny
            } else {
                Access::Allow
            };
            cells.extend(std::iter::repeat_n(a, objects.len() * requests.len()));
        }
        return EffectiveAccess {
            principals: principals.to_vec(),
            objects: objects.to_vec(),
            requests: requests.to_vec(),
            cells,
        };
    }
    let listing: Vec<Bits> = requests
        .iter()
        .map(|req| bits_where(perms, |p| p.spec.lists_all(req)))
        .collect();
    let granting: Vec<Bits> = principals
        .iter()
        .map(|pr| bits_where(perms, |p| p.spec.policy.grants(&pr.user)))
        .collect();
    let matcher = ObjectMatcher::new(perms);
    cells.resize(
        principals.len() * objects.len() * requests.len(),
        Access::Deny,
    );
    let stride = objects.len() * requests.len();
    // Object by object, so that the object's candidate sets and all principals' grant sets stay
    // in cache; per object and request, the permissions that match and list the actions.
    for (oi, object) in objects.iter().enumerate() {
        let m = matcher.matches(object, intended);
        let base = oi * requests.len();
        if m.error || m.maybe_error {
            let a = if m.error {
                Access::Error
            } else {
                Access::Unknown
            };
            for pi in 0..principals.len() {
                cells[pi * stride + base..pi * stride + base + requests.len()].fill(a);
            }
            continue;
        }
        let has_unknown = m.unknown.0.iter().any(|w| *w != 0);
        let yes: Vec<Bits> = listing.iter().map(|l| m.yes.and(l)).collect();
        let unknown: Vec<Bits> = if has_unknown {
            listing.iter().map(|l| m.unknown.and(l)).collect()
        } else {
            Vec::new()
        };
        for (pi, grant) in granting.iter().enumerate() {
            for ri in 0..requests.len() {
                let cell = if yes[ri].intersects(grant) {
                    Access::Allow
                } else if has_unknown && unknown[ri].intersects(grant) {
                    Access::Unknown
                } else {
                    continue; // already Deny
                };
                cells[pi * stride + base + ri] = cell;
            }
        }
    }
    EffectiveAccess {
        principals: principals.to_vec(),
        objects: objects.to_vec(),
        requests: requests.to_vec(),
        cells,
    }
}

fn bits_where(perms: &[CompiledPermission], f: impl Fn(&CompiledPermission) -> bool) -> Bits {
    let mut b = Bits::new(perms.len());
    for (i, p) in perms.iter().enumerate() {
        if f(p) {
            b.set(i);
        }
    }
    b
}

/// Matches objects against all permissions, evaluating each distinct pattern list once per
/// object name (real permission sets repeat the same patterns across many permissions).
struct ObjectMatcher<'a> {
    perms: &'a [CompiledPermission],
    /// Index of each permission's pattern list among the distinct lists.
    list_of: Vec<usize>,
    /// A permission holding each distinct list, to evaluate it.
    representative: Vec<usize>,
}

impl<'a> ObjectMatcher<'a> {
    fn new(perms: &'a [CompiledPermission]) -> Self {
        let mut index: HashMap<&[String], usize> = HashMap::new();
        let mut representative = Vec::new();
        let list_of = perms
            .iter()
            .enumerate()
            .map(|(i, p)| {
                *index.entry(&p.spec.name_patterns).or_insert_with(|| {
                    representative.push(i);
                    representative.len() - 1
                })
            })
            .collect();
        ObjectMatcher {
            perms,
            list_of,
            representative,
        }
    }

    fn matches(&self, object: &Resource, intended: bool) -> ObjectMatches {
        let n = self.perms.len();
        let mut m = ObjectMatches {
            yes: Bits::new(n),
            unknown: Bits::new(n),
            error: false,
            maybe_error: false,
        };
        let mut names: Vec<Option<NameState>> = vec![None; self.representative.len()];
        for (i, p) in self.perms.iter().enumerate() {
            if !p.covers(object.resource_type) {
                continue;
            }
            let list = self.list_of[i];
            let state = *names[list].get_or_insert_with(|| {
                self.perms[self.representative[list]]
                    .name_scan(&object.name)
                    .state
            });
            match state {
                NameState::NoMatch => continue,
                NameState::Error => {
                    m.error = true;
                    continue;
                }
                NameState::Unknown { maybe_error } => m.maybe_error |= maybe_error,
                NameState::Match => {}
            }
            let tags_ok = if intended {
                p.intended_tag_match(object)
            } else {
                p.feast_tags_match(object)
            };
            if !tags_ok {
                continue;
            }
            if state == NameState::Match {
                m.yes.set(i);
            } else {
                m.unknown.set(i);
            }
        }
        m
    }
}
