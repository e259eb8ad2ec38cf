//! Mermaid flowcharts of one FeatureStore and of the whole cluster.
//!
//! Generated for mermaid-rs-renderer's layout (see MERMAID-NOTES): left to right, node-to-node
//! edges only, one level of subgraphs (never nested, never empty), unquoted edge labels from a
//! fixed vocabulary. Subgraphs and edge labels are what make the layout slow, so the
//! per-FeatureStore diagram has one box (the Deployment) and no edge labels. Ids are generated (`n3`, `g1`); user text only ever appears inside a
//! quoted label, after [`label_text`] has reduced it to a safe alphabet, and never in
//! `style`, `classDef`, `click` or `link` lines.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::cluster::ResolvedRegistry;
use super::facts::{ExposureKind, Persistence, RegistryFacts, ServerKind};
use super::report::{FeatureStoreReport, TopologyReport};

/// A generated diagram and its structure, so tests can check the rendered geometry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MermaidDiagram {
    pub source: String,
    pub groups: Vec<DiagramGroup>,
    pub nodes: Vec<DiagramNode>,
    pub edges: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiagramGroup {
    pub id: String,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiagramNode {
    pub id: String,
    /// Lines of the label, already made safe.
    pub lines: Vec<String>,
    /// The subgraph id, or empty for a node at the top level.
    pub group: String,
    pub shape: NodeShape,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeShape {
    Box,
    Stadium,
    Cylinder,
}

/// Longest label line kept; longer names are cut (the full name is in the table beside).
const MAX_LINE: usize = 64;

/// Reduces any text to letters, digits, space and `-_./:@,+`, so no label can close its quotes,
/// open markup, start a statement or reach the SVG as anything but text.
pub fn label_text(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " -_./:@,+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = cleaned.trim();
    if trimmed.chars().count() > MAX_LINE {
        let cut: String = trimmed.chars().take(MAX_LINE - 3).collect();
        format!("{cut}...")
    } else if trimmed.is_empty() {
        "_".into()
    } else {
        trimmed.to_string()
    }
}

/// Group of the nodes drawn outside every subgraph.
pub const TOP_LEVEL: &str = "";

fn write_node(s: &mut String, indent: &str, n: &DiagramNode) {
    let text = n.lines.join("<br/>");
    let _ = match n.shape {
        NodeShape::Box => writeln!(s, "{indent}{}[\"{}\"]", n.id, text),
        NodeShape::Stadium => writeln!(s, "{indent}{}([\"{}\"])", n.id, text),
        NodeShape::Cylinder => writeln!(s, "{indent}{}[(\"{}\")]", n.id, text),
    };
}

#[derive(Default)]
struct Builder {
    d: MermaidDiagram,
    members: BTreeMap<String, Vec<usize>>,
}

impl Builder {
    fn group(&mut self, label: &str) -> String {
        let id = format!("g{}", self.d.groups.len());
        self.d.groups.push(DiagramGroup {
            id: id.clone(),
            label: label_text(label),
        });
        id
    }

    fn node(&mut self, group: &str, shape: NodeShape, lines: &[&str]) -> String {
        let id = format!("n{}", self.d.nodes.len());
        let lines = lines.iter().map(|l| label_text(l)).collect();
        self.members
            .entry(group.to_string())
            .or_default()
            .push(self.d.nodes.len());
        self.d.nodes.push(DiagramNode {
            id: id.clone(),
            lines,
            group: group.to_string(),
            shape,
        });
        id
    }

    fn edge(&mut self, from: &str, to: &str) {
        let pair = (from.to_string(), to.to_string());
        if from != to && !self.d.edges.contains(&pair) {
            self.d.edges.push(pair);
        }
    }

    fn finish(mut self, edge_labels: &BTreeMap<(String, String), &'static str>) -> MermaidDiagram {
        let mut s = String::from("flowchart LR\n");
        // Empty groups are dropped: an empty subgraph lays out as a stray box.
        self.d.groups.retain(|g| self.members.contains_key(&g.id));
        let members = |id: &str| self.members.get(id).map(Vec::as_slice).unwrap_or_default();
        for &i in members(TOP_LEVEL) {
            write_node(&mut s, "  ", &self.d.nodes[i]);
        }
        for g in &self.d.groups {
            let _ = writeln!(s, "  subgraph {}[\"{}\"]", g.id, g.label);
            for &i in members(&g.id) {
                write_node(&mut s, "    ", &self.d.nodes[i]);
            }
            s.push_str("  end\n");
        }
        for (from, to) in &self.d.edges {
            match edge_labels.get(&(from.clone(), to.clone())) {
                Some(l) => writeln!(s, "  {from} -->|{l}| {to}"),
                None => writeln!(s, "  {from} --> {to}"),
            }
            .ok();
        }
        self.d.source = s;
        self.d
    }
}

/// One FeatureStore: its ways in, its servers, its stores and its registry.
pub fn feature_store_diagram(report: &FeatureStoreReport, all: &TopologyReport) -> MermaidDiagram {
    let fs = &report.facts;
    let mut b = Builder::default();
    // Only the Deployment is a box (its containers scale together): every subgraph and edge
    // label multiplies the renderer's port search, and this diagram must draw in < 100 ms.
    let access = TOP_LEVEL.to_string();
    let deploy_title = format!("feast-{}, {}", fs.name, fs.scaling.describe());
    let deploy = b.group(&deploy_title);
    let stores = TOP_LEVEL.to_string();

    let clients = b.node(&access, NodeShape::Stadium, &["Clients / ML services"]);
    let mut servers = BTreeMap::new();
    for s in &fs.servers {
        let tls = if s.tls { "TLS" } else { "no TLS" };
        let id = b.node(&deploy, NodeShape::Box, &[s.kind.label(), tls]);
        servers.insert(s.kind, id);
    }
    let entry = servers
        .get(&ServerKind::Online)
        .or_else(|| servers.get(&ServerKind::Registry))
        .cloned();
    for e in &fs.exposures {
        let kind = match e.kind {
            ExposureKind::Ingress => "Ingress",
            ExposureKind::Route => "Route",
            ExposureKind::Service => "Service",
        };
        let id = b.node(
            &access,
            NodeShape::Box,
            &[
                &format!("{kind} {}", e.name),
                if e.tls { "TLS" } else { "no TLS" },
            ],
        );
        b.edge(&clients, &id);
        for svc in &e.services {
            let target = servers
                .iter()
                .find(|(k, _)| svc.ends_with(&format!("-{}", k.service_suffix())))
                .map(|(_, v)| v.clone());
            if let Some(t) = target.or_else(|| entry.clone()) {
                b.edge(&id, &t);
            }
        }
    }
    if fs.exposures.is_empty() {
        if let Some(t) = &entry {
            b.edge(&clients, t);
        }
    }
    let online_db = fs.online_store.as_ref().map(|p| {
        b.node(
            &stores,
            NodeShape::Cylinder,
            &["Online store", &p.describe()],
        )
    });
    if let (Some(online), Some(db)) = (servers.get(&ServerKind::Online).cloned(), &online_db) {
        b.edge(&online, db);
    }
    if let Some(p) = &fs.offline_store {
        let db = b.node(
            &stores,
            NodeShape::Cylinder,
            &["Offline store", &p.describe()],
        );
        if let Some(offline) = servers.get(&ServerKind::Offline).cloned() {
            b.edge(&offline, &db);
        } else if let Some(online) = servers.get(&ServerKind::Online).cloned() {
            // Without an offline server the store is used by jobs and clients; show it once.
            b.edge(&online, &db);
        }
    }
    let registry = match &fs.registry {
        RegistryFacts::Local { persistence, .. } => {
            let db = b.node(
                &stores,
                NodeShape::Cylinder,
                &["Registry store", &persistence.describe()],
            );
            for kind in [ServerKind::Registry, ServerKind::RegistryRest] {
                if let Some(r) = servers.get(&kind).cloned() {
                    b.edge(&r, &db);
                }
            }
            servers
                .get(&ServerKind::Registry)
                .or_else(|| servers.get(&ServerKind::RegistryRest))
                .cloned()
        }
        RegistryFacts::Remote { .. } => {
            let target = match all.cluster.resolved.get(&fs.key()) {
                Some(ResolvedRegistry::FeatureStore { namespace, name }) => {
                    format!("{namespace}/{name}")
                }
                Some(ResolvedRegistry::External { hostname }) => hostname.clone(),
                Some(ResolvedRegistry::Missing {
                    namespace, name, ..
                }) => format!("{namespace}/{name}, missing"),
                Some(ResolvedRegistry::NotLocal { namespace, name }) => {
                    format!("{namespace}/{name}, not a registry")
                }
                None => "unknown".into(),
            };
            Some(b.node(&stores, NodeShape::Box, &["Remote registry", &target]))
        }
    };
    if let Some(reg) = &registry {
        for kind in [ServerKind::Online, ServerKind::Offline, ServerKind::Ui] {
            if let Some(s) = servers.get(&kind).cloned() {
                b.edge(&s, reg);
            }
        }
    }
    if let Some(cron) = &fs.cron_job {
        let schedule = cron
            .schedule
            .clone()
            .unwrap_or_else(|| "no schedule".into());
        let job = b.node(&stores, NodeShape::Box, &["CronJob", &schedule]);
        if let Some(reg) = &registry {
            b.edge(&job, reg);
        }
        if let Some(db) = &online_db {
            b.edge(&job, db);
        }
    }
    b.finish(&BTreeMap::new())
}

/// The cluster: one box per namespace with its FeatureStores, the shared registries between
/// them, and the backing store types they use.
pub fn cluster_diagram(report: &TopologyReport) -> MermaidDiagram {
    let mut b = Builder::default();
    let mut labels = BTreeMap::new();
    let mut ns_groups = BTreeMap::new();
    for ns in &report.cluster.namespaces {
        ns_groups.insert(ns.clone(), b.group(&format!("Namespace {ns}")));
    }
    let stores = b.group("Backing stores");
    let external = b.group("Outside the snapshot");
    let mut fs_nodes = BTreeMap::new();
    for f in &report.feature_stores {
        let Some(group) = ns_groups.get(&f.facts.namespace).cloned() else {
            continue;
        };
        let id = b.node(
            &group,
            NodeShape::Box,
            &[
                &f.facts.name,
                f.kind.short_label(),
                &f.facts.scaling.describe(),
            ],
        );
        fs_nodes.insert(f.facts.key(), id);
    }
    let mut store_nodes: BTreeMap<String, String> = BTreeMap::new();
    let store_node =
        |b: &mut Builder, nodes: &mut BTreeMap<String, String>, title: &str, p: &Persistence| {
            let key = format!("{title}: {}", p.type_name());
            nodes
                .entry(key.clone())
                .or_insert_with(|| b.node(&stores, NodeShape::Cylinder, &[&key]))
                .clone()
        };
    for f in &report.feature_stores {
        let Some(node) = fs_nodes.get(&f.facts.key()).cloned() else {
            continue;
        };
        if let Some(p) = &f.facts.online_store {
            let s = store_node(&mut b, &mut store_nodes, "Online", p);
            b.edge(&node, &s);
        }
        if let Some(p) = &f.facts.offline_store {
            let s = store_node(&mut b, &mut store_nodes, "Offline", p);
            b.edge(&node, &s);
        }
        match (
            &f.facts.registry,
            report.cluster.resolved.get(&f.facts.key()),
        ) {
            (RegistryFacts::Local { persistence, .. }, _) => {
                let s = store_node(&mut b, &mut store_nodes, "Registry", persistence);
                b.edge(&node, &s);
            }
            (
                RegistryFacts::Remote { .. },
                Some(ResolvedRegistry::FeatureStore { namespace, name }),
            ) => {
                if let Some(t) = fs_nodes.get(&(namespace.clone(), name.clone())).cloned() {
                    labels.insert((node.clone(), t.clone()), "registry");
                    b.edge(&node, &t);
                }
            }
            (RegistryFacts::Remote { .. }, Some(r)) => {
                let text = match r {
                    ResolvedRegistry::External { hostname } => format!("Registry {hostname}"),
                    ResolvedRegistry::Missing {
                        namespace, name, ..
                    }
                    | ResolvedRegistry::NotLocal { namespace, name } => {
                        format!("Missing registry {namespace}/{name}")
                    }
                    ResolvedRegistry::FeatureStore { namespace, name } => {
                        format!("Registry {namespace}/{name}")
                    }
                };
                let t = store_nodes
                    .entry(text.clone())
                    .or_insert_with(|| b.node(&external, NodeShape::Box, &[&text]))
                    .clone();
                labels.insert((node.clone(), t.clone()), "registry");
                b.edge(&node, &t);
            }
            (RegistryFacts::Remote { .. }, None) => {}
        }
    }
    b.finish(&labels)
}
