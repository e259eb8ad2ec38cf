//! The shared kit of the area pages: components and wording every area uses. The shell (the
//! document, layout and route table) sits on top of the areas; this module sits below them.

mod errors;
mod page;
mod resource;

pub use errors::{error_text, ErrorState};
pub use page::{EmptyState, PageHeader};
pub use resource::{page_resource, JsonBytes};
