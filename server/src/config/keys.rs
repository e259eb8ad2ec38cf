/// One configuration key: its TOML name (env `FEAST_CONSOLE_<NAME>`, flag `--<name-with-dashes>`),
/// default, and meaning. The README's configuration table mirrors this list.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    pub name: &'static str,
    pub default: &'static str,
    pub help: &'static str,
}

pub const KEYS: &[Key] = &[
    Key { name: "listen", default: "127.0.0.1:3000", help: "Address and port the HTTP server listens on." },
    Key { name: "data_dir", default: "data", help: "Folder for the console's own data (the SQLite console database by default); created if missing." },
    Key { name: "database_url", default: "", help: "Console database: sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DB. Empty means sqlite://<data_dir>/console.db." },
    Key { name: "database_max_connections", default: "8", help: "Largest number of console database connections (1-1000)." },
    Key { name: "site_root", default: "target/site", help: "Folder with the built site: pkg/ (wasm, JS, CSS) and public assets." },
    Key { name: "log_format", default: "human", help: "Log line format: human or json." },
    Key { name: "log_level", default: "info", help: "tracing filter, e.g. info or server=debug,info." },
    Key { name: "request_timeout_seconds", default: "30", help: "Requests running longer are answered with 408 (1-3600)." },
    Key { name: "page_cache_ms", default: "1000", help: "Catalog pages are kept this long once rendered and served again to the same browser session while the registries are unchanged (0-60000; 0 renders every request). Relative times on a page can be this much old." },
    Key { name: "leader_lease_seconds", default: "15", help: "Replicas sharing a PostgreSQL console database elect one to run background probes; a dead leader is replaced within this long plus a third (2-3600)." },
    Key { name: "drain_delay_seconds", default: "0", help: "On SIGTERM, keep serving this long with /readyz false before refusing new connections, so the load balancer stops sending first (0-300; 5 suits Kubernetes)." },
    Key { name: "registries", default: "", help: "Feast registries to read: [NAME=]SOURCE entries separated by commas or newlines (a TOML array also works; the serve flag --registry repeats). SOURCE is sqlite:///PATH, postgresql[+psycopg|+psycopg2]://..., http(s)://HOST:PORT (REST registry server), a registry.db path, or a feature_store.yaml. Empty means the bundled demo registry, served from an editable copy in data_dir (demo-registry.sqlite)." },
    Key { name: "registry_refresh_seconds", default: "30", help: "How often each registry is checked for changes (1-86400); failures back off up to 5 minutes." },
    Key { name: "cache_probe_seconds", default: "60", help: "How often the registry-cache probe times a full read of each registry (5-86400); one console replica probes at a time." },
    Key { name: "cache_probe_retention", default: "1440", help: "Probe samples kept per registry in the console database, newest first (10-1000000; 1440 is one day at the default interval)." },
    Key { name: "manifests", default: "", help: "Folders or files of Kubernetes manifests (FeatureStore resources and what surrounds them) for the topology pages, separated by commas or newlines (a TOML array works too). Empty means the bundled demo manifests." },
    Key { name: "kubernetes", default: "", help: "Read the topology from a Kubernetes cluster: auto (the in-cluster service account inside a pod, else $KUBECONFIG or ~/.kube/config) or the path of a kubeconfig file. Empty or off: the manifests folders, else the bundled demo." },
    Key { name: "kubernetes_namespaces", default: "", help: "Namespaces the cluster source reads, comma-separated; empty means all namespaces (needs a ClusterRole)." },
    Key { name: "topology_refresh_seconds", default: "30", help: "How often the cluster (or the manifests folders) is read again (1-86400); failures back off up to 5 minutes while the last good snapshot stays in use." },
    Key { name: "registry_token", default: "", help: "Bearer token sent to REST registry servers; empty sends none." },
    Key { name: "public_url", default: "", help: "Origin browsers use to reach the console, e.g. https://console.example.com (no path). Sign-in redirects to <public_url>/auth/callback and same-origin checks compare against it. Empty means http://<listen>." },
    Key { name: "oidc_issuer_url", default: "", help: "OpenID Connect issuer (Keycloak: https://HOST/realms/REALM); discovery reads its /.well-known/openid-configuration. Empty means development mode: no sign-in, demo users, loopback only." },
    Key { name: "oidc_client_id", default: "feast-console", help: "The console's confidential client id at the identity provider." },
    Key { name: "oidc_client_secret_file", default: "", help: "File holding the client secret (trailing whitespace ignored). Alternative: FEAST_CONSOLE_OIDC_CLIENT_SECRET. Never put the secret itself in the configuration file." },
    Key { name: "oidc_client_secret", default: "", help: "The client secret, from the environment (FEAST_CONSOLE_OIDC_CLIENT_SECRET) only; refused in the configuration file." },
    Key { name: "oidc_feast_client_id", default: "feast", help: "Feast's client_id (its auth: {type: oidc} block): Feast roles are resource_access.<this>.roles plus the top-level roles claim. Empty: Feast ignores resource_access." },
    Key { name: "oidc_scopes", default: "openid profile email", help: "Scopes requested at sign-in, space-separated (openid is always added)." },
    Key { name: "cookie_secure", default: "true", help: "Mark the session cookie Secure (HTTPS only). false is allowed only when listening on a loopback address, for plain-HTTP development." },
    Key { name: "session_idle_minutes", default: "30", help: "A session unused this long ends (1-10080)." },
    Key { name: "session_absolute_hours", default: "12", help: "A session ends this long after sign-in, however active (1-2160)." },
    Key { name: "console_role_viewer", default: "client_role:console-viewer", help: "Claim values granting the viewer role (catalog, topology): comma-separated KIND:VALUE, KIND one of client_role (resource_access.<oidc_client_id>.roles), realm_role, group, role (Feast roles)." },
    Key { name: "console_role_sre", default: "client_role:console-sre", help: "Claim values granting the sre role (viewer plus registry cache and recovery); same format as console_role_viewer." },
    Key { name: "console_role_admin", default: "client_role:console-admin", help: "Claim values granting the admin role (sre plus permission editing and the audit log); same format as console_role_viewer." },
    Key { name: "recovery_registry_pg_url", default: "", help: "Recovery probe: PostgreSQL registry database, postgres://USER:PASSWORD@HOST:PORT/DB (a read-only role with pg_monitor sees replication and archiver stats). Empty: the first PostgreSQL registry in `registries`, if any." },
    Key { name: "recovery_registry_file", default: "", help: "Recovery probe: SQLite or registry.db file whose age is the registry's evidence. Empty: the first SQLite or file registry in `registries` when no PostgreSQL one is probed." },
    Key { name: "recovery_backup_file", default: "", help: "Recovery probe: a file your backup job writes on success; its content (Unix seconds or RFC 3339) or else its modification time is the last backup." },
    Key { name: "recovery_backup_cronjob", default: "", help: "Recovery probe: NAMESPACE/NAME of the Kubernetes CronJob that backs the registry up; its status.lastSuccessfulTime (from the topology source) is the last backup. Takes precedence over the file and command." },
    Key { name: "recovery_backup_command", default: "", help: "Recovery probe: a shell command printing the last registry backup time (Unix seconds or RFC 3339), run with a 10 s limit." },
    Key { name: "recovery_redis_url", default: "", help: "Recovery probe: the Redis online store, redis://[:PASSWORD@]HOST:PORT (plain TCP; INFO and CONFIG GET save). Credentials come from here only, never from Kubernetes Secrets." },
    Key { name: "recovery_offline_sla", default: "", help: "The offline store's data warehouse SLA as text (e.g. \"BigQuery, 99.99 %, cross-region\"); empty leaves the offline store unknown." },
    Key { name: "recovery_registry_deployments", default: "", help: "Deployments (namespace/name, comma-separated) the registry probe speaks for on /recovery/{namespace}/{name}. Empty: every FeatureStore whose spec matches the probe's kind (PostgreSQL probe: `sql` registry DB; file probe: file registry on a PVC)." },
    Key { name: "recovery_redis_deployments", default: "", help: "Deployments (namespace/name, comma-separated) the Redis probe speaks for. Empty: every FeatureStore with a Redis online store." },
    Key { name: "recovery_offline_sla_deployments", default: "", help: "Deployments (namespace/name, comma-separated) the offline SLA applies to. Empty: every FeatureStore with a DB offline store." },
    Key { name: "recovery_topology", default: "", help: "minimal, standard or enterprise: overrides the topology class read from the topology source for the cluster table (manual file backups are acceptable only for minimal); each deployment's table uses its own class." },
    Key { name: "recovery_registry_rpo_seconds", default: "900", help: "Registry DB RPO objective in seconds (guide: minutes)." },
    Key { name: "recovery_registry_rto_seconds", default: "900", help: "Registry DB RTO objective in seconds (guide: minutes, failover to standby)." },
    Key { name: "recovery_online_rto_seconds", default: "14400", help: "Online store RTO objective in seconds (guide: minutes to hours); its RPO is zero (reconstructible)." },
    Key { name: "recovery_operator_rto_seconds", default: "900", help: "Operator and CRDs RTO objective in seconds (guide: minutes, re-apply manifests)." },
    Key { name: "recovery_probe_seconds", default: "60", help: "Seconds between recovery probe rounds (5-86400); each round stores one sample per component." },
    Key { name: "recovery_materialization_seconds_per_day", default: "60", help: "Online RTO estimate: seconds of materialization work per day of feature data to rebuild (1-86400)." },
    Key { name: "insecure_no_auth", default: "false", help: "Allow development mode (no identity provider) on a non-loopback address. Anyone who can reach the console is then an admin; a warning is logged at every start." },
];

pub fn find(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.name == name)
}

pub fn names() -> String {
    KEYS.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
}
