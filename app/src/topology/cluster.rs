//! Facts across FeatureStores: which registry each remote registry resolves to, which
//! registries are shared and by whom, and which namespaces are tenants.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::facts::{FeatureStoreFacts, RegistryFacts, RemoteTarget};

pub type FsKey = (String, String);

/// Where a FeatureStore's remote registry leads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ResolvedRegistry {
    /// A FeatureStore in the snapshot with a local registry.
    FeatureStore { namespace: String, name: String },
    /// Named (by feastRef, or by an operator Service hostname) but not in the snapshot.
    Missing {
        namespace: String,
        name: String,
        via: String,
    },
    /// Named by a FeatureStore that is itself remote: the operator only serves local registries.
    NotLocal { namespace: String, name: String },
    /// A hostname that is not an operator Service of a known FeatureStore.
    External { hostname: String },
}

/// A registry used by at least one other FeatureStore.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SharedRegistry {
    /// `namespace/name` of the FeatureStore serving it, or the external hostname.
    pub provider: String,
    pub provider_key: Option<FsKey>,
    pub users: Vec<FsKey>,
    /// Users in a namespace other than the provider's (or, for external hosts, more than one namespace).
    pub cross_namespace: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ClusterFacts {
    /// Namespaces holding at least one FeatureStore.
    pub namespaces: Vec<String>,
    /// Namespaces holding a highly available FeatureStore: the teams of a namespace-per-team setup.
    pub tenants: Vec<String>,
    pub resolved: BTreeMap<FsKey, ResolvedRegistry>,
    pub shared_registries: Vec<SharedRegistry>,
}

impl ClusterFacts {
    pub fn build(
        stores: &[FeatureStoreFacts],
        known_hostnames: &BTreeMap<String, FsKey>,
    ) -> ClusterFacts {
        let by_key: BTreeMap<FsKey, &FeatureStoreFacts> =
            stores.iter().map(|f| (f.key(), f)).collect();
        let namespaces: BTreeSet<String> = stores.iter().map(|f| f.namespace.clone()).collect();
        let tenants: BTreeSet<String> = stores
            .iter()
            .filter(|f| f.scaling.is_highly_available())
            .map(|f| f.namespace.clone())
            .collect();

        let mut resolved = BTreeMap::new();
        for fs in stores {
            if let RegistryFacts::Remote { target } = &fs.registry {
                resolved.insert(fs.key(), resolve(fs, target, &by_key, known_hostnames));
            }
        }

        let mut groups: BTreeMap<String, (Option<FsKey>, Vec<FsKey>)> = BTreeMap::new();
        for (user, r) in &resolved {
            let (provider, key) = match r {
                ResolvedRegistry::FeatureStore { namespace, name } => (
                    format!("{namespace}/{name}"),
                    Some((namespace.clone(), name.clone())),
                ),
                ResolvedRegistry::External { hostname } => (host_only(hostname).to_string(), None),
                _ => continue,
            };
            let entry = groups.entry(provider).or_insert((key, Vec::new()));
            entry.1.push(user.clone());
        }
        let shared_registries = groups
            .into_iter()
            .filter(|(_, (key, users))| key.is_some() || users.len() > 1)
            .map(|(provider, (provider_key, users))| {
                let cross_namespace = match &provider_key {
                    Some((ns, _)) => users.iter().any(|(u, _)| u != ns),
                    None => {
                        users
                            .iter()
                            .map(|(ns, _)| ns)
                            .collect::<BTreeSet<_>>()
                            .len()
                            > 1
                    }
                };
                SharedRegistry {
                    provider,
                    provider_key,
                    users,
                    cross_namespace,
                }
            })
            .collect();
        ClusterFacts {
            namespaces: namespaces.into_iter().collect(),
            tenants: tenants.into_iter().collect(),
            resolved,
            shared_registries,
        }
    }

    /// The shared registries this FeatureStore serves or uses.
    pub fn shared_registries_of(&self, key: &FsKey) -> Vec<&SharedRegistry> {
        self.shared_registries
            .iter()
            .filter(|s| s.provider_key.as_ref() == Some(key) || s.users.contains(key))
            .collect()
    }
}

fn resolve(
    fs: &FeatureStoreFacts,
    target: &RemoteTarget,
    by_key: &BTreeMap<FsKey, &FeatureStoreFacts>,
    known_hostnames: &BTreeMap<String, FsKey>,
) -> ResolvedRegistry {
    let (key, via) = match target {
        RemoteTarget::FeatureStore { namespace, name } => {
            ((namespace.clone(), name.clone()), "feastRef".to_string())
        }
        RemoteTarget::Hostname { hostname } => {
            let host = host_only(hostname);
            if let Some(key) = known_hostnames.get(host) {
                (key.clone(), format!("hostname {hostname}"))
            } else if let Some(key) = operator_service_target(host, &fs.namespace) {
                (key, format!("hostname {hostname}"))
            } else {
                return ResolvedRegistry::External {
                    hostname: hostname.clone(),
                };
            }
        }
    };
    match by_key.get(&key) {
        Some(target) if matches!(target.registry, RegistryFacts::Local { .. }) => {
            ResolvedRegistry::FeatureStore {
                namespace: key.0,
                name: key.1,
            }
        }
        Some(_) => ResolvedRegistry::NotLocal {
            namespace: key.0,
            name: key.1,
        },
        None => ResolvedRegistry::Missing {
            namespace: key.0,
            name: key.1,
            via,
        },
    }
}

/// `grpc://host:6570/x` -> `host`.
pub fn host_only(hostname: &str) -> &str {
    let h = hostname
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(hostname);
    let h = h.split('/').next().unwrap_or(h);
    h.rsplit_once(':')
        .map(|(host, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                host
            } else {
                h
            }
        })
        .unwrap_or(h)
}

/// `feast-<name>-registry[.<namespace>[.svc[.cluster.local]]]` is the operator's registry Service.
fn operator_service_target(host: &str, own_namespace: &str) -> Option<FsKey> {
    let mut labels = host.split('.');
    let first = labels.next()?;
    let name = first.strip_prefix("feast-")?;
    let name = name
        .strip_suffix("-registry")
        .or_else(|| name.strip_suffix("-registry-rest"))?;
    if name.is_empty() {
        return None;
    }
    let namespace = labels
        .next()
        .filter(|n| !n.is_empty())
        .unwrap_or(own_namespace);
    Some((namespace.to_string(), name.to_string()))
}
