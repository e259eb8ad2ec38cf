//! Server side of the recovery area.

pub mod cli;
