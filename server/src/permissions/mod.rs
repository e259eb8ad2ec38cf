//! Server side of the permissions area.

pub mod audit;
pub mod backend;
pub mod cli;
pub mod compiled;
pub mod http;
pub mod input;
pub mod lint_cache;
pub mod reconcile;
pub mod store;
