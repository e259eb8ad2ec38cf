//! Server side of the permissions area.

pub mod cli;
pub mod input;
