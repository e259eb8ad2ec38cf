//! The permissions page's lints, kept per registry snapshot, project and set of objects shown:
//! they cost most of the page (a project of 1,000 objects and 50 permissions) and do not depend
//! on the page's filters. An entry lives while its snapshot does; at most [`ENTRIES`] lists and
//! [`BYTES`] of text are kept (each caller whose visibility shows other objects is another
//! entry), then all are dropped; a list larger than that is not kept.
//! Pages whose query adds principals are not kept (the query text would be a key anyone could
//! vary).

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use app::permissions::model::ProjectData;
use app::permissions::page_model::model::LintRow;

use crate::registry::RegistrySnapshot;

/// At most this many lint lists are kept.
pub const ENTRIES: usize = 64;
/// At most this much lint text is kept.
pub const BYTES: usize = 8 << 20;

/// The text a lint list holds.
fn bytes_of(lints: &[LintRow]) -> usize {
    lints
        .iter()
        .map(|l| {
            l.severity.len()
                + l.code.len()
                + l.permission.len()
                + l.message.len()
                + l.objects.len()
                + l.principals.len()
        })
        .sum()
}

/// Snapshot address, project, fingerprint of the objects shown.
type Key = (usize, String, u64);

#[derive(Default)]
pub struct LintCache {
    entries: Mutex<HashMap<Key, (Weak<RegistrySnapshot>, Arc<Vec<LintRow>>)>>,
    computed: AtomicU64,
}

fn objects_fingerprint(data: &ProjectData) -> u64 {
    let mut hasher = DefaultHasher::new();
    for o in &data.objects {
        o.resource_type.name().hash(&mut hasher);
        o.name.hash(&mut hasher);
    }
    hasher.finish()
}

impl LintCache {
    /// The lints of `data` as read from `snapshot`: `compute`d on first use, then shared.
    pub fn get(
        &self,
        snapshot: &Arc<RegistrySnapshot>,
        data: &ProjectData,
        compute: impl FnOnce() -> Vec<LintRow>,
    ) -> Arc<Vec<LintRow>> {
        let key = (
            Arc::as_ptr(snapshot) as usize,
            data.project.clone(),
            objects_fingerprint(data),
        );
        {
            let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            // As in `compiled.rs`: the address counts only while its own snapshot is alive.
            if let Some((held, lints)) = entries.get(&key) {
                if held.upgrade().is_some_and(|s| Arc::ptr_eq(&s, snapshot)) {
                    return lints.clone();
                }
            }
        }
        // Computed outside the lock: another project's page need not wait for this one.
        let lints = Arc::new(compute());
        self.computed.fetch_add(1, Ordering::Relaxed);
        let size = bytes_of(&lints);
        if size > BYTES {
            return lints;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|_, (held, _)| held.strong_count() > 0);
        let held = entries.values().map(|(_, l)| bytes_of(l)).sum::<usize>();
        if entries.len() >= ENTRIES || held + size > BYTES {
            entries.clear();
        }
        entries.insert(key, (Arc::downgrade(snapshot), lints.clone()));
        lints
    }

    /// Lint lists computed so far (tests check repeats do not add any).
    pub fn computed(&self) -> u64 {
        self.computed.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permissions::compiled::tests::snapshot;

    fn lints(message_bytes: usize) -> Vec<LintRow> {
        vec![LintRow {
            severity: "warning".into(),
            code: "c".into(),
            permission: String::new(),
            message: "x".repeat(message_bytes),
            objects: String::new(),
            principals: String::new(),
        }]
    }

    fn data(project: &str) -> ProjectData {
        ProjectData {
            registry: "r".into(),
            project: project.into(),
            permissions: vec![],
            objects: vec![],
            notes: vec![],
        }
    }

    #[test]
    fn kept_per_snapshot_within_the_byte_bound() {
        let cache = LintCache::default();
        let first = snapshot();
        for _ in 0..3 {
            cache.get(&first, &data("p"), || lints(10));
        }
        assert_eq!(cache.computed(), 1);
        // Larger than the bound: computed each time, never kept.
        for _ in 0..2 {
            cache.get(&first, &data("big"), || lints(BYTES + 1));
        }
        assert_eq!(cache.computed(), 3);
        // A new snapshot is another key.
        cache.get(&snapshot(), &data("p"), || lints(10));
        assert_eq!(cache.computed(), 4);
    }
}
