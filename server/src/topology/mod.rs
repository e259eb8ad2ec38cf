//! Server side of the topology area.

pub mod cli;
