//! What each person sees of the registries: the one decision every page, search, export and
//! the permissions page go through.
//!
//! With `catalog_visibility = feast` (the default) it is Feast's DESCRIBE decision for the
//! person's Feast identity, made by the console's evaluator over the console's own full read
//! of each registry (`app::catalog::visibility::describable`). A decision is computed once
//! per (registry snapshot, identity) and kept in a cache with a byte bound; a new snapshot is
//! a new key, so it is decided again on first use and the old entry ages out.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use app::auth::{ConsoleRole, SessionView};
use app::catalog::model::CatalogObject;
use app::catalog::query::{Decided, Visibility};
use app::catalog::visibility::{describable, feast_user, Describable, VisibilityRule};
use app::permissions::model::User;
use sha2::{Digest, Sha256};

use super::cross_check::{pick, CrossCheck};
use crate::registry::refresher::Registries;
use crate::registry::snapshot::RegistrySnapshot;

/// Where each object of a snapshot sits in the order [`describable`] decided it in: shared by
/// every identity's decision on that snapshot, so an identity costs one bit per object.
struct SnapshotIndex {
    snapshot: Weak<RegistrySnapshot>,
    /// Object address (projects and objects are `Arc`s, so addresses are stable) to position.
    positions: HashMap<usize, u32>,
}

impl SnapshotIndex {
    fn build(snapshot: &Arc<RegistrySnapshot>) -> SnapshotIndex {
        let positions = ordered(snapshot)
            .enumerate()
            .map(|(i, o)| (address(o), i as u32))
            .collect();
        SnapshotIndex {
            snapshot: Arc::downgrade(snapshot),
            positions,
        }
    }

    fn heap_bytes(&self) -> usize {
        // hashbrown: a (key, value) slot plus a control byte per bucket, buckets >= 8/7 × len.
        self.positions.capacity() * (std::mem::size_of::<(usize, u32)>() + 1)
    }
}

/// Projects, then objects: the order decisions are made in.
fn ordered(snapshot: &RegistrySnapshot) -> impl Iterator<Item = &CatalogObject> {
    snapshot
        .projects
        .iter()
        .chain(snapshot.objects.iter())
        .map(|o| &**o)
}

fn address(object: &CatalogObject) -> usize {
    object as *const CatalogObject as usize
}

/// One identity's decision on one snapshot.
pub struct RegistryDecision {
    index: Arc<SnapshotIndex>,
    describable: Describable,
}

impl RegistryDecision {
    pub fn allows(&self, object: &CatalogObject) -> bool {
        // An object that is not in this snapshot (a copy) is not shown: fail closed.
        self.index
            .positions
            .get(&address(object))
            .is_some_and(|&i| self.describable.allows(i as usize))
    }

    fn heap_bytes(&self) -> usize {
        self.describable.heap_bytes()
    }

    pub fn visible(&self) -> usize {
        self.describable.visible()
    }
}

type DecisionKey = (usize, [u8; 32]);

struct CachedDecision {
    snapshot: Weak<RegistrySnapshot>,
    decision: Arc<RegistryDecision>,
    last_used: u64,
    bytes: usize,
}

#[derive(Default)]
struct CacheState {
    indexes: HashMap<usize, Arc<SnapshotIndex>>,
    decisions: HashMap<DecisionKey, CachedDecision>,
    bytes: usize,
    clock: u64,
}

impl CacheState {
    /// Drops entries whose snapshot is gone, then the least recently used until under `limit`.
    fn trim(&mut self, limit: usize) {
        self.indexes.retain(|_, i| i.snapshot.strong_count() > 0);
        self.decisions.retain(|_, d| d.snapshot.strong_count() > 0);
        self.bytes = self.decisions.values().map(|d| d.bytes).sum::<usize>()
            + self.indexes.values().map(|i| i.heap_bytes()).sum::<usize>();
        while self.bytes > limit {
            let Some(oldest) = self
                .decisions
                .iter()
                .min_by_key(|(_, d)| d.last_used)
                .map(|(k, _)| *k)
            else {
                break;
            };
            if let Some(d) = self.decisions.remove(&oldest) {
                self.bytes = self.bytes.saturating_sub(d.bytes);
            }
        }
    }
}

/// Figures for `/metrics` and the benchmark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheFigures {
    pub decisions: usize,
    pub bytes: usize,
}

/// Visibility decisions per (snapshot, identity), bounded by bytes.
pub struct VisibilityCache {
    limit_bytes: usize,
    state: Mutex<CacheState>,
}

impl VisibilityCache {
    pub fn new(limit_bytes: usize) -> VisibilityCache {
        VisibilityCache {
            limit_bytes,
            state: Mutex::new(CacheState::default()),
        }
    }

    /// `user`'s decision on `snapshot`, computed on first use.
    pub fn decision(
        &self,
        snapshot: &Arc<RegistrySnapshot>,
        user: Option<&User>,
    ) -> Arc<RegistryDecision> {
        let key = (Arc::as_ptr(snapshot) as usize, fingerprint(user));
        let index = {
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            state.clock += 1;
            let now = state.clock;
            if let Some(hit) = state.decisions.get_mut(&key) {
                if hit
                    .snapshot
                    .upgrade()
                    .is_some_and(|s| Arc::ptr_eq(&s, snapshot))
                {
                    hit.last_used = now;
                    return hit.decision.clone();
                }
            }
            let cached = state
                .indexes
                .get(&key.0)
                .filter(|i| {
                    i.snapshot
                        .upgrade()
                        .is_some_and(|s| Arc::ptr_eq(&s, snapshot))
                })
                .cloned();
            match cached {
                Some(index) => index,
                None => {
                    let index = Arc::new(SnapshotIndex::build(snapshot));
                    state.indexes.insert(key.0, index.clone());
                    index
                }
            }
        };
        // Decided outside the lock: other identities' pages are not held up.
        let objects: Vec<&CatalogObject> = ordered(snapshot).collect();
        let decision = Arc::new(RegistryDecision {
            index,
            describable: describable(&objects, user, None),
        });
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.clock += 1;
        let now = state.clock;
        let bytes = decision.heap_bytes() + std::mem::size_of::<CachedDecision>();
        state.decisions.insert(
            key,
            CachedDecision {
                snapshot: Arc::downgrade(snapshot),
                decision: decision.clone(),
                last_used: now,
                bytes,
            },
        );
        state.bytes += bytes;
        state.trim(self.limit_bytes);
        decision
    }

    pub fn figures(&self) -> CacheFigures {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        CacheFigures {
            decisions: state.decisions.len(),
            bytes: state.bytes,
        }
    }
}

/// A stable name for an identity as Feast sees it (not its token: a refreshed token keeps
/// its decisions).
fn fingerprint(user: Option<&User>) -> [u8; 32] {
    let mut hash = Sha256::new();
    match user {
        None => hash.update(b"\x00nobody"),
        Some(u) => {
            for part in [
                std::slice::from_ref(&u.username),
                &u.roles[..],
                &u.groups[..],
                &u.namespaces[..],
            ] {
                hash.update((part.len() as u64).to_le_bytes());
                for s in part {
                    hash.update((s.len() as u64).to_le_bytes());
                    hash.update(s.as_bytes());
                }
            }
        }
    }
    hash.finalize().into()
}

/// The catalog's visibility source: the configured rule, the registries and the cache.
pub struct CatalogVisibility {
    pub rule: VisibilityRule,
    pub admins: VisibilityRule,
    registries: Registries,
    cache: Arc<VisibilityCache>,
    /// Samples of the decisions checked against Feast's registry server (REST registries).
    pub cross_check: Arc<CrossCheck>,
}

impl CatalogVisibility {
    pub fn new(
        rule: VisibilityRule,
        admins: VisibilityRule,
        registries: Registries,
        cache: Arc<VisibilityCache>,
        cross_check: Arc<CrossCheck>,
    ) -> CatalogVisibility {
        CatalogVisibility {
            rule,
            admins,
            registries,
            cache,
            cross_check,
        }
    }

    /// [`Self::for_session`], and with the caller's Feast token, a background cross-check of
    /// a few decisions on each REST registry against Feast's own answers.
    pub fn for_request(
        &self,
        session: &SessionView,
        feast_token: Option<&str>,
    ) -> RequestVisibility {
        let visibility = self.for_session(session);
        let (Some(token), Some(identity)) = (feast_token, session.identity.as_ref()) else {
            return visibility;
        };
        let identity = fingerprint(Some(&feast_user(identity)));
        for (handle, (_, decision)) in self.registries.handles.iter().filter_map(|h| {
            let d = visibility.registries.iter().find(|(n, _)| *n == h.name)?;
            Some((h, d))
        }) {
            let Some(snapshot) = handle.snapshot() else {
                continue;
            };
            let is_rest = matches!(
                handle.source_config().kind,
                crate::registry::source::SourceKind::Rest(_)
            );
            if !is_rest
                || !self
                    .cross_check
                    .claim(Arc::as_ptr(&snapshot) as usize, identity)
            {
                continue;
            }
            // Projects are left out: Feast's server decides them with its own project's
            // permissions, which the console cannot know (it decides with each project's own).
            let decided: Vec<(Arc<CatalogObject>, bool)> = snapshot
                .objects
                .iter()
                .filter(|o| !o.is_internal() && !o.is_unreadable())
                .map(|o| (o.clone(), decision.allows(o)))
                .collect();
            let sample = pick(&decided, self.cross_check.sample);
            let (check, source, token) = (
                self.cross_check.clone(),
                handle.source_config().clone(),
                token.to_string(),
            );
            tokio::spawn(async move { check.compare(&source, &token, sample).await });
        }
        visibility
    }

    /// Whether the rules show `session` everything (`catalog_visibility = all`, or
    /// `catalog_visibility_admins = all` for an admin).
    pub fn sees_everything(&self, session: &SessionView) -> bool {
        let admin = session.role == Some(ConsoleRole::Admin);
        self.rule == VisibilityRule::All || (admin && self.admins == VisibilityRule::All)
    }

    /// What `session` may see: every registry's current snapshot, decided for its identity.
    pub fn for_session(&self, session: &SessionView) -> RequestVisibility {
        let Some(identity) = session.identity.as_ref() else {
            return RequestVisibility::nothing();
        };
        if self.sees_everything(session) {
            return RequestVisibility {
                everything: true,
                registries: Vec::new(),
            };
        }
        let user = feast_user(identity);
        let registries = self
            .registries
            .handles
            .iter()
            .filter_map(|h| {
                let snapshot = h.snapshot()?;
                Some((h.name.clone(), self.cache.decision(&snapshot, Some(&user))))
            })
            .collect();
        RequestVisibility {
            everything: false,
            registries,
        }
    }
}

impl app::catalog::api::VisibilitySource for CatalogVisibility {
    fn for_session(&self, session: &SessionView) -> Box<dyn Visibility> {
        let token = leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<crate::auth::FeastBearer>().cloned())
            .map(|b| b.0.expose().to_string());
        Box::new(self.for_request(session, token.as_deref()))
    }
}

/// One request's visibility: each registry's decision for the caller.
pub struct RequestVisibility {
    everything: bool,
    registries: Vec<(String, Arc<RegistryDecision>)>,
}

impl RequestVisibility {
    pub fn nothing() -> RequestVisibility {
        RequestVisibility {
            everything: false,
            registries: Vec::new(),
        }
    }
}

impl Visibility for RequestVisibility {
    fn may_describe(&self, registry: &str, object: &CatalogObject) -> bool {
        self.everything
            || self
                .registries
                .iter()
                .find(|(name, _)| name == registry)
                .is_some_and(|(_, d)| d.allows(object))
    }

    fn decided(&self, registry: &str, snapshot: usize) -> Option<Decided<'_>> {
        if self.everything {
            return Some(Decided::Everything);
        }
        let Some((_, decision)) = self.registries.iter().find(|(name, _)| name == registry) else {
            return Some(Decided::Nothing);
        };
        // Positions are the decided snapshot's: the caller's snapshot is alive (it holds it),
        // so an equal address of a live decided snapshot is that snapshot. Another one (a
        // refresh in between) is decided object by object.
        decision
            .index
            .snapshot
            .upgrade()
            .is_some_and(|s| Arc::as_ptr(&s) as usize == snapshot)
            .then_some(Decided::Bits(&decision.describable))
    }

    fn undecided(&self) -> usize {
        self.registries
            .iter()
            .map(|(_, d)| d.describable.undecided)
            .sum()
    }

    fn undecided_in(&self, registry: &str) -> usize {
        self.registries
            .iter()
            .filter(|(name, _)| name == registry)
            .map(|(_, d)| d.describable.undecided)
            .sum()
    }
}

#[cfg(test)]
#[path = "visibility_tests.rs"]
mod tests;
