//! Recovery area: the guide's recovery-priority table, live. Domain logic (objectives, evidence,
//! assessment, exports) lives beside the page, free of I/O and Leptos types; probes live in the
//! server crate.

pub mod api;
pub mod assess;
pub mod assess_registry;
pub mod deployment;
mod deployment_stores;
pub mod evidence;
pub mod model;
pub mod priority;
pub mod probe_scope;
pub mod report;

mod pages;

#[cfg(feature = "ssr")]
pub use api::RecoveryBackend;
pub use pages::{RecoveryDeploymentPage, RecoveryPage};
pub use report::{RecoveryPageData, RecoveryReport, RecoveryState};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_deployment;
