//! Records what each new registry snapshot changed (task `history_record`, on the lease
//! holder). Each registry's snapshot is compared with the catalog as last recorded: this
//! replica's previous snapshot when it recorded the current generation itself, else the state
//! stored in the console database (the first snapshot after start-up, or after another replica
//! recorded). The first comparison after start-up is with the stored state; its changes carry
//! `not_before`, the stored state's time ("between T1 and T2"). The entries and the
//! new recorded state are written in one transaction that moves the registry's generation on,
//! so a change is written once whatever the replicas and restarts (`store::insert_changes`).

use std::{
    collections::{BTreeSet, HashMap, HashSet},
    sync::Arc,
    time::{Duration, SystemTime},
};

use app::catalog::model::{CatalogObject, ObjectKind};
use app::history::diff::diff_catalogs;
use app::history::link::{audit_of, reverted_audit};
use app::history::model::{instant_of_millis, ChangeType, HistoryEntry, ObjectChange};

use super::audit_link;
use super::retention::{self, Retention};
use super::store::{self, HistoryStoreError, Recording};
use crate::clock::unix_millis;
use crate::db::ConsoleDb;
use crate::lease::Leadership;
use crate::registry::refresher::{Registries, RegistryHandle};
use crate::registry::snapshot::RegistrySnapshot;

/// How often the registries' snapshots are looked at (a pointer comparison each).
const POLL: Duration = Duration::from_millis(250);
/// How often an unchanged registry's recorded state is confirmed current, so a restart's
/// "between T1 and T2" starts late.
const CONFIRM_EVERY: Duration = Duration::from_secs(60);
/// How often the lease holder applies the retention settings.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// Audit rows are written before their registry write; a save is matched with changes seen
/// up to this long after the previous recording.
const LINK_SLACK_MS: i64 = 10 * 60 * 1000;

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error(transparent)]
    Store(#[from] HistoryStoreError),
    #[error("history query failed")]
    Query(#[from] sqlx::Error),
    #[error("the diff stopped unexpectedly (it panicked)")]
    Diff(#[from] tokio::task::JoinError),
}

/// What one look at a registry did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// No snapshot yet, or the snapshot is older than the recorded state: nothing to do.
    NotReady,
    /// The same snapshot as last time.
    Same,
    /// The registry's first recording: its catalog is the start of its history.
    Baseline,
    /// Compared: nothing changed (apart from ignored fields).
    Unchanged,
    /// This many changes written.
    Changes(usize),
    /// Another recorder wrote this generation first; nothing written (compared again next time).
    Lost,
}

/// This replica's last recording of one registry.
struct Last {
    generation: i64,
    snapshot: Arc<RegistrySnapshot>,
    catalog: Vec<Arc<CatalogObject>>,
    confirmed: std::time::Instant,
}

/// Records the registries' changes. One per console process (the task's state); tests drive
/// [`Recorder::record`] directly.
pub struct Recorder {
    db: ConsoleDb,
    replica: String,
    last: HashMap<String, Last>,
    /// Registries this recorder has compared at least once: their changes since are timed by
    /// this process's reads, whoever recorded in between (a handover's gap is one lease).
    watched: HashSet<String>,
}

impl Recorder {
    pub fn new(db: ConsoleDb, replica: &str) -> Recorder {
        Recorder {
            db,
            replica: replica.to_string(),
            last: HashMap::new(),
            watched: HashSet::new(),
        }
    }

    /// Compares `handle`'s current snapshot with the recorded state and writes the changes.
    pub async fn record(&mut self, handle: &RegistryHandle) -> Result<Recorded, RecordError> {
        let Some(snapshot) = handle.snapshot() else {
            return Ok(Recorded::NotReady);
        };
        let registry = handle.name.as_str();
        let current_as_of = handle.status().last_success.map(unix_millis).unwrap_or(0);
        if let Some(last) = self.last.get_mut(registry) {
            if Arc::ptr_eq(&last.snapshot, &snapshot) {
                if last.confirmed.elapsed() >= CONFIRM_EVERY {
                    last.confirmed = std::time::Instant::now();
                    let still = store::touch(
                        &self.db,
                        registry,
                        last.generation,
                        current_as_of,
                        &self.replica,
                    )
                    .await?;
                    if !still {
                        // Another replica recorded since: compare again with what it stored.
                        self.last.remove(registry);
                    }
                }
                return Ok(Recorded::Same);
            }
        }
        let observed_ms = unix_millis(snapshot.loaded_at);
        let head = store::head(&self.db, registry).await?;
        let Some(head) = head else {
            let catalog = catalog_of(&snapshot);
            let rec = Recording {
                registry,
                replica: &self.replica,
                expected: None,
                observed_ms: current_as_of.max(observed_ms),
                entries: &[],
                baseline: &catalog,
            };
            return Ok(match store::insert_changes(&self.db, &rec).await? {
                Some(generation) => {
                    self.remember(registry, generation, snapshot, catalog);
                    Recorded::Baseline
                }
                None => Recorded::Lost,
            });
        };
        // A replica whose reads lag behind what was recorded would record changes backwards.
        if current_as_of < head.recorded_ms {
            return Ok(Recorded::NotReady);
        }
        let mine = match self.last.remove(registry) {
            Some(last) if last.generation == head.generation => Some(last.catalog),
            _ => None,
        };
        // The first comparison after start-up: nobody watched since the stored state's time.
        let not_before = (!self.watched.contains(registry)).then_some(head.recorded_ms);
        let after_snapshot = snapshot.clone();
        let catalog =
            Arc::new(tokio::task::spawn_blocking(move || catalog_of(&after_snapshot)).await?);
        let changes = match mine {
            Some(before) => {
                let after = catalog.clone();
                tokio::task::spawn_blocking(move || changes_between(&before, &after)).await?
            }
            None => self.changes_since_stored(registry, &catalog).await?,
        };
        let catalog = Arc::unwrap_or_clone(catalog);
        if changes.is_empty() {
            let at = current_as_of.max(observed_ms);
            store::touch(&self.db, registry, head.generation, at, &self.replica).await?;
            self.remember(registry, head.generation, snapshot, catalog);
            return Ok(Recorded::Unchanged);
        }
        let entries = self
            .entries(registry, changes, observed_ms, not_before, head.recorded_ms)
            .await?;
        let rec = Recording {
            registry,
            replica: &self.replica,
            expected: Some(head.generation),
            observed_ms: current_as_of.max(observed_ms),
            entries: &entries,
            baseline: &[],
        };
        Ok(match store::insert_changes(&self.db, &rec).await? {
            Some(generation) => {
                self.remember(registry, generation, snapshot, catalog);
                tracing::info!(
                    registry,
                    changes = entries.len(),
                    "registry history recorded"
                );
                Recorded::Changes(entries.len())
            }
            None => Recorded::Lost,
        })
    }

    /// The changes from the stored state to `after`, a project at a time: the stored state is
    /// read back from JSON, and a whole large registry at once would be a second full copy
    /// (measured at 100,000 views: RSS 150 -> 695 MiB on a restart).
    async fn changes_since_stored(
        &self,
        registry: &str,
        after: &Arc<Vec<Arc<CatalogObject>>>,
    ) -> Result<Vec<(ObjectChange, CatalogObject)>, RecordError> {
        let mut projects: BTreeSet<String> = store::recorded_projects(&self.db, registry)
            .await?
            .into_iter()
            .collect();
        projects.extend(after.iter().map(|o| o.project.to_string()));
        let mut changes = Vec::new();
        for project in projects {
            let before = store::last_recorded_project(&self.db, registry, &project).await?;
            let start = after.partition_point(|o| o.project.as_str() < project.as_str());
            let end = after.partition_point(|o| o.project.as_str() <= project.as_str());
            let current = after[start..end].to_vec();
            let part =
                tokio::task::spawn_blocking(move || changes_between(&before, &current)).await?;
            changes.extend(part);
        }
        Ok(changes)
    }

    fn remember(
        &mut self,
        registry: &str,
        generation: i64,
        snapshot: Arc<RegistrySnapshot>,
        catalog: Vec<Arc<CatalogObject>>,
    ) {
        self.watched.insert(registry.to_string());
        let last = Last {
            generation,
            snapshot,
            catalog,
            confirmed: std::time::Instant::now(),
        };
        self.last.insert(registry.to_string(), last);
    }

    /// The entries of `changes`, permission changes linked to the console edits that made them
    /// or that they undid.
    async fn entries(
        &self,
        registry: &str,
        changes: Vec<(ObjectChange, CatalogObject)>,
        observed_ms: i64,
        not_before: Option<i64>,
        previous_ms: i64,
    ) -> Result<Vec<HistoryEntry>, RecordError> {
        let permissions = changes
            .iter()
            .any(|(c, _)| c.kind == ObjectKind::Permission);
        let saves = if permissions {
            audit_link::unlinked_saves(&self.db, registry, previous_ms - LINK_SLACK_MS).await?
        } else {
            Vec::new()
        };
        let mut entries = Vec::with_capacity(changes.len());
        for (change, object) in changes {
            let save = audit_of(&change, &saves);
            let reverts_audit = if change.kind == ObjectKind::Permission && save.is_none() {
                let previous = audit_link::previous_change(&self.db, registry, &change).await?;
                reverted_audit(&change, false, previous)
            } else {
                None
            };
            let row_updated = match change.change {
                ChangeType::Removed => None,
                _ => object.updated,
            };
            entries.push(HistoryEntry {
                id: 0,
                registry: registry.to_string(),
                object,
                observed_at: instant_of_millis(observed_ms),
                not_before: not_before.map(instant_of_millis),
                row_updated,
                audit_id: save.map(|s| s.id),
                actor: save.map(|s| s.actor.clone()),
                reverts_audit,
                change,
            });
        }
        Ok(entries)
    }
}

/// What changed from `before` to `after` (both sorted by `sort_key`), each change with its
/// object (the removed one's last recorded state).
fn changes_between(
    before: &[Arc<CatalogObject>],
    after: &[Arc<CatalogObject>],
) -> Vec<(ObjectChange, CatalogObject)> {
    diff_catalogs(before, after)
        .into_iter()
        .filter_map(|c| {
            let side = if c.change == ChangeType::Removed {
                before
            } else {
                after
            };
            let object = find(side, &c)?;
            Some((c, object.as_ref().clone()))
        })
        .collect()
}

/// A snapshot's projects and objects in one list sorted by `sort_key`.
fn catalog_of(snapshot: &RegistrySnapshot) -> Vec<Arc<CatalogObject>> {
    let mut all: Vec<Arc<CatalogObject>> = snapshot
        .projects
        .iter()
        .chain(&snapshot.objects)
        .cloned()
        .collect();
    all.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    all
}

fn find<'a>(sorted: &'a [Arc<CatalogObject>], c: &ObjectChange) -> Option<&'a Arc<CatalogObject>> {
    let key = (c.project.as_str(), c.kind, c.name.as_str());
    sorted
        .binary_search_by(|o| o.sort_key().cmp(&key))
        .ok()
        .map(|i| &sorted[i])
}

/// The task `history_record`: while this replica leads, records every registry's new
/// snapshots and applies the retention settings every hour.
pub async fn run(
    db: ConsoleDb,
    registries: Registries,
    mut leadership: Leadership,
    retention: Retention,
) {
    let mut recorder = Recorder::new(db.clone(), leadership.replica());
    let mut pruned: Option<std::time::Instant> = None;
    loop {
        leadership.until_leader().await;
        for handle in &registries.handles {
            if !leadership.is_leader() {
                break;
            }
            match recorder.record(handle).await {
                // A comparison read back the stored state or a recording serialized a
                // catalog: give the freed pages back (`heap.rs`).
                Ok(Recorded::Baseline | Recorded::Changes(_) | Recorded::Unchanged) => {
                    let _ = tokio::task::spawn_blocking(crate::heap::release_freed).await;
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(registry = %handle.name, error = %app::backend::error_chain(&e), "cannot record registry history; trying again");
                }
            }
        }
        if leadership.is_leader() && pruned.is_none_or(|t| t.elapsed() >= PRUNE_EVERY) {
            pruned = Some(std::time::Instant::now());
            match retention::prune(&db, retention, SystemTime::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, "registry history pruned"),
                Err(e) => tracing::warn!(error = %e, "cannot prune registry history"),
            }
        }
        tokio::time::sleep(POLL).await;
    }
}
