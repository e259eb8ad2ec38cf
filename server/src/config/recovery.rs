//! Recovery keys: which probes run against what, and the RPO/RTO objectives. Each probe is
//! optional; credentials for probe targets come from here only, never from Kubernetes Secrets.

use app::recovery::deployment::parse_key;
use app::recovery::probe_scope::ProbeScope;
use app::recovery::{assess::TopologyClass, model::Objectives};

use super::error::ConfigError;
use super::layers::Layers;
use super::origin::Origin;

/// `Debug` (`redacted.rs`) hides the URLs' passwords.
#[derive(Clone)]
pub struct RecoveryConfig {
    /// PostgreSQL registry database to probe (ideally a role with `pg_monitor`).
    pub registry_pg_url: Option<String>,
    /// SQLite or registry.db file whose age is the registry's evidence.
    pub registry_file: Option<std::path::PathBuf>,
    /// File whose content (Unix seconds or RFC 3339) or, failing that, modification time marks
    /// the last successful registry backup.
    pub backup_file: Option<std::path::PathBuf>,
    /// Shell command printing the last backup time (Unix seconds or RFC 3339).
    pub backup_command: Option<String>,
    /// The backup CronJob (namespace, name) whose last success is the last backup.
    pub backup_cronjob: Option<(String, String)>,
    /// `redis://[:PASSWORD@]HOST:PORT` of the online store.
    pub redis_url: Option<String>,
    /// The offline store's data warehouse SLA, as text.
    pub offline_sla: Option<String>,
    /// Overrides the topology class found in the topology source (the cluster table only; each
    /// deployment's table uses its own class).
    pub topology: Option<TopologyClass>,
    /// Which deployments each probe speaks for, besides the cluster table
    /// (`recovery_registry_deployments`, `recovery_redis_deployments`,
    /// `recovery_offline_sla_deployments`: lists of `namespace/name`). Empty (the default):
    /// every deployment whose spec declares a store of the probe's kind — the PostgreSQL
    /// registry probe for `sql` registry DBs, the registry file probe for file registries on a
    /// PVC, the Redis probe for Redis online stores, the SLA for DB offline stores.
    pub registry_deployments: ProbeScope,
    pub redis_deployments: ProbeScope,
    pub offline_sla_deployments: ProbeScope,
    pub objectives: Objectives,
    pub probe_seconds: u64,
    /// Seconds of materialization work per day of feature data, for the online RTO estimate.
    pub materialization_seconds_per_day: u64,
}

/// The declared defaults (`keys.rs`): no probe, the guide's objectives.
impl Default for RecoveryConfig {
    fn default() -> Self {
        validate(&Layers::default()).expect("the declared defaults are valid")
    }
}

pub fn parse_topology(text: &str) -> Result<Option<TopologyClass>, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "minimal" => Ok(Some(TopologyClass::Minimal)),
        "standard" => Ok(Some(TopologyClass::Standard)),
        "enterprise" => Ok(Some(TopologyClass::Enterprise)),
        other => Err(format!(
            "`{other}` is not one of: minimal, standard, enterprise (or empty)"
        )),
    }
}

/// A list of `namespace/name` separated by commas, spaces or new lines; empty: by kind.
pub fn parse_scope(text: &str) -> Result<ProbeScope, String> {
    let keys = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|k| !k.is_empty())
        .map(|k| parse_key(k).map(|(ns, name)| format!("{ns}/{name}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(if keys.is_empty() {
        ProbeScope::ByKind
    } else {
        ProbeScope::Only(keys)
    })
}

pub(super) fn validate(layers: &Layers) -> Result<RecoveryConfig, ConfigError> {
    let invalid = |key: &'static str, origin: Origin, reason: String| ConfigError::Invalid {
        key,
        origin,
        reason,
    };

    let registry_pg_url = layers.text("recovery_registry_pg_url");
    if let Some(url) = &registry_pg_url {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            let (_, o) = layers.get("recovery_registry_pg_url");
            return Err(invalid(
                "recovery_registry_pg_url",
                o,
                format!("`{}` is not a postgres:// URL", crate::db::redact_url(url)),
            ));
        }
    }
    let redis_url = layers.text("recovery_redis_url");
    if let Some(url) = &redis_url {
        if let Err(reason) = crate::recovery::redis::RedisTarget::parse(url) {
            let (_, o) = layers.get("recovery_redis_url");
            return Err(invalid("recovery_redis_url", o, reason));
        }
    }
    let backup_cronjob = match layers.text("recovery_backup_cronjob") {
        None => None,
        Some(v) => match v.split_once('/') {
            Some((ns, name)) if !ns.is_empty() && !name.is_empty() && !name.contains('/') => {
                Some((ns.to_string(), name.to_string()))
            }
            _ => {
                let (_, o) = layers.get("recovery_backup_cronjob");
                return Err(invalid(
                    "recovery_backup_cronjob",
                    o,
                    format!("`{v}` is not NAMESPACE/NAME"),
                ));
            }
        },
    };
    let (topology, o) = layers.get("recovery_topology");
    let topology = parse_topology(&topology).map_err(|r| invalid("recovery_topology", o, r))?;

    let scope = |key: &'static str| {
        let (v, o) = layers.get(key);
        parse_scope(&v).map_err(|r| invalid(key, o, r))
    };
    let objectives = Objectives::new(
        layers.number("recovery_registry_rpo_seconds")?,
        layers.number("recovery_registry_rto_seconds")?,
        layers.number("recovery_online_rto_seconds")?,
        layers.number("recovery_operator_rto_seconds")?,
    );
    Ok(RecoveryConfig {
        registry_pg_url,
        registry_file: layers.text("recovery_registry_file").map(Into::into),
        backup_file: layers.text("recovery_backup_file").map(Into::into),
        backup_command: layers.text("recovery_backup_command"),
        backup_cronjob,
        redis_url,
        offline_sla: layers.text("recovery_offline_sla"),
        topology,
        registry_deployments: scope("recovery_registry_deployments")?,
        redis_deployments: scope("recovery_redis_deployments")?,
        offline_sla_deployments: scope("recovery_offline_sla_deployments")?,
        objectives,
        probe_seconds: layers.number("recovery_probe_seconds")?,
        materialization_seconds_per_day: layers
            .number("recovery_materialization_seconds_per_day")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(pairs: &[(&str, &str)]) -> Result<RecoveryConfig, ConfigError> {
        let env = pairs
            .iter()
            .map(|(k, v)| (format!("FEAST_CONSOLE_{}", k.to_uppercase()), v.to_string()));
        Layers::default()
            .with_env(env)?
            .validate()
            .map(|c| c.recovery)
    }

    #[test]
    fn defaults_follow_the_guide() {
        let c = load(&[]).unwrap();
        assert_eq!(c.objectives, Objectives::default());
        assert_eq!(
            (c.probe_seconds, c.registry_pg_url, c.topology),
            (60, None, None)
        );
    }

    #[test]
    fn values_are_checked_and_named() {
        let c = load(&[
            ("recovery_topology", "Minimal"),
            ("recovery_registry_rpo_seconds", "60"),
            ("recovery_redis_url", "redis://:pw@h:6380"),
        ])
        .unwrap();
        assert_eq!(c.topology, Some(TopologyClass::Minimal));
        assert_eq!(c.objectives.registry_db.rpo_seconds, Some(60));
        assert_eq!(c.redis_deployments, ProbeScope::ByKind);
        let c = load(&[("recovery_redis_deployments", "ml/a, team/b")]).unwrap();
        assert_eq!(
            c.redis_deployments,
            ProbeScope::Only(vec!["ml/a".into(), "team/b".into()])
        );
        for (key, value) in [
            ("recovery_topology", "huge"),
            ("recovery_redis_url", "http://h"),
            ("recovery_registry_pg_url", "mysql://h"),
            ("recovery_probe_seconds", "1"),
            ("recovery_online_rto_seconds", "soon"),
            ("recovery_redis_deployments", "ml/a, just-a-name"),
        ] {
            let e = load(&[(key, value)]).unwrap_err().to_string();
            assert!(e.contains(key), "{e}");
        }
        // A password in a bad URL is not echoed.
        let e = load(&[("recovery_registry_pg_url", "mysql://u:secret@h")])
            .unwrap_err()
            .to_string();
        assert!(!e.contains("secret"), "{e}");
    }
}
