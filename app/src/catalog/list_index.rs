//! The lists' index: every listable object of a set of registry snapshots, numbered once in
//! the lists' default order (name, project, registry, kind) and grouped by kind, with each group also
//! in (project, name, registry) order so a project's objects are one range.
//!
//! A list page is then one pass over its group (or its project's range) with a bit test per
//! object for visibility ([`Visibility::decided`]): no sort in name order, no per-object lookup,
//! and page 150 costs what page 1 does. Other sort orders sort only the matching objects'
//! numbers. Pure: the server builds it when a snapshot changes.

use std::sync::Arc;

use super::model::{CatalogObject, ObjectKind};
use super::query::{
    page_size, row, Decided, ListFilter, ListPage, ListQuery, Scoped, Visibility, VIEW_KINDS,
};

/// One registry's snapshot as the indexes read it.
pub struct IndexedRegistry {
    pub name: String,
    /// The snapshot's id for [`Visibility::decided`] (0: none, decide object by object).
    pub snapshot: usize,
    /// Position of the first of `objects` in the snapshot's decision order (the number of
    /// projects before them).
    pub first_position: usize,
    /// The snapshot's objects, in its order.
    pub objects: Vec<Arc<CatalogObject>>,
}

impl IndexedRegistry {
    /// A registry with no decision made ahead (tests, tools): every object is asked about.
    pub fn undecided(name: &str, objects: Vec<Arc<CatalogObject>>) -> IndexedRegistry {
        IndexedRegistry {
            name: name.to_string(),
            snapshot: 0,
            first_position: 0,
            objects,
        }
    }
}

/// Each registry's decision made ahead, if any, in the order of `registries`.
pub(crate) fn decisions<'v>(
    registries: &[(String, usize)],
    visibility: &'v dyn Visibility,
) -> Vec<Option<Decided<'v>>> {
    registries
        .iter()
        .map(|(name, snapshot)| {
            if *snapshot == 0 {
                None
            } else {
                visibility.decided(name, *snapshot)
            }
        })
        .collect()
}

struct Entry {
    registry: u32,
    /// In the registry snapshot's decision order.
    position: u32,
    /// The object's kind, kept here so counting a list's matches reads only this array
    /// (following each object's pointer costs a cache miss per object: 100,000 of them on a
    /// large registry's list page).
    kind: ObjectKind,
    object: Arc<CatalogObject>,
}

/// One group's entry numbers in two orders.
#[derive(Default)]
struct Group {
    /// Ascending: name order.
    by_name: Vec<u32>,
    /// (project, name, registry) order.
    by_project: Vec<u32>,
}

pub struct ListIndex {
    /// Name and snapshot id of each registry.
    registries: Vec<(String, usize)>,
    /// Listable objects (no projects, no internal entities) in (name, project, registry, kind)
    /// order.
    entries: Vec<Entry>,
    /// Group 0: every view kind (`feature-views`); then one per kind of [`ObjectKind::ALL`].
    groups: Vec<Group>,
}

/// The default order's key of an entry.
fn entry_key<'a>(
    e: &'a Entry,
    registries: &'a [(String, usize)],
) -> (&'a str, &'a str, &'a str, ObjectKind) {
    (
        &e.object.name,
        &e.object.project,
        &registries[e.registry as usize].0,
        e.object.kind,
    )
}

/// `candidates` in name order, or its reverse.
fn in_order(candidates: &[u32], descending: bool) -> Box<dyn Iterator<Item = u32> + '_> {
    if descending {
        Box::new(candidates.iter().rev().copied())
    } else {
        Box::new(candidates.iter().copied())
    }
}

/// Views are listed together; every other kind alone.
fn group_of(kind: ObjectKind) -> usize {
    if VIEW_KINDS.contains(&kind) {
        0
    } else {
        1 + ObjectKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
    }
}

impl ListIndex {
    pub fn build(registries: Vec<IndexedRegistry>) -> ListIndex {
        let mut names = Vec::new();
        let mut entries = Vec::new();
        for (r, registry) in registries.into_iter().enumerate() {
            names.push((registry.name, registry.snapshot));
            for (i, object) in registry.objects.into_iter().enumerate() {
                if object.is_internal() || object.kind == ObjectKind::Project {
                    continue;
                }
                entries.push(Entry {
                    registry: r as u32,
                    position: (registry.first_position + i) as u32,
                    kind: object.kind,
                    object,
                });
            }
        }
        entries.sort_by(|a, b| entry_key(a, &names).cmp(&entry_key(b, &names)));
        let mut groups: Vec<Group> = (0..=ObjectKind::ALL.len())
            .map(|_| Group::default())
            .collect();
        for (i, e) in entries.iter().enumerate() {
            groups[group_of(e.object.kind)].by_name.push(i as u32);
        }
        for group in &mut groups {
            let mut by_project = group.by_name.clone();
            // Stable: within a project the name order stays.
            by_project.sort_by(|&a, &b| {
                let (a, b): (&str, &str) = (
                    &entries[a as usize].object.project,
                    &entries[b as usize].object.project,
                );
                a.cmp(b)
            });
            group.by_project = by_project;
        }
        ListIndex {
            registries: names,
            entries,
            groups,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Memory the index holds beyond the objects it shares with the snapshots.
    pub fn heap_bytes(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<Entry>()
            + self
                .groups
                .iter()
                .map(|g| (g.by_name.capacity() + g.by_project.capacity()) * 4)
                .sum::<usize>()
            + self
                .registries
                .iter()
                .map(|(n, _)| n.capacity() + std::mem::size_of::<(String, usize)>())
                .sum::<usize>()
    }

    /// The objects a list may show, before visibility and the other filters, in name order.
    fn candidates(&self, filter: &ListFilter, project: &str) -> &[u32] {
        let Some(first) = filter.kinds.first() else {
            return &[];
        };
        let group = &self.groups[group_of(*first)];
        if project.is_empty() {
            return &group.by_name;
        }
        let start = group
            .by_project
            .partition_point(|&i| self.project_at(i) < project);
        let end =
            start + group.by_project[start..].partition_point(|&i| self.project_at(i) == project);
        &group.by_project[start..end]
    }

    fn project_at(&self, i: u32) -> &str {
        &self.entries[i as usize].object.project
    }

    fn scoped(&self, i: u32) -> Scoped<'_> {
        let e = &self.entries[i as usize];
        Scoped {
            registry: &self.registries[e.registry as usize].0,
            object: &e.object,
        }
    }

    /// One page of `query`'s matches: the same page [`super::query::list`] gives over the same
    /// objects, without sorting them when the order is by name.
    pub fn list(&self, query: &ListQuery, visibility: &dyn Visibility) -> Result<ListPage, String> {
        let filter = ListFilter::parse(query)?;
        let decided = decisions(&self.registries, visibility);
        let registry = match query.registry.as_str() {
            "" => None,
            name => Some(
                self.registries
                    .iter()
                    .position(|(n, _)| n == name)
                    .map(|r| r as u32),
            ),
        };
        let has_text = filter.has_text();
        let passes = |&i: &u32| -> bool {
            let e = &self.entries[i as usize];
            if !filter.kind_matches(e.kind) || registry.is_some_and(|r| r != Some(e.registry)) {
                return false;
            }
            let may = match decided[e.registry as usize] {
                Some(d) => d.allows(e.position as usize),
                None => visibility.may_describe(&self.registries[e.registry as usize].0, &e.object),
            };
            may && (!has_text || filter.text_matches(&e.object))
        };
        let candidates = self.candidates(&filter, &query.project);
        let size = page_size(query);
        let asked = query.page.max(1);
        let (total, window, page) = if filter.in_name_order() {
            // One pass counts every match and keeps the asked page's.
            let start = (asked - 1).saturating_mul(size);
            let mut total = 0usize;
            let mut window: Vec<u32> = Vec::with_capacity(size);
            for i in in_order(candidates, filter.descending).filter(|i| passes(i)) {
                if total >= start && window.len() < size {
                    window.push(i);
                }
                total += 1;
            }
            let page = asked.clamp(1, total.div_ceil(size).max(1));
            if page != asked {
                // Past the end: the last page, found again.
                window = in_order(candidates, filter.descending)
                    .filter(|i| passes(i))
                    .skip((page - 1) * size)
                    .take(size)
                    .collect();
            }
            (total, window, page)
        } else {
            let mut matching: Vec<u32> = candidates.iter().filter(|i| passes(i)).copied().collect();
            // Entry numbers are in the default order: the tie-break for free.
            matching.sort_by(|&a, &b| {
                let order = filter
                    .primary(
                        &self.entries[a as usize].object,
                        &self.entries[b as usize].object,
                    )
                    .then(a.cmp(&b));
                if filter.descending {
                    order.reverse()
                } else {
                    order
                }
            });
            let total = matching.len();
            let page = asked.clamp(1, total.div_ceil(size).max(1));
            let window = matching
                .into_iter()
                .skip((page - 1) * size)
                .take(size)
                .collect();
            (total, window, page)
        };
        Ok(ListPage {
            rows: window.into_iter().map(|i| row(self.scoped(i))).collect(),
            undecided: visibility.undecided(),
            loading: Vec::new(),
            total,
            page,
            page_size: size,
            pages: total.div_ceil(size).max(1),
        })
    }
}

#[cfg(test)]
#[path = "list_index_tests.rs"]
pub(crate) mod tests;
