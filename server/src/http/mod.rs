//! The HTTP side: router, tower-http layers, operations endpoints and metrics.

pub mod layers;
pub mod metrics;
pub mod ops;
pub mod page_cache;
mod router;
pub mod serve;

pub use ops::ops_router;
pub use router::router;
