//! History area: what changed in a registry, when, and where two registries differ.
//!
//! Pure domain (no I/O, no Leptos types): the change model (`model.rs`) and the field-level
//! diff of decoded objects and whole catalogs (`diff.rs`). The server records changes
//! (`server/src/history/`); the pages read them. See `docs/history.md`.
//!
//! Pages (`pages/`: timelines, the comparison) and their server functions (`api.rs`); pure
//! view models beside them: `timeline.rs`, `compare.rs`, `feed.rs` (Atom), `export.rs`.

pub mod api;
pub mod compare;
pub mod diff;
pub mod export;
pub mod feed;
pub mod link;
pub mod model;
pub mod pages;
pub mod timeline;

pub use pages::{CompareRegistriesPage, HistoryTimelinePage};

#[cfg(test)]
mod diff_tests;
