//! One deployment's registry, online and offline rows: the spec's persistence first, then the
//! evidence of the probes that apply, else what the spec alone tells (see `deployment.rs`).

use super::assess::{
    assess_offline, assess_online, base, class_label, Assessment, Inputs, TopologyClass,
};
use super::assess_registry::assess_registry;
use super::evidence::{ByProject, RedisEvidence};
use super::model::{ComponentId, Status};
use super::probe_scope::{ProbeAttachments, RegistryProbeKind};
use crate::topology::facts::{Persistence, RegistryFacts, RemoteTarget};

fn class_name(i: &Inputs) -> &'static str {
    i.topology.map(class_label).unwrap_or("an unclassified")
}

fn is_minimal(i: &Inputs) -> bool {
    i.topology == Some(TopologyClass::Minimal)
}

pub(super) fn registry_row(
    i: &Inputs,
    r: &RegistryFacts,
    secret: Option<&str>,
    attach: &ProbeAttachments,
    key: &str,
) -> Assessment {
    let mut a = base(ComponentId::RegistryDb, i);
    let persistence = match r {
        RegistryFacts::Remote { target } => {
            let (line, reason) = match target {
                RemoteTarget::FeatureStore { namespace, name } => (
                    format!("spec: remote registry served by FeatureStore {namespace}/{name}"),
                    format!("the serving FeatureStore {namespace}/{name} is not in the topology source"),
                ),
                RemoteTarget::Hostname { hostname } => (
                    format!("spec: remote registry at `{hostname}`"),
                    format!("remote registry at `{hostname}`: no FeatureStore in the topology source serves it, so it is assessed where it runs"),
                ),
            };
            a.evidence.push(line);
            a.reason = reason;
            return a;
        }
        RegistryFacts::Local { persistence, .. } => persistence,
    };
    let line = spec_line("registry", persistence, secret);
    let kind_matches = match persistence {
        Persistence::Db { store_type } => {
            attach.registry_probe == Some(RegistryProbeKind::Postgres) && store_type == "sql"
        }
        Persistence::File {
            on_pvc: true,
            object_store: None,
            ..
        } => attach.registry_probe == Some(RegistryProbeKind::File),
        Persistence::File { .. } => false,
    };
    // A file inside the pod: no probe can reach it, and a restart loses it.
    if let Persistence::File {
        on_pvc: false,
        object_store: None,
        ..
    } = persistence
    {
        a.evidence.push(line);
        return decided(a, Status::Breached, "ephemeral registry file (no PVC): every registry change is lost when the pod restarts; use a PVC with backups (Minimal) or PostgreSQL with automated backups".into());
    }
    if attach.registry_probe.is_some() && attach.registry.covers(key, kind_matches) {
        let mut a = assess_registry(i);
        a.evidence.insert(0, line);
        return a;
    }
    a.evidence.push(line);
    match persistence {
        Persistence::Db { store_type } => decided(
            a,
            Status::Unknown,
            format!("no probe configured for this deployment's `{store_type}` registry database"),
        ),
        Persistence::File { .. } if !is_minimal(i) => decided(
            a,
            Status::AtRisk,
            format!("file registry in {} topology: the guide asks for automated PostgreSQL backups (daily + WAL archiving)", class_name(i)),
        ),
        Persistence::File {
            object_store: Some(os),
            ..
        } => decided(
            a,
            Status::Unknown,
            format!("registry file on {os}: its durability is the bucket's (not probed); keep object versioning on"),
        ),
        Persistence::File { .. } => decided(
            a,
            Status::Unknown,
            "no probe configured for this deployment's registry file on a PVC (the guide accepts manual file backups for Minimal)".into(),
        ),
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn online_row(
    i: &mut Inputs,
    p: Option<&Persistence>,
    secret: Option<&str>,
    attach: &ProbeAttachments,
    key: &str,
    project: Option<&str>,
    by_project: &ByProject,
) -> Assessment {
    let Some(p) = p else {
        let mut a = base(ComponentId::OnlineStore, i);
        a.evidence.push("spec: online store disabled".into());
        return decided(
            a,
            Status::Met,
            "online store disabled in the spec: nothing to restore".into(),
        );
    };
    let mut missing_project = None;
    if let Some(map) = by_project {
        // This deployment's own project; without one, the whole registry.
        if let Some(project) = project {
            i.online.materialization = map.get(project).cloned();
            if i.online.materialization.is_none() {
                missing_project = Some(format!(
                    "project `{project}` is not in the loaded registry: materialization history unknown"
                ));
            }
        }
    }
    let redis_match = matches!(p, Persistence::Db { store_type } if store_type == "redis");
    let redis_configured = !matches!(i.online.redis, RedisEvidence::NotConfigured);
    let covered = redis_configured && attach.redis.covers(key, redis_match);
    if !covered {
        i.online.redis = RedisEvidence::NotConfigured;
    }
    let mut a = assess_online(i);
    a.evidence.retain(|e| {
        e != "no Redis probe configured"
            && !(missing_project.is_some() && e.starts_with("no registry loaded"))
    });
    a.evidence.extend(missing_project);
    a.evidence.insert(0, spec_line("online store", p, secret));
    if covered {
        return a;
    }
    match p {
        Persistence::Db { store_type } if store_type == "redis" => decided(
            a,
            Status::Unknown,
            "no probe configured for this deployment's Redis online store".into(),
        ),
        Persistence::Db { store_type } => decided(
            a,
            Status::Unknown,
            format!("no probe for `{store_type}` online stores (only Redis is probed)"),
        ),
        Persistence::File { on_pvc, .. } => {
            if !on_pvc {
                a.evidence.push(
                    "ephemeral: a pod restart empties it; recovery means re-materializing".into(),
                );
            }
            if !is_minimal(i) && Status::AtRisk > a.status {
                let why = format!("file online store in {} topology: the guide recommends Redis with RDB snapshots or AOF persistence", class_name(i));
                return decided(a, Status::AtRisk, why);
            }
            a
        }
    }
}

pub(super) fn offline_row(
    i: &Inputs,
    p: Option<&Persistence>,
    secret: Option<&str>,
    attach: &ProbeAttachments,
    key: &str,
) -> Assessment {
    let kind_matches = matches!(p, Some(Persistence::Db { .. }));
    if i.offline.sla.is_some() && attach.offline_sla.covers(key, kind_matches) {
        let mut a = assess_offline(i);
        if let Some(p) = p {
            a.evidence.insert(0, spec_line("offline store", p, secret));
        }
        return a;
    }
    let mut a = base(ComponentId::OfflineStore, i);
    let Some(p) = p else {
        return decided(
            a,
            Status::Unknown,
            "no offline store in this deployment's spec".into(),
        );
    };
    a.evidence.push(spec_line("offline store", p, secret));
    match p {
        Persistence::Db { store_type } => decided(
            a,
            Status::Unknown,
            format!("no SLA configured for this deployment's `{store_type}` offline store"),
        ),
        Persistence::File { on_pvc: false, .. } => decided(
            a,
            Status::AtRisk,
            "offline store files are ephemeral (no PVC): lost when the pod restarts".into(),
        ),
        Persistence::File { .. } if is_minimal(i) => decided(
            a,
            Status::Met,
            "file-based offline store on a PVC: the guide expects no separate backup for Minimal".into(),
        ),
        Persistence::File { .. } => decided(
            a,
            Status::AtRisk,
            format!("file-based offline store in {} topology: the guide expects a warehouse with a provider SLA", class_name(i)),
        ),
    }
}

fn spec_line(what: &str, p: &Persistence, secret: Option<&str>) -> String {
    let secret = secret
        .map(|s| format!(" (connection in Secret `{s}`, not read)"))
        .unwrap_or_default();
    let path = match p {
        Persistence::File {
            path: Some(path), ..
        } => format!(" (path {path})"),
        _ => String::new(),
    };
    format!("spec: {what} {}{path}{secret}", p.describe())
}

/// Sets a row's status and reason from what the spec alone tells, keeping its evidence.
fn decided(mut a: Assessment, status: Status, reason: String) -> Assessment {
    a.status = status;
    a.reason = reason;
    a
}
