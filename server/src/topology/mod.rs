//! Server side of the topology area: sources (manifests folder), SVG rendering, command line.

pub mod backend;
pub mod cli;
pub mod demo;
pub mod diagrams;
pub mod kube_source;
pub mod manifests;
pub mod refresher;
pub mod schema;
pub mod source;
pub mod svg;
