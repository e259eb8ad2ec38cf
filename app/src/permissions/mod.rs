//! Permissions area. Domain logic for this area lives beside the page, free of I/O and Leptos types:
//! the model of Feast permissions, Feast's exact access decision, lints and access matrices.

pub mod access;
pub mod api;
pub mod audit_state;
pub mod editor;
pub mod evaluator;
pub mod from_catalog;
pub mod lints;
pub mod matching;
pub mod matrix;
pub mod model;
pub mod page_model;
pub mod pages;
pub mod pyregex;
pub mod python_snippet;
pub mod reverted;

pub use access::{effective_access, Access, EffectiveAccess, Principal};
pub use evaluator::{Decision, ListOutcome, Outcome, PermissionEvaluator};
pub use model::{Action, PermissionSpec, Policy, Resource, ResourceType, User};
pub use pages::{PermissionAuditPage, PermissionEditorPage, PermissionsPage};
