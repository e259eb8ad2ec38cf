//! History area: what changed in a registry, when, and where two registries differ.
//!
//! Pure domain (no I/O, no Leptos types): the change model (`model.rs`) and the field-level
//! diff of decoded objects and whole catalogs (`diff.rs`). The server records changes
//! (`server/src/history/`); the pages read them. See `docs/history.md`.

pub mod diff;
pub mod link;
pub mod model;

#[cfg(test)]
mod diff_tests;
