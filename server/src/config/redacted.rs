//! `Debug` of the configuration: configurations end up in `{:?}` (test failures, tracing
//! fields, panics), so every URL goes through `db::redact_url` and every secret prints as `***`.
//! The impls destructure their struct, so a new field does not compile until it is placed here.

use std::fmt;

use super::recovery::RecoveryConfig;
use super::Config;

/// A URL (or libpq string, or a command line) as it may be shown: passwords and secret-named
/// parameters replaced (see `db::redact_url`).
pub struct Redacted<'a>(pub &'a str);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&crate::db::redact_url(self.0), f)
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Config {
            listen,
            ops_listen,
            data_dir,
            database_url,
            database_max_connections,
            site_root,
            log_format,
            log_level,
            request_timeout_seconds,
            request_body_kib,
            cpu_workers,
            cpu_queue,
            page_cache_mib,
            diagram_cache_mib,
            page_cache_ms,
            leader_lease_seconds,
            drain_delay_seconds,
            registries,
            manifests,
            kubernetes,
            kubernetes_namespaces,
            topology_refresh_seconds,
            registry_refresh_seconds,
            registry_ready_seconds,
            cache_probe_seconds,
            cache_probe_retention,
            registry_token,
            catalog_visibility,
            catalog_visibility_admins,
            visibility_cache_mib,
            visibility_cross_check,
            auth,
            recovery,
        } = self;
        f.debug_struct("Config")
            .field("listen", listen)
            .field("ops_listen", ops_listen)
            .field("data_dir", data_dir)
            .field("database_url", &Redacted(database_url))
            .field("database_max_connections", database_max_connections)
            .field("site_root", site_root)
            .field("log_format", log_format)
            .field("log_level", log_level)
            .field("request_timeout_seconds", request_timeout_seconds)
            .field("request_body_kib", request_body_kib)
            .field("cpu_workers", cpu_workers)
            .field("cpu_queue", cpu_queue)
            .field("page_cache_mib", page_cache_mib)
            .field("diagram_cache_mib", diagram_cache_mib)
            .field("page_cache_ms", page_cache_ms)
            .field("leader_lease_seconds", leader_lease_seconds)
            .field("drain_delay_seconds", drain_delay_seconds)
            // RegistrySource and RegistryToken redact themselves.
            .field("registries", registries)
            .field("manifests", manifests)
            .field("kubernetes", kubernetes)
            .field("kubernetes_namespaces", kubernetes_namespaces)
            .field("topology_refresh_seconds", topology_refresh_seconds)
            .field("registry_refresh_seconds", registry_refresh_seconds)
            .field("registry_ready_seconds", registry_ready_seconds)
            .field("cache_probe_seconds", cache_probe_seconds)
            .field("cache_probe_retention", cache_probe_retention)
            .field("registry_token", registry_token)
            .field("catalog_visibility", catalog_visibility)
            .field("catalog_visibility_admins", catalog_visibility_admins)
            .field("visibility_cache_mib", visibility_cache_mib)
            .field("visibility_cross_check", visibility_cross_check)
            // The client secret is a `Secret`; the issuer and public URLs hold none.
            .field("auth", auth)
            .field("recovery", recovery)
            .finish()
    }
}

/// An optional URL, redacted.
fn url(u: &Option<String>) -> Option<Redacted<'_>> {
    u.as_deref().map(Redacted)
}

impl fmt::Debug for RecoveryConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let RecoveryConfig {
            registry_pg_url,
            registry_file,
            backup_file,
            backup_command,
            backup_cronjob,
            redis_url,
            offline_sla,
            topology,
            registry_deployments,
            redis_deployments,
            offline_sla_deployments,
            objectives,
            probe_seconds,
            materialization_seconds_per_day,
        } = self;
        f.debug_struct("RecoveryConfig")
            .field("registry_pg_url", &url(registry_pg_url))
            .field("registry_file", registry_file)
            .field("backup_file", backup_file)
            // A command line may carry a password (`PGPASSWORD=... psql`, a libpq string).
            .field("backup_command", &url(backup_command))
            .field("backup_cronjob", backup_cronjob)
            .field("redis_url", &url(redis_url))
            .field("offline_sla", offline_sla)
            .field("topology", topology)
            .field("registry_deployments", registry_deployments)
            .field("redis_deployments", redis_deployments)
            .field("offline_sla_deployments", offline_sla_deployments)
            .field("objectives", objectives)
            .field("probe_seconds", probe_seconds)
            .field(
                "materialization_seconds_per_day",
                materialization_seconds_per_day,
            )
            .finish()
    }
}
