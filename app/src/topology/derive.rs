//! Builds [`FeatureStoreFacts`] from a FeatureStore and the snapshot around it.
//!
//! Defaults follow the operator's CRD (`feast.dev_featurestores.yaml`, v1): `replicas` 1;
//! "An ephemeral onlineStore feature server is deployed by default"; registry "Local is the
//! default setting"; registry gRPC "Defaults to true if unset"; no offline store and no UI unless
//! configured. The file paths are the operator's (`/feast-data/...`).

use std::collections::BTreeMap;

use serde_json::Value;

use super::crd::{self, FeatureStore, FeatureStoreSpec, ServerConfig};
use super::facts::*;
use super::object_meta::ObjectMeta;
use super::snapshot::ClusterSnapshot;

pub const DEFAULT_ONLINE_PATH: &str = "/feast-data/online_store.db";
pub const DEFAULT_REGISTRY_PATH: &str = "/feast-data/registry.db";
pub const DEFAULT_REPLICAS: i64 = 1;
/// Label the operator puts on every pod of a FeatureStore.
pub const NAME_LABEL: &str = "feast.dev/name";

pub fn deployment_name(name: &str) -> String {
    format!("feast-{name}")
}

/// Facts for one FeatureStore; the snapshot supplies the objects around it.
pub fn derive_facts(fs: &FeatureStore, snapshot: &ClusterSnapshot) -> FeatureStoreFacts {
    let namespace = fs.metadata.namespace_or_default().to_string();
    let name = fs.metadata.name.clone();
    let (spec, config_source) = match fs.status.as_ref().and_then(|s| s.applied.as_ref()) {
        Some(applied) => (applied, ConfigSource::StatusApplied),
        None => (&fs.spec, ConfigSource::SpecWithDefaults),
    };
    let services = spec.services.clone().unwrap_or_default();
    let online = services.online_store.clone().unwrap_or_default();
    let online_enabled = online.disabled != Some(true);

    let mut servers = Vec::new();
    if online_enabled {
        let serving_metrics = online
            .serving
            .as_ref()
            .and_then(|s| s.metrics.as_ref())
            .and_then(|m| m.enabled)
            == Some(true);
        servers.push(server_facts(
            ServerKind::Online,
            online.server.as_ref(),
            serving_metrics,
        ));
    }
    // An offline store without `server` is only configuration for clients and jobs.
    if let Some(server) = services
        .offline_store
        .as_ref()
        .and_then(|o| o.server.as_ref())
    {
        servers.push(server_facts(ServerKind::Offline, Some(server), false));
    }
    let registry = registry_facts(spec, &namespace);
    // A local registry (the default) is served from the FeatureStore's own pods.
    if matches!(registry, RegistryFacts::Local { .. }) {
        let local = services.registry.as_ref().and_then(|r| r.local.as_ref());
        push_registry_servers(&mut servers, local.and_then(|l| l.server.as_ref()));
    }
    if let Some(ui) = &services.ui {
        servers.push(server_facts(ServerKind::Ui, Some(ui), false));
    }

    let pod_labels = pod_labels(fs, snapshot, &namespace);
    FeatureStoreFacts {
        project: spec
            .feast_project
            .clone()
            .or_else(|| fs.spec.feast_project.clone()),
        api_version: fs.api_version.clone(),
        config_source,
        online_store: online_enabled.then(|| online_persistence(online.persistence.as_ref())),
        online_store_db_declared: online
            .persistence
            .as_ref()
            .is_some_and(|p| p.store.is_some()),
        offline_store: services
            .offline_store
            .as_ref()
            .map(|o| offline_persistence(o.persistence.as_ref())),
        registry,
        scaling: scaling_facts(fs, spec, snapshot, &namespace, &name),
        pdb: pdb_facts(spec, snapshot, &namespace, &pod_labels),
        authz: authz(spec),
        exposures: exposures(snapshot, &namespace, &name),
        network_policies: snapshot
            .network_policies
            .iter()
            .filter(|p| {
                p.metadata.namespace_or_default() == namespace
                    && p.spec.pod_selector.matches(&pod_labels)
            })
            .map(|p| p.metadata.name.clone())
            .collect(),
        cron_job: cron_job(fs, spec, snapshot, &namespace, &name),
        batch_engine: spec.batch_engine.is_some(),
        status: status_facts(fs, snapshot, &namespace, &name),
        servers,
        namespace,
        name,
    }
}

fn push_registry_servers(servers: &mut Vec<ServerFacts>, server: Option<&ServerConfig>) {
    let grpc = server.and_then(|s| s.grpc).unwrap_or(true);
    let rest = server.and_then(|s| s.rest_api).unwrap_or(false);
    if grpc {
        servers.push(server_facts(ServerKind::Registry, server, false));
    }
    if rest {
        servers.push(server_facts(ServerKind::RegistryRest, server, false));
    }
}

fn server_facts(
    kind: ServerKind,
    server: Option<&ServerConfig>,
    extra_metrics: bool,
) -> ServerFacts {
    let quantity = |side: fn(&crd::Resources) -> Option<&serde_json::Map<String, Value>>,
                    key: &str| {
        server
            .and_then(|s| s.resources.as_ref())
            .and_then(side)
            .and_then(|m| m.get(key))
            .map(quantity_text)
    };
    let cpu_limit = quantity(|r| r.limits.as_ref(), "cpu");
    let cpu_request = quantity(|r| r.requests.as_ref(), "cpu");
    let workers = match server
        .and_then(|s| s.worker_configs.as_ref())
        .and_then(|w| w.workers)
    {
        // -1: gunicorn's 2 * CPU + 1; without a CPU figure assume 3 (one core).
        Some(-1) => {
            let cpus = cpu_limit
                .as_deref()
                .or(cpu_request.as_deref())
                .and_then(parse_cpu)
                .unwrap_or(1.0);
            (2.0 * cpus.ceil() + 1.0) as i64
        }
        Some(n) if n > 0 => n,
        _ => 1,
    };
    ServerFacts {
        kind,
        tls: server
            .and_then(|s| s.tls.as_ref())
            .is_some_and(|t| t.disable != Some(true) && t.secret_ref.is_some()),
        metrics: extra_metrics || server.and_then(|s| s.metrics) == Some(true),
        memory_request: quantity(|r| r.requests.as_ref(), "memory"),
        memory_limit: quantity(|r| r.limits.as_ref(), "memory"),
        cpu_request,
        cpu_limit,
        workers,
    }
}

fn quantity_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Kubernetes CPU quantity ("500m", "2", "1.5") in cores.
pub fn parse_cpu(q: &str) -> Option<f64> {
    let q = q.trim();
    match q.strip_suffix('m') {
        Some(milli) => milli.parse::<f64>().ok().map(|m| m / 1000.0),
        None => q.parse::<f64>().ok(),
    }
    .filter(|c| c.is_finite() && *c >= 0.0)
}

fn online_persistence(p: Option<&crd::OnlinePersistence>) -> Persistence {
    match p {
        Some(crd::OnlinePersistence {
            store: Some(store), ..
        }) => db(store),
        Some(crd::OnlinePersistence {
            file: Some(file), ..
        }) => Persistence::File {
            format: "sqlite".into(),
            path: Some(
                file.path
                    .clone()
                    .unwrap_or_else(|| DEFAULT_ONLINE_PATH.into()),
            ),
            on_pvc: file.pvc.is_some(),
            object_store: None,
        },
        _ => Persistence::File {
            format: "sqlite".into(),
            path: Some(DEFAULT_ONLINE_PATH.into()),
            on_pvc: false,
            object_store: None,
        },
    }
}

fn offline_persistence(p: Option<&crd::OfflinePersistence>) -> Persistence {
    match p {
        Some(crd::OfflinePersistence {
            store: Some(store), ..
        }) => db(store),
        Some(crd::OfflinePersistence {
            file: Some(file), ..
        }) => Persistence::File {
            format: file.file_type.clone().unwrap_or_else(|| "dask".into()),
            path: None,
            on_pvc: file.pvc.is_some(),
            object_store: None,
        },
        // The operator's default offline persistence is an ephemeral Dask file store.
        _ => Persistence::File {
            format: "dask".into(),
            path: None,
            on_pvc: false,
            object_store: None,
        },
    }
}

fn db(store: &crd::DbStore) -> Persistence {
    Persistence::Db {
        store_type: store.store_type.clone().unwrap_or_else(|| "unknown".into()),
    }
}

fn registry_facts(spec: &FeatureStoreSpec, namespace: &str) -> RegistryFacts {
    let registry = spec.services.as_ref().and_then(|s| s.registry.as_ref());
    if let Some(remote) = registry.and_then(|r| r.remote.as_ref()) {
        let target = match (&remote.feast_ref, &remote.hostname) {
            (Some(r), _) => RemoteTarget::FeatureStore {
                namespace: r
                    .namespace
                    .clone()
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| namespace.to_string()),
                name: r.name.clone().unwrap_or_default(),
            },
            (None, Some(h)) => RemoteTarget::Hostname {
                hostname: h.clone(),
            },
            (None, None) => RemoteTarget::Hostname {
                hostname: String::new(),
            },
        };
        return RegistryFacts::Remote { target };
    }
    let local = registry.and_then(|r| r.local.as_ref());
    let server = local.and_then(|l| l.server.as_ref());
    let persistence = local.and_then(|l| l.persistence.as_ref());
    let (persistence, cache_mode) = match persistence {
        Some(crd::RegistryPersistence {
            store: Some(store), ..
        }) => (db(store), CacheMode::InSecret),
        other => {
            let file = other.and_then(|p| p.file.as_ref());
            let path = file
                .and_then(|f| f.path.clone())
                .unwrap_or_else(|| DEFAULT_REGISTRY_PATH.into());
            let object_store = ["s3", "gs"]
                .iter()
                .find(|s| path.starts_with(&format!("{s}://")))
                .map(|s| s.to_string());
            let cache_mode = match file.and_then(|f| f.cache_mode.as_deref()) {
                Some("thread") => CacheMode::Thread,
                Some("none") => CacheMode::None,
                _ => CacheMode::Sync,
            };
            let persistence = Persistence::File {
                format: "registry.db".into(),
                on_pvc: file.is_some_and(|f| f.pvc.is_some()),
                path: Some(path),
                object_store,
            };
            (persistence, cache_mode)
        }
    };
    RegistryFacts::Local {
        persistence,
        grpc: server.and_then(|s| s.grpc).unwrap_or(true),
        rest: server.and_then(|s| s.rest_api).unwrap_or(false),
        cache_mode,
    }
}

fn scaling_facts(
    fs: &FeatureStore,
    spec: &FeatureStoreSpec,
    snapshot: &ClusterSnapshot,
    namespace: &str,
    name: &str,
) -> ScalingFacts {
    // v1alpha1 has no `replicas`: the API server drops it, so it never takes effect.
    let served_replicas = !fs.api_version.ends_with("/v1alpha1");
    let deployment = deployment_name(name);
    let autoscaling = spec
        .services
        .as_ref()
        .and_then(|s| s.scaling.as_ref())
        .and_then(|s| s.autoscaling.as_ref())
        .map(|a| {
            let min = a.min_replicas.unwrap_or(1);
            (min, a.max_replicas.unwrap_or(min))
        });
    ScalingFacts {
        replicas: spec
            .replicas
            .filter(|_| served_replicas)
            .unwrap_or(DEFAULT_REPLICAS),
        autoscaling,
        hpa_objects: snapshot
            .hpas
            .iter()
            .filter(|h| h.metadata.namespace_or_default() == namespace)
            .filter(|h| {
                let t = &h.spec.scale_target_ref;
                (t.kind == "Deployment" && t.name == deployment)
                    || (t.kind == "FeatureStore" && t.name == name)
            })
            .map(|h| h.metadata.name.clone())
            .collect(),
    }
}

/// Labels of the FeatureStore's pods: from the Deployment's template when it was read, else the
/// operator's `feast.dev/name` label.
fn pod_labels(
    fs: &FeatureStore,
    snapshot: &ClusterSnapshot,
    namespace: &str,
) -> BTreeMap<String, String> {
    let deployment = deployment_name(&fs.metadata.name);
    snapshot
        .deployments
        .iter()
        .find(|d| d.metadata.namespace_or_default() == namespace && d.metadata.name == deployment)
        .map(|d| d.spec.template.metadata.labels.clone())
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| BTreeMap::from([(NAME_LABEL.to_string(), fs.metadata.name.clone())]))
}

fn pdb_facts(
    spec: &FeatureStoreSpec,
    snapshot: &ClusterSnapshot,
    namespace: &str,
    labels: &BTreeMap<String, String>,
) -> PdbFacts {
    let in_spec = spec
        .services
        .as_ref()
        .and_then(|s| s.pod_disruption_budgets.as_ref());
    PdbFacts {
        in_spec: in_spec.is_some(),
        min_available: in_spec
            .and_then(|p| p.min_available.as_ref())
            .map(quantity_text),
        max_unavailable: in_spec
            .and_then(|p| p.max_unavailable.as_ref())
            .map(quantity_text),
        objects: snapshot
            .pdbs
            .iter()
            .filter(|p| p.metadata.namespace_or_default() == namespace)
            .filter(|p| {
                p.spec
                    .selector
                    .as_ref()
                    .is_some_and(|s| !s.match_labels.is_empty() && s.matches(labels))
            })
            .map(|p| p.metadata.name.clone())
            .collect(),
    }
}

fn authz(spec: &FeatureStoreSpec) -> Authz {
    match &spec.authz {
        Some(crd::AuthzConfig {
            kubernetes: Some(k),
            ..
        }) => Authz::Kubernetes {
            roles: k.roles.clone(),
        },
        Some(crd::AuthzConfig { oidc: Some(_), .. }) => Authz::Oidc,
        _ => Authz::None,
    }
}

fn in_namespace(meta: &ObjectMeta, namespace: &str) -> bool {
    meta.namespace_or_default() == namespace
}

fn exposures(snapshot: &ClusterSnapshot, namespace: &str, name: &str) -> Vec<Exposure> {
    let prefix = format!("{}-", deployment_name(name));
    let ours = |svc: &str| svc.starts_with(&prefix);
    let mut out = Vec::new();
    for ing in snapshot
        .ingresses
        .iter()
        .filter(|i| in_namespace(&i.metadata, namespace))
    {
        let services: Vec<String> = ing
            .backend_services()
            .filter(|s| ours(s))
            .map(String::from)
            .collect();
        if !services.is_empty() {
            out.push(Exposure {
                kind: ExposureKind::Ingress,
                name: ing.metadata.name.clone(),
                tls: !ing.spec.tls.is_empty(),
                services,
            });
        }
    }
    for route in snapshot
        .routes
        .iter()
        .filter(|r| in_namespace(&r.metadata, namespace) && ours(&r.spec.to.name))
    {
        out.push(Exposure {
            kind: ExposureKind::Route,
            name: route.metadata.name.clone(),
            tls: route.spec.tls.as_ref().is_some_and(|t| !t.is_null()),
            services: vec![route.spec.to.name.clone()],
        });
    }
    for svc in snapshot
        .services
        .iter()
        .filter(|s| in_namespace(&s.metadata, namespace) && ours(&s.metadata.name))
    {
        if matches!(
            svc.spec.service_type.as_deref(),
            Some("LoadBalancer") | Some("NodePort")
        ) {
            out.push(Exposure {
                kind: ExposureKind::Service,
                name: svc.metadata.name.clone(),
                tls: false,
                services: vec![svc.metadata.name.clone()],
            });
        }
    }
    out
}

fn cron_job(
    fs: &FeatureStore,
    spec: &FeatureStoreSpec,
    snapshot: &ClusterSnapshot,
    namespace: &str,
    name: &str,
) -> Option<CronJobFacts> {
    let wanted = fs
        .status
        .as_ref()
        .and_then(|s| s.cron_job.clone())
        .unwrap_or_else(|| deployment_name(name));
    let object = snapshot
        .cron_jobs
        .iter()
        .find(|c| in_namespace(&c.metadata, namespace) && c.metadata.name == wanted);
    let in_spec = spec.cron_job.as_ref();
    if in_spec.is_none() && object.is_none() {
        return None;
    }
    Some(CronJobFacts {
        schedule: in_spec
            .and_then(|c| c.schedule.clone())
            .or_else(|| object.map(|o| o.spec.schedule.clone())),
        from_spec: in_spec.is_some(),
        object: object.map(|o| o.metadata.name.clone()),
    })
}

fn status_facts(
    fs: &FeatureStore,
    snapshot: &ClusterSnapshot,
    namespace: &str,
    name: &str,
) -> StatusFacts {
    let deployment = deployment_name(name);
    let deployment_ready = snapshot
        .deployments
        .iter()
        .find(|d| in_namespace(&d.metadata, namespace) && d.metadata.name == deployment)
        .and_then(|d| {
            d.status.as_ref().map(|s| {
                (
                    s.ready_replicas.unwrap_or(0),
                    d.spec.replicas.or(s.replicas).unwrap_or(0),
                )
            })
        });
    let Some(status) = &fs.status else {
        return StatusFacts {
            deployment_ready,
            ..Default::default()
        };
    };
    let hostnames = status.service_hostnames.clone().unwrap_or_default();
    let service_hostnames = [
        ("onlineStore", hostnames.online_store),
        ("offlineStore", hostnames.offline_store),
        ("registry", hostnames.registry),
        ("registryRest", hostnames.registry_rest),
        ("ui", hostnames.ui),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k.to_string(), v)))
    .collect();
    StatusFacts {
        phase: status.phase.clone(),
        conditions: status
            .conditions
            .iter()
            .map(|c| ConditionFacts {
                condition_type: c.condition_type.clone(),
                status: c.status.clone(),
                reason: c.reason.clone(),
                message: c.message.clone(),
            })
            .collect(),
        current_replicas: status
            .scaling_status
            .as_ref()
            .and_then(|s| s.current_replicas)
            .or(status.replicas),
        desired_replicas: status
            .scaling_status
            .as_ref()
            .and_then(|s| s.desired_replicas),
        service_hostnames,
        feast_version: status.feast_version.clone(),
        deployment_ready,
    }
}
