//! The declaration of every configuration key: name, kind of value, default, help, whether it
//! is a secret, and which sources may set it. Everything else is derived from this list: the
//! layers and their precedence (`layers.rs`), the `serve` flags and `--help` (`flags.rs`),
//! `config check` and the README table (`reference.rs`).

use super::origin::Origin;

/// What a key's value is: how it is read and checked, and how its flag takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Free text, checked by the validation of its key (`config/mod.rs`, `auth.rs`, `recovery.rs`).
    Text,
    /// A URL, checked by the validation of its key; a password in it is redacted when shown.
    Url,
    /// A file or folder.
    Path,
    /// `true` or `false` (also 1/0, yes/no, on/off; empty is false). The flag alone means true.
    Bool,
    /// A whole number within `min..=max`.
    Number { min: u64, max: u64 },
    /// Entries separated by commas or newlines; a TOML array in the file; a repeatable flag.
    List,
}

/// Which sources may set a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sources {
    /// The file, the environment and a flag.
    All,
    /// The environment only: a file tends to end up in version control, and flags show in the
    /// process list.
    EnvOnly,
}

/// One configuration key: its TOML name (env `FEAST_CONSOLE_<NAME>`, flag `--<name-with-dashes>`).
#[derive(Clone, Copy, Debug)]
pub struct Key {
    pub name: &'static str,
    pub kind: Kind,
    pub default: &'static str,
    pub help: &'static str,
    /// Never shown: `config check` prints `***`.
    pub secret: bool,
    pub sources: Sources,
    /// The flag's name when it is not the key's name with dashes (kept from earlier releases).
    pub flag: Option<&'static str>,
}

const fn key(name: &'static str, kind: Kind, default: &'static str, help: &'static str) -> Key {
    Key {
        name,
        kind,
        default,
        help,
        secret: false,
        sources: Sources::All,
        flag: None,
    }
}

const fn number(
    name: &'static str,
    min: u64,
    max: u64,
    default: &'static str,
    help: &'static str,
) -> Key {
    key(name, Kind::Number { min, max }, default, help)
}

use Kind::{Bool, List, Path, Text, Url};

/// A year and a day, the longest recovery objective.
const YEAR: u64 = 366 * 86_400;

pub const KEYS: &[Key] = &[
    key("listen", Text, "127.0.0.1:3000", "Address and port the HTTP server listens on."),
    key("ops_listen", Text, "127.0.0.1:0", "Address and port of the operations endpoints (`/readyz` with every check, `/metrics`, `/healthz`) for the kubelet and Prometheus; keep it unreachable from the Ingress (deploy/ uses `0.0.0.0:9090`, which only the Service's `metrics` port and the NetworkPolicy expose). Port 0 picks a free port, logged at start (a fixed default would collide when several consoles start on one machine). The main port answers `/healthz` and a bare `{\"ready\": bool}` on `/readyz`."),
    key("data_dir", Path, "data", "Folder for the console's own data (the SQLite console database by default); created if missing."),
    key("database_url", Url, "", "Console database: `sqlite://PATH` or `postgres://USER:PASSWORD@HOST:PORT/DB`. Empty means `sqlite://<data_dir>/console.db`."),
    number("database_max_connections", 1, 1000, "8", "Largest number of console database connections."),
    key("site_root", Path, "target/site", "Folder with the built site: `pkg/` (wasm, JS, CSS) and public assets."),
    key("log_format", Text, "human", "Log line format: `human` or `json`."),
    key("log_level", Text, "info", "`tracing` filter, e.g. `info` or `server=debug,info`."),
    number("request_timeout_seconds", 1, 3600, "30", "Requests running longer are answered with 408."),
    number("page_cache_ms", 0, 60_000, "1000", "A rendered catalog page (overview, lists, search, project and detail pages) is served again to the same browser session for this long while the registries are unchanged, with a fresh CSP nonce each time; `0` renders every request. A registry refresh or a permission save ends it at once; relative times on the page (\"refreshed 4 s ago\") can be this much old."),
    number("request_body_kib", 16, 65_536, "1024", "Largest request body the console reads (server functions, forms, sign-in callbacks), in KiB; a larger one is answered with 413 before any of it is used. The default holds a permission edit with 64 name patterns of the longest allowed length (4,096 characters), even fully percent-encoded."),
    number("cpu_workers", 0, 256, "0", "CPU-heavy work (diagram and lineage layout, the permissions matrix) runs off the request workers on at most this many threads at once; `0` means one per core."),
    number("cpu_queue", 0, 10_000, "32", "Requests waiting for a CPU worker (`cpu_workers`) beyond this many are answered at once with 503 and `Retry-After`, rather than piling up."),
    number("page_cache_mib", 1, 4096, "32", "Memory for rendered pages kept by `page_cache_ms`; the oldest go first."),
    number("diagram_cache_mib", 1, 4096, "16", "Memory for drawn SVG diagrams (topology diagrams, catalog lineage), per renderer (one for each); the least recently used go first."),
    number("leader_lease_seconds", 2, 3600, "15", "Replicas sharing a PostgreSQL console database elect one of them to run the background probes (registry load timing, recovery evidence) through a lease row; a dead leader is replaced within this long plus a third. `/metrics` shows `feast_console_probe_leader`."),
    number("drain_delay_seconds", 0, 300, "0", "On SIGTERM, keep serving this long with `/readyz` false before refusing new connections, so the load balancer stops sending first (`5` suits Kubernetes). In-flight requests then get 20 s to finish."),
    Key { flag: Some("registry"), ..key("registries", List, "", "Feast registries to read: `[NAME=]SOURCE` entries (on `serve`, `--feature-store-yaml PATH` also reads one from Feast's own file). `SOURCE` is `sqlite:///PATH`, `postgresql[+psycopg|+psycopg2]://...`, `http(s)://HOST:PORT` (REST registry server), a `registry.db` path or `file://...`. Empty means the bundled demo registry, served from an editable copy `<data_dir>/demo-registry.sqlite` (made on the first start; \"Reset demo\" on the permission pages restores it).") },
    number("registry_ready_seconds", 0, 3600, "30", "At start-up, `/readyz` stays not ready until each registry's first read has finished (succeeded or failed), at most this long, so a new replica does not answer with empty catalogs; the recovery probe's first round waits the same way. `0` does not wait."),
    number("registry_refresh_seconds", 1, 86_400, "30", "How often each registry is checked for changes; a failed read is retried after 1 s, doubling up to this interval, while the last good snapshot stays in use."),
    key("kubernetes", Text, "", "Read the topology from a Kubernetes cluster through kube-rs: `auto` (the in-cluster service account inside a pod, else `$KUBECONFIG` or `~/.kube/config`) or the path of a kubeconfig file (its current context). Empty or `off`: the `manifests` folders, else the bundled demo."),
    key("kubernetes_namespaces", List, "", "Namespaces the cluster source reads; empty means all namespaces (needs the ClusterRole in `deploy/kubernetes`)."),
    number("topology_refresh_seconds", 1, 86_400, "30", "How often the manifests folders are read again (a cluster is watched instead: its changes show within a second); a failed read is retried after 1 s, doubling up to this interval, while the last good snapshot stays in use and its age is shown."),
    Key { secret: true, ..key("registry_token", Text, "", "Bearer token sent to REST registry servers; empty sends none. The console reads every registry with its own credentials, so they must be able to read everything; what each person is shown is then decided by `catalog_visibility`.") },
    key("registry_token_file", Path, "", "File holding the bearer token for REST registry servers (trailing whitespace ignored), read again at each request so a mounted Kubernetes Secret can rotate; at most 64 KiB. Alternative to `registry_token`."),
    key("catalog_visibility", Text, "feast", "What each signed-in person sees of the registries (catalog, search, exports, the permissions page): `feast` shows an object only to people Feast would let DESCRIBE it, decided by the console's evaluator from the registry's permissions and the person's Feast roles, groups and namespaces; an object it cannot decide is hidden. `all` shows everything to every signed-in viewer, for registries that hold nothing secret (a warning is logged at every start)."),
    key("catalog_visibility_admins", Text, "feast", "What console admins see in the catalog: `feast` (as Feast decides for them, like everyone) or `all`. The permission editor and audit log always show admins everything."),
    number("visibility_cross_check", 0, 100, "8", "REST registries: how many of the console's visibility decisions for a signed-in user (half shown, half hidden) are asked of Feast's registry server with that user's token, once per registry snapshot and identity, in the background. `/readyz` shows how many agreed; each disagreement is logged. `0` turns it off."),
    number("visibility_cache_mib", 1, 4096, "64", "Memory for visibility decisions, one per registry snapshot and Feast identity (about one bit per object each, plus one index per snapshot); the least recently used go first."),
    number("cache_probe_seconds", 5, 86_400, "60", "How often the registry-cache probe times a full read of each registry; one console replica probes at a time."),
    number("cache_probe_retention", 10, 1_000_000, "1440", "Probe samples kept per registry in the console database, newest first (1440 is one day at the default interval)."),
    number("history_retention_days", 1, 36_500, "400", "Days of registry history (the recorded changes behind the timelines, feeds and `catalog diff --since`) kept in the console database; older changes are deleted by the lease holder."),
    number("history_max_entries", 100, 100_000_000, "1000000", "Recorded changes kept per registry, newest first, whatever their age; the lease holder deletes the oldest beyond it."),
    key("manifests", List, "", "Folders or files of Kubernetes manifests (FeatureStore resources and what surrounds them) for the topology pages. Empty means the bundled demo manifests (`server/demo/manifests/enterprise-shared`)."),
    key("public_url", Url, "", "Origin browsers use, e.g. `https://console.example.com` (no path). Sign-in redirects to `<public_url>/auth/callback`; same-origin checks compare against it. Empty means `http://<listen>`."),
    key("oidc_issuer_url", Url, "", "OpenID Connect issuer (Keycloak: `https://HOST/realms/REALM`). Empty means development mode: no sign-in, demo users, loopback only."),
    key("oidc_client_id", Text, "feast-console", "The console's confidential client id."),
    key("oidc_client_secret_file", Path, "", "File holding the client secret (trailing whitespace ignored). Alternative: `oidc_client_secret`."),
    Key { secret: true, sources: Sources::EnvOnly, ..key("oidc_client_secret", Text, "", "The client secret.") },
    key("oidc_feast_client_id", Text, "feast", "Feast's `client_id`: Feast roles are `resource_access.<this>.roles` plus the top-level `roles`."),
    key("oidc_scopes", Text, "openid profile email", "Scopes requested at sign-in, space-separated (`openid` is always added)."),
    key("cookie_secure", Bool, "true", "Session cookie `Secure` (and `__Host-` prefixed). `false` only when listening on loopback (plain-HTTP development)."),
    number("session_idle_minutes", 1, 7 * 24 * 60, "30", "A session unused this long ends."),
    number("session_absolute_hours", 1, 24 * 90, "12", "A session ends this long after sign-in, however active."),
    number("idp_outage_grace_seconds", 0, 24 * 3600, "300", "When the identity provider cannot be reached to refresh an expired access token, the session is kept this long past the token's expiry, then ended (the user signs in again)."),
    key("console_role_viewer", Text, "client_role:console-viewer", "Claim values granting *viewer* (catalog, topology): comma-separated `KIND:VALUE`, KIND one of `client_role` (`resource_access.<oidc_client_id>.roles`), `realm_role`, `group`, `role` (Feast roles)."),
    key("console_role_sre", Text, "client_role:console-sre", "Claim values granting *sre* (viewer + registry cache, recovery)."),
    key("console_role_admin", Text, "client_role:console-admin", "Claim values granting *admin* (sre + permissions, audit log)."),
    number("pending_logins_per_client", 1, 100_000, "20", "Sign-ins in progress (started at `/auth/login`, not yet back from the identity provider; each expires after 10 minutes) one client may hold; more get a 429 page. A client is its IPv4 address or IPv6 /64: the connection's, or the one a `trusted_proxies` proxy names."),
    key("trusted_proxies", List, "", "Addresses or CIDR ranges of proxies (the Ingress controller's pods): for a connection from one of them, the address it appended to `X-Forwarded-For` (the last one) is the client, for per-client limits. Empty: the connection's address counts, which behind an Ingress is the Ingress for everyone."),
    key("insecure_no_auth", Bool, "false", "Allow development mode on a non-loopback `listen` address or `public_url` (e.g. in a pod reached through `kubectl port-forward`). Requests must still come with a loopback `Host` and no proxy header naming another host or client (403 otherwise); whoever sends one is an admin, and a warning is logged at every start."),
    key("recovery_registry_pg_url", Url, "", "Recovery probe: the PostgreSQL registry database (`postgres://USER:PASSWORD@HOST:PORT/DB`); give it a read-only role with `pg_monitor` so replication and archiver figures are visible. Empty: the first PostgreSQL registry in `registries`, if any."),
    key("recovery_registry_file", Path, "", "Recovery probe: a SQLite or `registry.db` file whose age is the registry's evidence. Empty: the first SQLite/file registry in `registries` when no PostgreSQL one is probed."),
    key("recovery_backup_file", Path, "", "A file your backup job writes on success: its content (Unix seconds or RFC 3339), else its modification time, is the last registry backup."),
    key("recovery_backup_cronjob", Text, "", "`NAMESPACE/NAME` of the Kubernetes CronJob that backs the registry up: its `status.lastSuccessfulTime`, as the topology source (cluster or manifests) reads it, is the last backup. Wins over the command and the file."),
    key("recovery_backup_command", Text, "", "A shell command printing the last registry backup time (Unix seconds or RFC 3339); run with a 10 s limit (coreutils `timeout`). Wins over `recovery_backup_file`."),
    key("recovery_redis_url", Url, "", "Recovery probe: the Redis online store, `redis://[[USER]:PASSWORD@]HOST:PORT` (plain TCP; `INFO` and `CONFIG GET save`). Credentials come from here only, never from Kubernetes Secrets."),
    key("recovery_offline_sla", Text, "", "The offline store's data warehouse SLA as text; empty leaves the offline store *unknown*."),
    key("recovery_registry_deployments", List, "", "Deployments (`namespace/name`) the registry probe speaks for on their `/recovery/{namespace}/{name}` tables. Empty: every FeatureStore whose spec matches the probe's kind (PostgreSQL probe: `sql` registry DB; file probe: file registry on a PVC)."),
    key("recovery_redis_deployments", List, "", "Deployments the Redis probe speaks for. Empty: every FeatureStore with a Redis online store."),
    key("recovery_offline_sla_deployments", List, "", "Deployments `recovery_offline_sla` applies to. Empty: every FeatureStore with a DB offline store."),
    key("recovery_topology", Text, "", "`minimal`, `standard` or `enterprise`: overrides the class read from the topology source for the cluster table (manual file backups are acceptable only for Minimal); each deployment's table uses its own class."),
    number("recovery_registry_rpo_seconds", 1, YEAR, "900", "Registry DB RPO objective (guide: minutes)."),
    number("recovery_registry_rto_seconds", 1, YEAR, "900", "Registry DB RTO objective (guide: minutes, failover to standby)."),
    number("recovery_online_rto_seconds", 1, YEAR, "14400", "Online store RTO objective (guide: minutes to hours); its RPO is zero (reconstructible)."),
    number("recovery_operator_rto_seconds", 1, YEAR, "900", "Operator and CRDs RTO objective (guide: minutes, re-apply manifests)."),
    number("recovery_probe_seconds", 5, 86_400, "60", "Seconds between recovery probe rounds; each round stores one sample per component."),
    number("recovery_materialization_seconds_per_day", 1, 86_400, "60", "Online RTO estimate: seconds of materialization work per day of feature data to rebuild."),
];

impl Key {
    /// `FEAST_CONSOLE_<NAME>`.
    pub fn env_var(&self) -> String {
        format!("FEAST_CONSOLE_{}", self.name.to_ascii_uppercase())
    }

    /// The `serve` flag without its dashes; None for keys no flag may set.
    pub fn flag_name(&self) -> Option<String> {
        match (self.sources, self.flag) {
            (Sources::EnvOnly, _) => None,
            (Sources::All, Some(flag)) => Some(flag.to_string()),
            (Sources::All, None) => Some(self.name.replace('_', "-")),
        }
    }

    /// Whether a value from `origin` may set this key.
    pub fn allows(&self, origin: &Origin) -> bool {
        match self.sources {
            Sources::All => true,
            Sources::EnvOnly => matches!(origin, Origin::Env(_) | Origin::Default),
        }
    }

    /// The help with what follows from the declaration: the allowed range, the only source.
    pub fn description(&self) -> String {
        let mut text = self.help.to_string();
        if let Kind::Number { min, max } = self.kind {
            text.push_str(&format!(" Range {min}–{max}."));
        }
        if self.sources == Sources::EnvOnly {
            text.push_str(&format!(
                " Only from the environment ({}); refused in the configuration file and as a flag.",
                self.env_var()
            ));
        }
        text
    }
}

/// A size key's default in bytes (`*_mib` keys), for what runs without a configuration (the
/// command line, benches, tests); 0 for a key that is not a number.
pub fn default_mib_bytes(name: &str) -> usize {
    find(name)
        .and_then(|k| k.default.parse::<usize>().ok())
        .map_or(0, |mib| mib << 20)
}

pub fn find(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.name == name)
}

pub fn names() -> String {
    KEYS.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
}
