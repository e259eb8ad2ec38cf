//! Where the topology comes from when the console serves: a Kubernetes cluster through
//! kube-rs (`kubernetes = "auto"` or a kubeconfig path), else manifest folders (`manifests`),
//! else the bundled demo. Either way one [`TopologyHandle`] is kept fresh in the background
//! and every area (topology, registry cache, recovery) reads the same snapshot.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::kube_source::KubeTopologySource;
use super::manifests::load_paths;
use super::refresher::{TopologyHandle, TopologyRefresher};

/// The cluster setting (`kubernetes` key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KubernetesSetting {
    /// No cluster: manifests or the demo.
    Off,
    /// In-cluster service account when inside a pod, else `$KUBECONFIG` or `~/.kube/config`.
    Auto,
    /// This kubeconfig file (its current context).
    Kubeconfig(PathBuf),
}

impl KubernetesSetting {
    pub fn parse(text: &str) -> Result<KubernetesSetting, String> {
        match text.trim() {
            "" | "off" => Ok(KubernetesSetting::Off),
            "auto" | "in-cluster" => Ok(KubernetesSetting::Auto),
            path => {
                let p = PathBuf::from(path);
                if p.is_file() {
                    Ok(KubernetesSetting::Kubeconfig(p))
                } else {
                    Err(format!(
                        "`{path}` is not a kubeconfig file; use auto, off, or a path to a kubeconfig"
                    ))
                }
            }
        }
    }
}

/// The live topology and a description of its source for the pages.
#[derive(Clone)]
pub struct LiveTopology {
    pub source: String,
    pub handle: Arc<TopologyHandle>,
    /// Keeps `handle` fresh once `crate::background::start` runs it.
    pub refresher: Arc<TopologyRefresher>,
}

impl LiveTopology {
    fn new(source: String, refresher: Arc<TopologyRefresher>) -> LiveTopology {
        LiveTopology {
            source,
            handle: refresher.handle.clone(),
            refresher,
        }
    }
}

/// Connects to the configured source, ready to re-read manifests every `interval` or to watch
/// the cluster. A cluster
/// whose configuration cannot be read is a start-up error; a cluster that cannot be reached
/// yet is not (the pages say so and the refresher keeps trying with backoff).
pub async fn open(
    kubernetes: &KubernetesSetting,
    namespaces: Option<Vec<String>>,
    manifests: &[PathBuf],
    interval: Duration,
) -> Result<LiveTopology, ConnectError> {
    match kubernetes {
        KubernetesSetting::Off => {
            let paths = super::demo::manifest_paths(manifests);
            let source = paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ");
            // The first read is made now, so the pages never start empty; a GitOps folder
            // that changes is re-read on the interval.
            let first = load_paths(&paths);
            let refresher = TopologyRefresher::new(
                Box::new(move || {
                    let paths = paths.clone();
                    Box::pin(async move { Ok(load_paths(&paths)) })
                }),
                interval,
                Some(first),
            );
            Ok(LiveTopology::new(source, refresher))
        }
        KubernetesSetting::Auto | KubernetesSetting::Kubeconfig(_) => {
            let (source, kube) = connect(kubernetes, namespaces).await?;
            let refresher = TopologyRefresher::watching(Arc::new(kube));
            Ok(LiveTopology::new(source, refresher))
        }
    }
}

/// Why the cluster's configuration cannot be used; the console does not start.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot read kubeconfig {}", path.display())]
    ReadKubeconfig {
        path: PathBuf,
        source: kube::config::KubeconfigError,
    },
    #[error("kubeconfig {}", path.display())]
    LoadKubeconfig {
        path: PathBuf,
        source: kube::config::KubeconfigError,
    },
    #[error("no Kubernetes configuration found")]
    NoConfiguration(#[source] kube::config::InferConfigError),
    #[error("cannot build the Kubernetes client")]
    Client(#[source] kube::Error),
}

/// A kube-rs source for the cluster `kubernetes` names, and its description. Reading the
/// configuration does not contact the cluster.
pub async fn connect(
    kubernetes: &KubernetesSetting,
    namespaces: Option<Vec<String>>,
) -> Result<(String, KubeTopologySource), ConnectError> {
    let config = match kubernetes {
        KubernetesSetting::Kubeconfig(path) => {
            let kubeconfig = kube::config::Kubeconfig::read_from(path).map_err(|source| {
                ConnectError::ReadKubeconfig {
                    path: path.clone(),
                    source,
                }
            })?;
            kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
                .await
                .map_err(|source| ConnectError::LoadKubeconfig {
                    path: path.clone(),
                    source,
                })?
        }
        _ => kube::Config::infer()
            .await
            .map_err(ConnectError::NoConfiguration)?,
    };
    let scope = match &namespaces {
        Some(list) => format!("namespaces {}", list.join(", ")),
        None => "all namespaces".to_string(),
    };
    let source = format!("Kubernetes API {} ({scope})", config.cluster_url);
    let client = kube::Client::try_from(config).map_err(ConnectError::Client)?;
    Ok((source, KubeTopologySource::new(client, namespaces)))
}
