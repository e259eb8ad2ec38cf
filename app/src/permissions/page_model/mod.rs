//! What `/permissions` shows for one project, computed (pure): the matrix, the lints, per-object
//! access and "as a user", their CSV exports, and a matrix cell's explanation on demand.

pub mod csv;
pub mod explain;
pub mod model;
pub mod query;
pub mod token;

pub use explain::{cell_explanation, CellExplanation};
pub use model::{project_view, project_view_with, ProjectView};
pub use query::ViewQuery;
