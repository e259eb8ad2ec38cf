//! Server side of the catalog area.

pub mod cli;
