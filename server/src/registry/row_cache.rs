//! What a SQL reader decoded, per table and row key, with each row's timestamp: a refresh
//! fetches only rows whose timestamp moved, and every snapshot shares these objects.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use app::catalog::model::CatalogObject;
use app::util::shared_str::SharedStr;

use super::decode::BlobKind;
use super::parallel_decode::Decoded;

/// One cached row.
pub struct CachedRow {
    pub updated: i64,
    pub object: Arc<CatalogObject>,
}

/// Row keys a listing found: project, then name, to timestamp (looked up by `&str`).
pub type Listed = HashMap<String, HashMap<String, i64>>;

/// Per table, project, then name (keys share the objects' strings).
#[derive(Default)]
pub struct RowCache {
    tables: BTreeMap<BlobKind, HashMap<SharedStr, HashMap<SharedStr, CachedRow>>>,
}

impl RowCache {
    pub fn rows(&self, kind: BlobKind) -> usize {
        self.tables
            .get(&kind)
            .map_or(0, |t| t.values().map(HashMap::len).sum())
    }

    pub fn get(&self, kind: BlobKind, project: &str, name: &str) -> Option<&CachedRow> {
        self.tables.get(&kind)?.get(project)?.get(name)
    }

    /// Drops rows the listing no longer has; true when any were dropped.
    pub fn retain_listed(&mut self, kind: BlobKind, listed: &Listed) -> bool {
        let Some(table) = self.tables.get_mut(&kind) else {
            return false;
        };
        let before: usize = table.values().map(HashMap::len).sum();
        table.retain(|project, rows| {
            let Some(names) = listed.get(project.as_str()) else {
                return false;
            };
            rows.retain(|name, _| names.contains_key(name.as_str()));
            !rows.is_empty()
        });
        table.values().map(HashMap::len).sum::<usize>() != before
    }

    /// Stores a decoded row; true when its object differs from the one cached. An equal
    /// object keeps the cached allocation (and every snapshot's pointer to it), so a table
    /// rewritten with the same content does not leave two copies.
    pub fn put(&mut self, kind: BlobKind, row: Decoded) -> bool {
        let rows = self
            .tables
            .entry(kind)
            .or_default()
            .entry(row.project)
            .or_default();
        match rows.get_mut(row.name.as_str()) {
            Some(cached) if *cached.object == row.object => {
                cached.updated = row.updated;
                false
            }
            _ => {
                let cached = CachedRow {
                    updated: row.updated,
                    object: Arc::new(row.object),
                };
                rows.insert(row.name, cached);
                true
            }
        }
    }

    /// Every cached object (shared, not copied).
    pub fn objects(&self) -> impl Iterator<Item = Arc<CatalogObject>> + '_ {
        self.tables
            .values()
            .flat_map(|t| t.values())
            .flat_map(|rows| rows.values().map(|r| r.object.clone()))
    }
}
