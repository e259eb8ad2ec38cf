//! Shared state handed to every handler and server function.

use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::{
    config::Config, db::ConsoleDb, http::metrics::HttpMetrics, registry::refresher::Registries,
};

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub leptos: LeptosOptions,
    pub db: ConsoleDb,
    pub metrics: Arc<HttpMetrics>,
    pub lifecycle: Arc<Lifecycle>,
    /// Every Feast registry the console reads, each with its current snapshot.
    pub registries: Registries,
    /// Sign-in, sessions and the authorization guard's settings.
    pub auth: crate::auth::Auth,
    /// Whether this replica runs the background probes (`lease.leadership.is_leader()`).
    pub lease: Arc<crate::lease::LeaseKeeper>,
    /// What each person may see of the registries: decisions per (snapshot, identity), kept
    /// with a byte bound (see `catalog::visibility`).
    pub visibility_cache: Arc<crate::catalog::visibility::VisibilityCache>,
    /// Visibility decisions sampled against Feast's registry server (REST registries).
    pub cross_check: Arc<crate::catalog::cross_check::CrossCheck>,
    /// The cluster or manifests snapshot every area reads (topology, cache, recovery).
    pub topology: crate::topology::source::LiveTopology,
    /// Rendered catalog pages kept for `page_cache_ms` (see `http::page_cache`).
    pub page_cache: Arc<crate::http::page_cache::PageCache>,
    /// CPU-heavy work of requests (diagrams, lineage, the permissions matrix), off the async
    /// workers, `cpu_workers` at a time (see `crate::cpu`).
    pub cpu: Arc<crate::cpu::CpuPool>,
    /// Each registry snapshot's permissions compiled once per project, for the permissions page.
    pub compiled_permissions: Arc<crate::permissions::compiled::CompiledPermissions>,
    /// The demo registry's editable copy, when no registry is configured.
    pub demo: Option<Arc<crate::registry::demo::DemoRegistry>>,
    /// Recovery rounds: the page, the exports and the gauges read the latest.
    pub recovery: Arc<crate::recovery::runner::RecoveryRunner>,
    /// The background loops (`crate::background::start`) and their restarts.
    pub tasks: Arc<crate::background::supervisor::Supervisor>,
}

impl AppState {
    /// The registries actually read (the demo's copy when none is configured).
    pub fn registry_sources(&self) -> Vec<crate::registry::RegistrySource> {
        self.registries
            .handles
            .iter()
            .map(|h| h.source_config().clone())
            .collect()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// Start-up and shutdown phases, read by `/readyz`.
#[derive(Default, Debug)]
pub struct Lifecycle {
    started: AtomicBool,
    draining: AtomicBool,
}

impl Lifecycle {
    pub fn mark_started(&self) {
        self.started.store(true, Ordering::SeqCst);
    }
    pub fn mark_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }
    pub fn is_started(&self) -> bool {
        self.started.load(Ordering::SeqCst)
    }
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }
}
