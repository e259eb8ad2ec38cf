//! Catalog area. Domain logic for this area lives beside the page, free of I/O and Leptos types.

pub mod model;
pub mod overview;
mod page;
pub mod time;

pub use page::{catalog_overview, CatalogPage};
