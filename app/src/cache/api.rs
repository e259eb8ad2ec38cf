//! The registry-cache area's API: its server functions, the `CacheBackend` the server implements
//! for them, and what the pages show.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{DeploymentCache, RegistryBackend};
use super::range::Range;
use super::storm::RiskLevel;

/// One plot: its SVG (server-rendered, names escaped) and a text alternative.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlotView {
    pub id: String,
    pub title: String,
    pub svg: Option<String>,
    /// Says in words what the plot shows; always present.
    pub text: String,
    pub error: Option<String>,
}

/// The latest probe of one registry source.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProbeView {
    pub registry: String,
    pub source: String,
    /// "ok", "failed" or "not yet probed".
    pub state: String,
    pub last_load_ms: Option<f64>,
    pub bytes: Option<u64>,
    pub objects: Option<u64>,
    pub last_error: Option<String>,
    pub samples: usize,
    pub probed_at: Option<String>,
    /// REST registries: "visibility agrees with Feast: N of N" once users' decisions were
    /// sampled against Feast's registry server.
    #[serde(default)]
    pub visibility_check: Option<String>,
}

/// One table row.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CacheRow {
    pub namespace: String,
    pub name: String,
    pub copies: String,
    pub mode: String,
    pub cache_ttl: String,
    pub registry_ttl: String,
    pub load: String,
    pub risk_id: String,
    pub risk: String,
    pub recommendation: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CacheOverview {
    pub manifests: String,
    pub probes: Vec<ProbeView>,
    pub rows: Vec<CacheRow>,
    pub errors: Vec<String>,
    /// Load-time history, one plot per registry.
    pub history: Vec<PlotView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CacheDetail {
    pub row: CacheRow,
    pub analysis: DeploymentCache,
    pub plots: Vec<PlotView>,
}

#[cfg(feature = "ssr")]
#[crate::backend::async_trait]
pub trait CacheBackend: Send + Sync {
    async fn overview(&self) -> Result<CacheOverview, crate::backend::BackendError>;
    async fn detail(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<Option<CacheDetail>, crate::backend::BackendError>;
}

pub fn format_bytes(b: u64) -> String {
    let b = b as f64;
    if b >= 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} GiB", b / 1024f64.powi(3))
    } else if b >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", b / 1024f64.powi(2))
    } else if b >= 1024.0 {
        format!("{:.1} KiB", b / 1024.0)
    } else {
        format!("{b:.0} B")
    }
}

pub fn format_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        format!("{ms:.1} ms")
    }
}

pub fn format_range(r: Range) -> String {
    if r.min == r.max {
        r.current.to_string()
    } else {
        format!("{} (HPA {}–{})", r.current, r.min, r.max)
    }
}

pub fn row(d: &DeploymentCache) -> CacheRow {
    let remote = d.registry_backend == RegistryBackend::Remote;
    let s = &d.settings;
    let primary = d.recommendations.iter().find(|r| r.primary);
    let recommendation = match primary {
        None if remote => "none: a remote registry keeps no copy in these pods".to_string(),
        None => "-".to_string(),
        Some(r) if r.changes.is_empty() => format!("matches {}", r.label),
        Some(r) => format!(
            "{}: {}",
            r.label,
            r.changes
                .iter()
                .map(|c| format!("{} {} → {} ({})", c.setting, c.current, c.target, c.field))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    };
    let risk_detail = match (d.storm.level, d.storm.waiting_share, d.storm.max_wait_ms) {
        (RiskLevel::None, ..) => String::new(),
        (_, Some(share), Some(wait)) => {
            format!(
                ": {:.3}% of requests wait up to {}",
                share * 100.0,
                format_ms(wait)
            )
        }
        _ => ": not measured yet".to_string(),
    };
    CacheRow {
        namespace: d.namespace.clone(),
        name: d.name.clone(),
        copies: if remote {
            "0 (remote registry)".into()
        } else {
            format_range(d.copies)
        },
        mode: s.cache_mode.value.name().to_string(),
        cache_ttl: format!("{} s", s.cache_ttl_seconds.value),
        registry_ttl: format!("{} s", s.registry_ttl_seconds.value),
        load: match d.measure.as_ref().and_then(|m| m.load_ms) {
            _ if remote => "no local reads".to_string(),
            Some(ms) => format!(
                "{} · {:.1} reads/min",
                format_ms(ms),
                d.refreshes_per_minute
            ),
            None => format!("not measured · {:.1} reads/min", d.refreshes_per_minute),
        },
        risk_id: d.storm.level.label().to_string(),
        risk: format!("{}{risk_detail}", d.storm.level.label()),
        recommendation,
    }
}

#[cfg(feature = "ssr")]
const NOT_SET_UP: &str = "the registry-cache area is not set up on this server";

#[server(prefix = "/api/sre")]
pub async fn load_cache_overview() -> Result<CacheOverview, ServerFnError> {
    crate::auth::require(crate::auth::ConsoleRole::Sre)?;
    let backend = crate::backend::from_context::<dyn CacheBackend>(NOT_SET_UP)?;
    backend.overview().await.map_err(ServerFnError::from)
}

#[server(prefix = "/api/sre")]
pub async fn load_cache_detail(
    namespace: String,
    name: String,
) -> Result<Option<CacheDetail>, ServerFnError> {
    crate::auth::require(crate::auth::ConsoleRole::Sre)?;
    let backend = crate::backend::from_context::<dyn CacheBackend>(NOT_SET_UP)?;
    backend
        .detail(&namespace, &name)
        .await
        .map_err(ServerFnError::from)
}
