//! Recovery area: the guide's recovery-priority table, live. Domain logic (objectives, evidence,
//! assessment, exports) lives beside the page, free of I/O and Leptos types; probes live in the
//! server crate.

pub mod assess;
mod assess_registry;
pub mod deployment;
mod deployment_stores;
pub mod evidence;
pub mod model;
pub mod probe_scope;
pub mod report;

mod page;
mod page_deployment;

pub use page::RecoveryPage;
pub use page_deployment::RecoveryDeploymentPage;
pub use report::{RecoveryPageData, RecoveryProvider, RecoveryReport, RecoveryState};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_deployment;
