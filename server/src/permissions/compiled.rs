//! Each registry snapshot's permissions compiled once per project (name patterns become
//! matchers), shared by every request for that snapshot: the permissions page no longer
//! compiles them for each view. An entry lives as long as its snapshot; a new snapshot is a
//! new key, and entries of dropped snapshots go at the next insert, so what is held is bounded
//! by the live snapshots themselves.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use app::permissions::evaluator::PermissionEvaluator;
use app::permissions::model::PermissionSpec;

use crate::registry::RegistrySnapshot;

type Key = (usize, String);

#[derive(Default)]
pub struct CompiledPermissions {
    entries: Mutex<HashMap<Key, (Weak<RegistrySnapshot>, Arc<PermissionEvaluator>)>>,
    compiles: AtomicU64,
}

impl CompiledPermissions {
    /// The evaluator of `project`'s `permissions`, as read from `snapshot`: compiled on first
    /// use, then shared.
    pub fn get(
        &self,
        snapshot: &Arc<RegistrySnapshot>,
        project: &str,
        permissions: &[PermissionSpec],
    ) -> Arc<PermissionEvaluator> {
        let key = (Arc::as_ptr(snapshot) as usize, project.to_string());
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        // The address alone could be a new snapshot allocated where a dropped one was: the
        // entry counts only while its own snapshot is alive and is this one.
        if let Some((held, evaluator)) = entries.get(&key) {
            if held.upgrade().is_some_and(|s| Arc::ptr_eq(&s, snapshot)) {
                return evaluator.clone();
            }
        }
        entries.retain(|_, (held, _)| held.strong_count() > 0);
        let evaluator = Arc::new(PermissionEvaluator::new(permissions));
        self.compiles.fetch_add(1, Ordering::Relaxed);
        entries.insert(key, (Arc::downgrade(snapshot), evaluator.clone()));
        evaluator
    }

    /// Evaluators compiled so far (tests check repeats do not add any).
    pub fn compiles(&self) -> u64 {
        self.compiles.load(Ordering::Relaxed)
    }

    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;

    /// An empty snapshot of its own (the lint cache's tests share it).
    pub(crate) fn snapshot() -> Arc<RegistrySnapshot> {
        Arc::new(RegistrySnapshot::build(
            Vec::new(),
            Vec::new(),
            SystemTime::now(),
            Duration::ZERO,
        ))
    }

    #[test]
    fn a_snapshot_is_compiled_once_per_project() {
        let cache = CompiledPermissions::default();
        let first = snapshot();
        let a = cache.get(&first, "p", &[]);
        for _ in 0..10 {
            assert!(Arc::ptr_eq(&a, &cache.get(&first, "p", &[])));
        }
        assert_eq!(cache.compiles(), 1);
        cache.get(&first, "q", &[]);
        assert_eq!(cache.compiles(), 2);

        // A new snapshot is compiled again; the old one's entries go once it is dropped.
        let second = snapshot();
        drop(first);
        cache.get(&second, "p", &[]);
        assert_eq!(cache.compiles(), 3);
        assert_eq!(cache.len(), 1);
    }
}
