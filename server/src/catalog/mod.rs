//! Server side of the catalog area.

pub mod backend;
pub mod cli;
pub mod export;
pub mod overview;
pub mod routes;
