//! Registry cache area. Domain logic for this area lives beside the page, free of I/O and Leptos
//! types: cache settings with their provenance, copies and refresh arithmetic, storm risk, the
//! guide's recommendations. The probe, its history and the plots live in the server crate.

pub mod api;
pub mod model;
pub mod range;
pub mod recommend;
pub mod settings;
pub mod storm;

mod pages;

pub use model::{analyze_deployment, DeploymentCache, RegistryMeasure};
pub use pages::{CacheDetailPage, CachePage};

#[cfg(test)]
mod tests;
