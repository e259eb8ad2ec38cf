//! How the configured probes attach to deployments (see `deployment.rs`).

use serde::{Deserialize, Serialize};

/// Which deployments one probe's evidence speaks for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeScope {
    /// The cluster table and every deployment whose spec declares a store of the probe's kind.
    #[default]
    ByKind,
    /// The cluster table and only these deployments (`namespace/name`), whatever their spec.
    Only(Vec<String>),
}

impl ProbeScope {
    pub fn covers(&self, key: &str, kind_matches: bool) -> bool {
        match self {
            ProbeScope::ByKind => kind_matches,
            ProbeScope::Only(keys) => keys.iter().any(|k| k == key),
        }
    }
}

/// What the registry probe reads, which decides the registries it matches by kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistryProbeKind {
    Postgres,
    File,
}

/// How the configured probes attach to deployments.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeAttachments {
    /// None when no registry probe is configured.
    pub registry_probe: Option<RegistryProbeKind>,
    pub registry: ProbeScope,
    pub redis: ProbeScope,
    pub offline_sla: ProbeScope,
}
