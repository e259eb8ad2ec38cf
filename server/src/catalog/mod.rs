//! Server side of the catalog area.

pub mod cli;
pub mod export;
pub mod overview;
pub mod routes;
pub mod service;
