//! What a recovery round reads besides the probe targets, and where the registry probe points.

use std::{path::PathBuf, sync::Arc};

use crate::config::recovery::RecoveryConfig;
use crate::registry::{RegistrySource, SourceKind};

/// What a round reads besides the probe targets.
#[derive(Clone, Default)]
pub struct Sources {
    pub config: RecoveryConfig,
    /// Configured Feast registries: the default registry probe target.
    pub registries: Vec<RegistrySource>,
    /// The topology (cluster or manifests) and its description, when there is one.
    pub topology: Option<(String, Arc<crate::topology::refresher::TopologyHandle>)>,
    /// The demo registry's copy when the console serves the demo: components no probe is
    /// configured for get demo evidence (see `recovery::demo`).
    pub demo: Option<Arc<crate::registry::demo::DemoRegistry>>,
}

/// Where the registry probe points: explicit keys first, else the first configured registry.
pub enum RegistryTarget {
    Postgres(String),
    File(PathBuf),
    None,
}

pub fn registry_target(config: &RecoveryConfig, registries: &[RegistrySource]) -> RegistryTarget {
    if let Some(url) = &config.registry_pg_url {
        return RegistryTarget::Postgres(url.clone());
    }
    if let Some(path) = &config.registry_file {
        return RegistryTarget::File(path.clone());
    }
    for r in registries {
        match &r.kind {
            // Feast writes `postgresql+psycopg://`; sqlx reads the plain scheme.
            SourceKind::Postgres(url) => return RegistryTarget::Postgres(url.clone()),
            SourceKind::Sqlite(p) | SourceKind::File(p) => return RegistryTarget::File(p.clone()),
            SourceKind::Rest(_) => continue,
        }
    }
    RegistryTarget::None
}
