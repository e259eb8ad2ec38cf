//! The server's integration tests, linked into one test binary: each file used to be its own
//! binary, and linking the whole server twenty times cost minutes and gigabytes in CI.

#[macro_use]
mod common;
mod auth_support;
mod registry;
// The synthetic registry of the benches (test data, not in the shipped binary); only part of it
// is used here.
#[allow(dead_code)]
#[path = "../../dev/synthetic_registry.rs"]
mod synthetic;

mod architecture;
mod auth_cli;
mod auth_id_token;
mod auth_login_limits;
mod auth_oidc;
mod auth_routes;
mod auth_sessions;
mod bounds;
mod cache_cli;
mod cache_pages;
mod cache_probe;
mod catalog_escaping;
mod catalog_page_cache;
mod catalog_pages;
mod catalog_scale;
mod catalog_support;
mod catalog_visibility;
mod cli;
mod demo_registry;
mod deploy_manifests;
mod history_cli;
mod history_feast;
mod history_pages;
mod history_store;
mod history_support;
mod permissions_audit_record;
mod permissions_cli;
mod permissions_concurrency;
mod permissions_crash;
mod permissions_editing;
mod permissions_feast_apply;
mod permissions_page_size;
mod permissions_pages;
mod permissions_preview_oracle;
mod permissions_registry_oracle;
mod permissions_rest_lost_answer;
mod permissions_rest_write;
mod permissions_reverted;
mod recovery_cronjob;
mod recovery_deployments;
mod recovery_follower;
mod recovery_http;
mod recovery_probes;
mod registry_feast;
mod registry_first_read;
mod registry_sharing;
mod registry_sources;
mod registry_user_token;
mod replicas;
mod shell;
mod topology_admission;
mod topology_check;
mod topology_check_admission;
mod topology_cluster;
mod topology_diagrams;
mod topology_fake_api;
mod topology_kube;
mod visibility_oracle;
