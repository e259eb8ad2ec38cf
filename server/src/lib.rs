//! feast-console's server: command line, configuration, console database, HTTP router and
//! background work. Server-only code; pages live in the `app` crate.

pub mod auth;
pub mod background;
pub mod backoff;
pub mod cache;
pub mod capped_read;
pub mod catalog;
pub mod cli;
pub mod cli_args;
pub mod cli_format;
pub mod clock;
pub mod config;
pub mod cpu;
pub mod db;
pub mod error;
pub mod freshness;
pub mod heap;
pub mod history;
pub mod http;
pub mod lease;
pub mod memory_budget;
pub mod permissions;
pub mod recovery;
pub mod registry;
pub mod state;
pub mod topology;

pub use config::Config;
pub use error::StartError;
pub use state::AppState;
