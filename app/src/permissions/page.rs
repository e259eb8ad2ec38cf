//! The permission area's pages: `/permissions` (views), `/permissions/edit`, `/permissions/audit`.

pub use super::audit::PermissionAuditPage;
pub use super::editor::PermissionEditorPage;
pub use super::views::PermissionsPage;
