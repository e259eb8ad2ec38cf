//! Evidence for the demo (no registry configured): the first page a new user opens should show
//! each component judged, not "not known" four times. What can be measured is measured (the
//! demo registry's copy, the bundled file it is restored from, the demo manifests); what
//! cannot (Redis, a warehouse) is made up and says so in every line it produces.
//!
//! Each piece is used only where no real probe of that component is configured.

use std::path::Path;
use std::time::UNIX_EPOCH;

use app::recovery::assess::Inputs;
use app::recovery::evidence::{BackupEvidence, RedisEvidence, RedisInfo};
use app::recovery::probe_scope::ProbeAttachments;

use super::sources::{registry_target, RegistryTarget, Sources};
use crate::registry::demo::DemoRegistry;

/// Shown above the recovery table of a console serving the demo.
pub const NOTE: &str = "No registry is configured, so this console serves the bundled demo, and the components no recovery probe is configured for get demo evidence: the registry row measures the demo registry's copy in the data folder, backed up by the bundled file that \"Reset demo\" restores; the Redis and warehouse figures are made up, and their lines start with \"demo, made up\".";

/// The demo's backup: the bundled registry, when `probed` is the demo's copy.
pub fn backup(demo: &DemoRegistry, probed: &Path) -> Option<BackupEvidence> {
    if probed != demo.copy {
        return None;
    }
    let at = demo
        .bundled_modified()?
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_secs() as i64;
    Some(BackupEvidence::At {
        at,
        source: format!(
            "demo: the bundled registry {}, which \"Reset demo\" restores",
            demo.bundled.display()
        ),
    })
}

/// A healthy, persistent Redis primary with one replica, observed now: made-up figures.
pub fn redis(now: i64) -> RedisEvidence {
    RedisEvidence::Demo(RedisInfo {
        observed_at: now,
        rdb_last_save_at: Some(now - 240),
        rdb_last_bgsave_ok: true,
        rdb_save_points: Some(true),
        aof_enabled: true,
        role: "master".into(),
        connected_replicas: 1,
        master_link_up: None,
    })
}

/// The deployments' tables without the demo's evidence: it describes no deployment of the
/// topology (the demo registry is a SQLite file none of the demo manifests uses, and the Redis
/// and warehouse figures are made up), so each deployment keeps to its spec and real probes.
pub fn without_demo(
    sources: &Sources,
    inputs: &Inputs,
    mut attach: ProbeAttachments,
) -> (Inputs, ProbeAttachments) {
    let mut inputs = inputs.clone();
    let Some(demo) = &sources.demo else {
        return (inputs, attach);
    };
    if matches!(inputs.online.redis, RedisEvidence::Demo(_)) {
        inputs.online.redis = RedisEvidence::NotConfigured;
    }
    if sources.config.offline_sla.is_none() {
        inputs.offline.sla = None;
    }
    if matches!(registry_target(&sources.config, &sources.registries), RegistryTarget::File(p) if p == demo.copy)
    {
        attach.registry_probe = None;
    }
    (inputs, attach)
}

/// A warehouse SLA for the offline row: made up.
pub const OFFLINE_SLA: &str = "demo, made up: a managed warehouse with 99.9 % availability and 7 days of point-in-time restore (no warehouse is probed)";
