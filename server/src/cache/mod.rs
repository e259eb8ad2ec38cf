//! Server side of the cache area.

pub mod cli;
