//! The server's integration tests, linked into one test binary: each file used to be its own
//! binary, and linking the whole server twenty times cost minutes and gigabytes in CI.

#[macro_use]
mod common;
mod auth_support;
mod registry;

mod auth_cli;
mod auth_id_token;
mod auth_oidc;
mod auth_routes;
mod auth_sessions;
mod cli;
mod deploy_manifests;
mod permissions_cli;
mod permissions_registry_oracle;
mod registry_feast;
mod registry_sources;
mod shell;
mod topology_check;
mod topology_diagrams;
mod topology_kube;
