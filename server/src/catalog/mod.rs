//! Server side of the catalog area.

pub mod backend;
pub mod cli;
pub mod cross_check;
pub mod export;
pub mod overview;
pub mod routes;
pub mod visibility;
