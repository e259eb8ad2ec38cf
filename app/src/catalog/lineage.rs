//! Lineage: data source → feature view (every kind; on-demand views from their view and request
//! sources) → feature service, per project or around one object, and its Mermaid text.
//!
//! The Mermaid is made for mermaid-rs-renderer (left to right, node-to-node edges only, no
//! subgraphs, no edge labels). Node ids are generated (`n0`, `n1`); user text appears only
//! inside quoted labels after [`label_text`] reduced it to a safe alphabet, so a name can never
//! close its quotes or start a `click` / `style` statement.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use serde::{Deserialize, Serialize};

use super::model::{CatalogObject, Detail, ObjectKind};
use crate::topology::diagram::label_text;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineageNode {
    pub kind: ObjectKind,
    pub name: String,
}

/// Nodes sorted by (kind, name); edges as node indexes, upstream first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineageGraph {
    pub nodes: Vec<LineageNode>,
    pub edges: Vec<(usize, usize)>,
}

/// Past this many nodes the SVG is not drawn (the layout gets slow and unreadable); the list
/// and the Mermaid source are still offered.
pub const MAX_DRAWN_NODES: usize = 150;

/// An object of one project: its kind and name.
type Key<'a> = (ObjectKind, &'a str);

/// Every lineage edge among one project's objects, as (from, to) object keys.
fn edges_of<'a>(objects: &[&'a CatalogObject]) -> Vec<(Key<'a>, Key<'a>)> {
    // Sources of on-demand views and feature-service projections name views, not kinds.
    let mut view_kind: BTreeMap<&str, ObjectKind> = BTreeMap::new();
    let mut source_names: BTreeSet<&str> = BTreeSet::new();
    for o in objects {
        match o.kind {
            ObjectKind::DataSource => {
                source_names.insert(&o.name);
            }
            k if super::query::VIEW_KINDS.contains(&k) => {
                view_kind.insert(&o.name, k);
            }
            _ => {}
        }
    }
    // Only edges between the objects given (those the caller may see): a hidden object is not
    // drawn, and no edge names it.
    let present: BTreeSet<Key<'a>> = objects.iter().map(|o| (o.kind, o.name.as_str())).collect();
    let mut edges = Vec::new();
    for o in objects {
        let me = (o.kind, o.name.as_str());
        match &o.detail {
            Detail::View(v) => {
                for s in v.batch_source.iter().chain(v.stream_source.iter()) {
                    edges.push(((ObjectKind::DataSource, s.as_str()), me));
                }
            }
            Detail::OnDemandView(v) => {
                for s in &v.sources {
                    if let Some(k) = view_kind.get(s.as_str()) {
                        edges.push(((*k, s.as_str()), me));
                    } else {
                        // Request sources are data sources.
                        edges.push(((ObjectKind::DataSource, s.as_str()), me));
                    }
                }
            }
            Detail::FeatureService { projections } => {
                for p in projections {
                    let k = view_kind
                        .get(p.view.as_str())
                        .copied()
                        .unwrap_or(ObjectKind::FeatureView);
                    edges.push(((k, p.view.as_str()), me));
                }
            }
            _ => {}
        }
    }
    edges.retain(|(from, to)| present.contains(from) && present.contains(to));
    edges.sort();
    edges.dedup();
    edges
}

fn graph_from(edges: &[(Key<'_>, Key<'_>)], extra: &[Key<'_>]) -> LineageGraph {
    let mut keys: BTreeSet<Key<'_>> = extra.iter().copied().collect();
    for (a, b) in edges {
        keys.insert(*a);
        keys.insert(*b);
    }
    let keys: Vec<(ObjectKind, &str)> = keys.into_iter().collect();
    let index = |k: &(ObjectKind, &str)| keys.binary_search(k).unwrap_or(0);
    LineageGraph {
        edges: edges.iter().map(|(a, b)| (index(a), index(b))).collect(),
        nodes: keys
            .iter()
            .map(|(kind, name)| LineageNode {
                kind: *kind,
                name: name.to_string(),
            })
            .collect(),
    }
}

/// The lineage of one project's objects (objects of other projects are ignored by the caller).
pub fn project_lineage(objects: &[&CatalogObject]) -> LineageGraph {
    let lineage_kinds = |o: &&&CatalogObject| {
        o.kind == ObjectKind::DataSource
            || o.kind == ObjectKind::FeatureService
            || super::query::VIEW_KINDS.contains(&o.kind)
    };
    let all: Vec<(ObjectKind, &str)> = objects
        .iter()
        .filter(lineage_kinds)
        .map(|o| (o.kind, o.name.as_str()))
        .collect();
    graph_from(&edges_of(objects), &all)
}

/// Everything upstream and downstream of one object.
pub fn object_lineage(objects: &[&CatalogObject], kind: ObjectKind, name: &str) -> LineageGraph {
    let edges = edges_of(objects);
    let start = (kind, name);
    let mut keep: BTreeSet<usize> = BTreeSet::new();
    for downstream in [false, true] {
        let mut frontier = vec![start];
        let mut seen: BTreeSet<(ObjectKind, &str)> = BTreeSet::from([start]);
        while let Some(at) = frontier.pop() {
            for (i, (a, b)) in edges.iter().enumerate() {
                let (from, to) = if downstream { (*a, *b) } else { (*b, *a) };
                if from == at {
                    keep.insert(i);
                    if seen.insert(to) {
                        frontier.push(to);
                    }
                }
            }
        }
    }
    let kept: Vec<_> = keep.into_iter().map(|i| edges[i]).collect();
    graph_from(&kept, &[start])
}

/// The Mermaid flowchart: data sources as cylinders, views as boxes, services as stadiums.
pub fn to_mermaid(graph: &LineageGraph) -> String {
    let mut s = String::from("flowchart LR\n");
    for (i, n) in graph.nodes.iter().enumerate() {
        let label = format!("{}<br/>{}", label_text(&n.name), kind_label(n.kind));
        let _ = match n.kind {
            ObjectKind::DataSource => writeln!(s, "  n{i}[(\"{label}\")]"),
            ObjectKind::FeatureService => writeln!(s, "  n{i}([\"{label}\"])"),
            _ => writeln!(s, "  n{i}[\"{label}\"]"),
        };
    }
    for (a, b) in &graph.edges {
        let _ = writeln!(s, "  n{a} --> n{b}");
    }
    s
}

/// A short kind name for labels (a fixed vocabulary, never user text).
pub fn kind_label(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::DataSource => "data source",
        ObjectKind::FeatureView => "feature view",
        ObjectKind::BatchFeatureView => "batch view",
        ObjectKind::StreamFeatureView => "stream view",
        ObjectKind::OnDemandFeatureView => "on-demand view",
        ObjectKind::LabelView => "label view",
        ObjectKind::FeatureService => "feature service",
        ObjectKind::Entity => "entity",
        ObjectKind::Project => "project",
        ObjectKind::SavedDataset => "saved dataset",
        ObjectKind::ValidationReference => "validation reference",
        ObjectKind::Permission => "permission",
    }
}

/// What the page shows: the graph as a list, its Mermaid source and (when drawn) the SVG.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LineageView {
    pub graph: LineageGraph,
    pub mermaid: String,
    pub svg: Option<String>,
    /// Why there is no SVG, when there is none.
    pub note: Option<String>,
}

#[cfg(test)]
#[path = "lineage_tests.rs"]
mod tests;
