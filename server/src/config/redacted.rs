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
            history_retention_days,
            history_max_entries,
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
            .field("history_retention_days", history_retention_days)
            .field("history_max_entries", history_max_entries)
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

#[cfg(test)]
mod tests {
    use super::super::tests::{env, file};
    use super::super::Config;

    /// Configurations end up in `{:?}`: one full of secrets prints none of them.
    #[test]
    fn debug_of_a_configuration_shows_no_secret() {
        let secret_file = file("cs-from-file-4\n");
        let c = Config::load(
            None,
            env(&[
                (
                    "FEAST_CONSOLE_DATABASE_URL",
                    "postgres://fc:db-pw-1@db:5432/console",
                ),
                ("FEAST_CONSOLE_REGISTRY_TOKEN", "reg-token-2"),
                (
                    "FEAST_CONSOLE_REGISTRIES",
                    "main=postgresql://reg:reg-pw-3@db:5432/registry, rest=http://reg:6572",
                ),
                (
                    "FEAST_CONSOLE_OIDC_ISSUER_URL",
                    "https://sso.example.com/realms/feast",
                ),
                (
                    "FEAST_CONSOLE_OIDC_CLIENT_SECRET_FILE",
                    secret_file.0.to_str().unwrap(),
                ),
                (
                    "FEAST_CONSOLE_RECOVERY_REGISTRY_PG_URL",
                    "postgres://probe:rec-pw-5@db:5432/registry",
                ),
                (
                    "FEAST_CONSOLE_RECOVERY_REDIS_URL",
                    "redis://:redis-pw-6@cache:6379",
                ),
                (
                    "FEAST_CONSOLE_RECOVERY_BACKUP_COMMAND",
                    "psql password=cmd-pw-7 -c 'select 1'",
                ),
            ]),
            vec![],
        )
        .unwrap();
        assert_eq!(
            c.auth.oidc.as_ref().unwrap().client_secret.expose(),
            "cs-from-file-4"
        );
        let text = format!("{c:?}\n{c:#?}");
        for secret in [
            "db-pw-1",
            "reg-token-2",
            "reg-pw-3",
            "cs-from-file-4",
            "rec-pw-5",
            "redis-pw-6",
            "cmd-pw-7",
        ] {
            assert!(!text.contains(secret), "{secret} shown: {text}");
        }
        // Still useful: the parts that are no secret are there.
        for shown in [
            "db:5432/console",
            "redis://:***@cache:6379",
            "sso.example.com",
            "main",
        ] {
            assert!(text.contains(shown), "{shown} missing: {text}");
        }
    }

    #[test]
    fn registry_token_file_is_read_at_each_use() {
        let token = file("first\n");
        let path = token.0.to_str().unwrap().to_string();
        let c = Config::load(
            None,
            env(&[
                ("FEAST_CONSOLE_REGISTRIES", "rest=http://reg:6572"),
                ("FEAST_CONSOLE_REGISTRY_TOKEN_FILE", &path),
            ]),
            vec![],
        )
        .unwrap();
        let source_token = c.registries[0].token.clone().unwrap();
        assert_eq!(source_token.read().unwrap(), "first");
        std::fs::write(&token.0, "rotated").unwrap();
        assert_eq!(source_token.read().unwrap(), "rotated");
        assert!(!format!("{c:?}").contains("rotated"));

        let both = Config::load(
            None,
            env(&[
                ("FEAST_CONSOLE_REGISTRY_TOKEN", "inline"),
                ("FEAST_CONSOLE_REGISTRY_TOKEN_FILE", &path),
            ]),
            vec![],
        )
        .unwrap_err()
        .to_string();
        assert!(
            both.contains("`registry_token_file`") && both.contains("once"),
            "{both}"
        );
        let missing = Config::load(
            None,
            env(&[("FEAST_CONSOLE_REGISTRY_TOKEN_FILE", "/no/such/token")]),
            vec![],
        )
        .unwrap_err()
        .to_string();
        assert!(
            missing.contains("`registry_token_file`") && missing.contains("/no/such/token"),
            "{missing}"
        );
    }
}
