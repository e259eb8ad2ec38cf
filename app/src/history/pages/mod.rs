//! The history pages: `/history` (a registry's, a project's or an object's timeline) and
//! `/compare` (two registries or projects side by side); `parts.rs` holds the field diff both
//! show. Both are GET forms rendered whole on the server, so they work without JavaScript.

mod compare;
mod parts;
mod timeline;

pub use compare::CompareRegistriesPage;
pub use timeline::HistoryTimelinePage;
