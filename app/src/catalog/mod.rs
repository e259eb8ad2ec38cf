//! Catalog area. Domain logic for this area lives beside the page, free of I/O and Leptos types.

pub mod api;
pub mod detail;
pub mod lineage;
pub mod model;
pub mod overview;
mod page;
pub mod pages;
pub mod query;
pub mod search;
mod search_index;

pub use page::{catalog_overview, CatalogPage};
pub use pages::{CatalogDetailPage, CatalogListPage, CatalogProjectPage, CatalogSearchPage};
