//! Recovery area: the guide's recovery-priority table, live. Domain logic (objectives, evidence,
//! assessment, exports) lives beside the page, free of I/O and Leptos types; probes live in the
//! server crate.

pub mod assess;
mod assess_registry;
pub mod evidence;
pub mod model;
pub mod report;

mod page;

pub use page::RecoveryPage;
pub use report::{RecoveryPageData, RecoveryProvider, RecoveryReport};

#[cfg(test)]
mod tests;
