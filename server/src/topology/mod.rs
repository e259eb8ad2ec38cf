//! Server side of the topology area: sources (manifests folder), SVG rendering, command line.

pub mod cli;
pub mod demo;
pub mod diagrams;
pub mod kube_source;
pub mod manifests;
pub mod provider;
pub mod refresher;
pub mod schema;
pub mod source;
pub mod svg;
