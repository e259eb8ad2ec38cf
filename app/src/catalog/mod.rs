//! Catalog area. Domain logic for this area lives beside the page, free of I/O and Leptos types.

pub mod api;
pub mod detail;
pub mod lineage;
pub mod list_index;
pub mod loading;
pub mod model;
pub mod overview;
pub mod pages;
pub mod postings;
pub mod query;
pub mod search;
pub mod search_index;
pub mod tags;
pub mod visibility;

pub use api::catalog_overview;
pub use pages::{
    CatalogDetailPage, CatalogListPage, CatalogPage, CatalogProjectPage, CatalogSearchPage,
};
