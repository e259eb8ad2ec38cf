//! The permission area's pages: `/permissions` (the matrix and the other views of a project),
//! `/permissions/edit`, `/permissions/audit`.

mod audit;
mod demo;
mod editor;
mod matrix;
mod reverted;
mod snippet;

pub use audit::PermissionAuditPage;
pub use demo::DemoNotice;
pub use editor::PermissionEditorPage;
pub use matrix::PermissionsPage;
