//! Topology area. Domain logic for this area lives beside the page, free of I/O and Leptos types:
//! the FeatureStore model, effective configuration, classification, checklist, rules and the
//! Mermaid diagrams. Sources (manifests, kube) and SVG rendering live in the server crate.

pub mod admission;
pub mod api;
pub mod checklist;
pub mod classify;
pub mod cluster;
pub mod crd;
pub mod derive;
pub mod diagram;
pub mod facts;
pub mod object_meta;
pub mod objects;
pub mod report;
pub mod rules;
pub mod snapshot;

mod pages;

pub use classify::TopologyKind;
pub use pages::{FeatureStorePage, TopologyPage};
pub use report::{analyze, FeatureStoreReport, TopologyReport};
pub use snapshot::ClusterSnapshot;

#[cfg(test)]
mod tests;
