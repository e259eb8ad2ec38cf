//! What `/permissions` shows for one project, computed (pure): the matrix, the lints, per-object
//! access and "as a user", and their CSV exports.

pub mod csv;
pub mod model;
pub mod token;

pub use model::{project_view, project_view_with, ProjectView, ViewQuery};
