//! Registry-cache health as the pages and the command line see it: the FeatureStores of a
//! manifests folder, each analysed against a measurement of the registry it reads.
//!
//! Which measured registry a FeatureStore reads: the registry holding a project named like its
//! `feastProject`; else the only configured registry, when there is just one; else none (the
//! figures that need a measurement then say "not measured").

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use app::backend::BackendError;
use app::cache::api::{self, CacheBackend, CacheDetail, CacheOverview, ProbeView};
use app::cache::{analyze_deployment, DeploymentCache, RegistryMeasure};
use app::topology::derive::derive_facts;
use app::topology::ClusterSnapshot;

use super::client_config::{self, ClientConfigs};
use super::plots;
use super::store::{self, Sample};
use crate::db::ConsoleDb;
use crate::registry::{refresher::Registries, RegistrySource};

/// Probes shown in the load-time history plot.
pub const HISTORY_POINTS: u32 = 120;

/// One registry's latest successful measurement and its project names.
#[derive(Clone, Debug, Default)]
pub struct Measured {
    pub measure: RegistryMeasure,
    pub projects: Vec<String>,
}

impl Measured {
    pub fn from_sample(sample: &Sample, projects: Vec<String>) -> Measured {
        let measure = RegistryMeasure {
            registry: sample.registry.clone(),
            bytes: sample.bytes.map(|b| b.max(0) as u64),
            objects: sample.objects.unwrap_or(0).max(0) as u64,
            projects: sample.projects.unwrap_or(projects.len() as i64).max(0) as u64,
            load_ms: sample.load_ms,
        };
        Measured { measure, projects }
    }
}

/// The FeatureStores of `snapshot`, analysed; sorted by namespace and name.
pub fn analyze_all(
    snapshot: &ClusterSnapshot,
    configs: &ClientConfigs,
    measured: &[Measured],
) -> Vec<DeploymentCache> {
    let mut out: Vec<DeploymentCache> = snapshot
        .feature_stores
        .iter()
        .map(|fs| {
            let facts = derive_facts(fs, snapshot);
            let chosen = facts
                .project
                .as_ref()
                .and_then(|p| measured.iter().find(|m| m.projects.contains(p)))
                .or_else(|| (measured.len() == 1).then(|| &measured[0]));
            let yaml = configs.get(&(facts.namespace.clone(), facts.name.clone()));
            analyze_deployment(fs, &facts, yaml, chosen.map(|m| &m.measure))
        })
        .collect();
    out.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    out
}

pub struct CacheHealth {
    db: ConsoleDb,
    sources: Vec<RegistrySource>,
    registries: Registries,
    manifests: String,
    /// The live topology (cluster or manifests), shared with the topology pages.
    topology: Arc<crate::topology::refresher::TopologyHandle>,
    configs: ClientConfigs,
    /// How the visibility decisions sampled against Feast's registry server came out.
    cross_check: Arc<crate::catalog::cross_check::CrossCheck>,
}

impl CacheHealth {
    /// Reads the manifests once now (as the topology pages do).
    pub fn new(
        db: ConsoleDb,
        sources: Vec<RegistrySource>,
        registries: Registries,
        paths: &[PathBuf],
    ) -> CacheHealth {
        CacheHealth {
            db,
            sources,
            registries,
            manifests: paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            topology: {
                let handle = Arc::new(crate::topology::refresher::TopologyHandle::default());
                handle.record(Ok(crate::topology::manifests::load_paths(paths)));
                handle
            },
            configs: client_config::scan(paths),
            cross_check: Arc::new(crate::catalog::cross_check::CrossCheck::new(0)),
        }
    }

    /// The current topology snapshot (empty until the first read).
    fn snapshot(&self) -> Arc<ClusterSnapshot> {
        self.topology.snapshot().unwrap_or_default()
    }

    /// The server's registries (the demo's copy when none is configured, as `serve` reads)
    /// and manifests (the bundled demo when none are configured, as the topology pages read).
    pub fn from_state(state: &crate::state::AppState) -> CacheHealth {
        let sources = state.registry_sources();
        // The operator-rendered client ConfigMaps are read from manifest folders; from a
        // cluster, settings come from the FeatureStore resources and Feast's defaults.
        let paths = match state.config.kubernetes {
            crate::topology::source::KubernetesSetting::Off => {
                crate::topology::demo::manifest_paths(&state.config.manifests)
            }
            _ => Vec::new(),
        };
        CacheHealth {
            db: state.db.clone(),
            sources,
            registries: state.registries.clone(),
            manifests: state.topology.source.clone(),
            topology: state.topology.handle.clone(),
            configs: client_config::scan(&paths),
            cross_check: state.cross_check.clone(),
        }
    }

    pub fn into_backend(self) -> Arc<dyn CacheBackend> {
        Arc::new(self)
    }

    fn project_names(&self, registry: &str) -> Vec<String> {
        self.registries
            .handles
            .iter()
            .find(|h| h.name == registry)
            .and_then(|h| h.snapshot())
            .map(|s| s.projects.iter().map(|p| p.project.to_string()).collect())
            .unwrap_or_default()
    }

    /// Per source: its history (oldest first) and latest successful measurement.
    async fn read_probes(
        &self,
    ) -> Result<Vec<(RegistrySource, Vec<Sample>, Option<Measured>)>, ProbeHistoryError> {
        let mut out = Vec::new();
        for source in &self.sources {
            let history = store::history(&self.db, &source.name, HISTORY_POINTS)
                .await
                .map_err(|source_error| ProbeHistoryError {
                    registry: source.name.clone(),
                    source: source_error,
                })?;
            let measured = history
                .iter()
                .rev()
                .find(|s| s.ok())
                .map(|s| Measured::from_sample(s, self.project_names(&source.name)));
            out.push((source.clone(), history, measured));
        }
        Ok(out)
    }

    async fn analysed(
        &self,
    ) -> Result<
        (
            Vec<DeploymentCache>,
            Vec<(RegistrySource, Vec<Sample>, Option<Measured>)>,
        ),
        ProbeHistoryError,
    > {
        let probes = self.read_probes().await?;
        let measured: Vec<Measured> = probes.iter().filter_map(|(_, _, m)| m.clone()).collect();
        Ok((
            analyze_all(&self.snapshot(), &self.configs, &measured),
            probes,
        ))
    }
}

fn probe_view(
    source: &RegistrySource,
    history: &[Sample],
    agreement: Option<&crate::catalog::cross_check::Agreement>,
) -> ProbeView {
    let last = history.last();
    let last_ok = history.iter().rev().find(|s| s.ok());
    ProbeView {
        registry: source.name.clone(),
        source: source.display(),
        state: match last {
            None => "not yet probed".into(),
            Some(s) if s.ok() => "ok".into(),
            Some(_) => "failed".into(),
        },
        last_load_ms: last_ok.and_then(|s| s.load_ms),
        bytes: last_ok.and_then(|s| s.bytes).map(|b| b.max(0) as u64),
        objects: last_ok.and_then(|s| s.objects).map(|o| o.max(0) as u64),
        last_error: last.and_then(|s| s.error.clone()),
        samples: history.len(),
        probed_at: last.map(|s| app::util::time::utc_from_millis(s.probed_at)),
        visibility_check: agreement.map(|a| {
            let errors = match a.errors {
                0 => String::new(),
                n => format!(" ({n} without an answer)"),
            };
            format!(
                "visibility agrees with Feast: {} of {}{errors}",
                a.agreed, a.compared
            )
        }),
    }
}

/// The console database could not give a registry's probe history.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the probe history of registry {registry}")]
pub struct ProbeHistoryError {
    registry: String,
    #[source]
    source: sqlx::Error,
}

impl From<ProbeHistoryError> for BackendError {
    fn from(error: ProbeHistoryError) -> Self {
        BackendError::unavailable(&error)
    }
}

#[app::backend::async_trait]
impl CacheBackend for CacheHealth {
    async fn overview(&self) -> Result<CacheOverview, BackendError> {
        {
            let (deployments, probes) = self.analysed().await?;
            Ok(CacheOverview {
                manifests: self.manifests.clone(),
                probes: {
                    let agreement = self.cross_check.figures();
                    probes
                        .iter()
                        .map(|(s, h, _)| probe_view(s, h, agreement.get(&s.name)))
                        .collect()
                },
                rows: deployments.iter().map(api::row).collect(),
                errors: self
                    .snapshot()
                    .errors
                    .iter()
                    .map(|e| format!("{}: {}", e.location, e.message))
                    .collect(),
                history: probes
                    .iter()
                    .map(|(s, h, _)| plots::load_history(&s.name, h))
                    .collect(),
            })
        }
    }

    async fn detail(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<Option<CacheDetail>, BackendError> {
        {
            let (deployments, probes) = self.analysed().await?;
            let Some(d) = deployments
                .into_iter()
                .find(|d| d.namespace == namespace && d.name == name)
            else {
                return Ok(None);
            };
            let by_name: BTreeMap<&str, &Vec<Sample>> = probes
                .iter()
                .map(|(s, h, _)| (s.name.as_str(), h))
                .collect();
            let mut plot_list = vec![plots::refresh_timeline(&d), plots::memory(&d)];
            if let Some(m) = &d.measure {
                if let Some(h) = by_name.get(m.registry.as_str()) {
                    plot_list.push(plots::load_history(&m.registry, h));
                }
            }
            Ok(Some(CacheDetail {
                row: api::row(&d),
                analysis: d,
                plots: plot_list,
            }))
        }
    }
}
