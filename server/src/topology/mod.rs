//! Server side of the topology area: sources (manifests folder), SVG rendering, command line.

pub mod backend;
pub mod cli;
pub mod crd_admission;
pub mod demo;
pub mod diagrams;
pub mod kube_kinds;
pub mod kube_source;
mod kube_stores;
pub mod kustomize;
pub mod manifests;
pub mod refresher;
pub mod source;
pub mod svg;
