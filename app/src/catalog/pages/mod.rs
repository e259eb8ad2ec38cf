//! The catalog's pages: overview, project, list, detail and search pages, and the pieces they
//! share (breadcrumbs, the stale-data banner, the search box, lineage).

mod detail;
mod detail_sections;
mod lineage;
mod list;
mod overview;
mod parts;
mod project;
mod search;

pub use detail::CatalogDetailPage;
pub use list::{list_title, CatalogListPage};
pub use overview::CatalogPage;
pub use project::CatalogProjectPage;
pub use search::{CatalogSearchPage, SearchBox};
