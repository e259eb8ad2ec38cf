//! Console configuration.
//!
//! Three layers, lowest precedence first: a TOML file (`--config FILE` or
//! `FEAST_CONSOLE_CONFIG`), environment variables (`FEAST_CONSOLE_<KEY>` in upper case), and
//! command-line flags (`--<key-with-dashes>`). Every key is declared once, in [`KEYS`]
//! (`keys.rs`); the layers (`layers.rs`), the flags (`flags.rs`), `config check` and the README
//! table (`reference.rs`) are derived from it. Validation happens once, at start-up: the first
//! bad value stops the console with one message naming the key, where it came from, and why it
//! is wrong (exit code 2).

pub mod auth;
mod error;
pub mod flags;
mod keys;
mod layers;
mod origin;
pub mod recovery;
mod redacted;
pub mod reference;

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

pub use error::ConfigError;
pub use keys::{default_mib_bytes, Key, Kind, Sources, KEYS};
pub use layers::Layers;
pub use origin::Origin;

use crate::registry::RegistrySource;

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// One readable line per event, for terminals.
    Human,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The validated configuration the console runs with. `Debug` (`redacted.rs`) shows no secret.
#[derive(Clone)]
pub struct Config {
    /// Address the HTTP server listens on (`listen`, default `127.0.0.1:3000`).
    pub listen: SocketAddr,
    /// Address of the operations endpoints: full `/readyz`, `/metrics` (`ops_listen`, default
    /// `127.0.0.1:0`).
    pub ops_listen: SocketAddr,
    /// Folder for the console's own data; created if missing (`data_dir`, default `data`).
    pub data_dir: PathBuf,
    /// Console database: `sqlite://PATH` or `postgres://...`
    /// (`database_url`, default `sqlite://<data_dir>/console.db`).
    pub database_url: String,
    /// Upper bound of the console database pool (`database_max_connections`, default 8).
    pub database_max_connections: u32,
    /// Folder holding the built site: `pkg/` with the wasm, JS and CSS, plus public assets
    /// (`site_root`, default `target/site`).
    pub site_root: PathBuf,
    /// `human` or `json` (`log_format`, default `human`).
    pub log_format: LogFormat,
    /// A `tracing` filter such as `info` or `server=debug,info` (`log_level`, default `info`).
    pub log_level: String,
    /// Requests taking longer are answered with 408 (`request_timeout_seconds`, default 30).
    pub request_timeout_seconds: u64,
    /// How long a rendered catalog page is served again to the same session while the registries
    /// are unchanged, in milliseconds (`page_cache_ms`, default 1000; 0 turns it off).
    pub page_cache_ms: u64,
    /// Largest request body read, KiB (`request_body_kib`, default 1024).
    pub request_body_kib: u64,
    /// Threads for CPU-heavy work (`cpu_workers`, default 0: one per core).
    pub cpu_workers: u64,
    /// Requests waiting for a CPU worker before 503 (`cpu_queue`, default 32).
    pub cpu_queue: u64,
    /// Memory for rendered pages, MiB (`page_cache_mib`, default 32).
    pub page_cache_mib: u64,
    /// Memory for drawn SVG diagrams per renderer, MiB (`diagram_cache_mib`, default 16).
    pub diagram_cache_mib: u64,
    /// Lifetime of the background-work lease between renewals (`leader_lease_seconds`, default 15).
    pub leader_lease_seconds: u64,
    /// Seconds served with `/readyz` false after SIGTERM before new connections are refused
    /// (`drain_delay_seconds`, default 0).
    pub drain_delay_seconds: u64,
    /// Feast registries to read (`registries`, `[NAME=]SOURCE` entries; default: none, which
    /// makes `serve` use the bundled demo registry).
    pub registries: Vec<RegistrySource>,
    /// Manifest folders or files read for the topology pages (`manifests`; default: none, which
    /// means the bundled demo manifests).
    pub manifests: Vec<PathBuf>,
    /// Topology from a cluster (`kubernetes`: auto or a kubeconfig path; default off).
    pub kubernetes: crate::topology::source::KubernetesSetting,
    /// Namespaces the cluster source reads (`kubernetes_namespaces`; default: all).
    pub kubernetes_namespaces: Option<Vec<String>>,
    /// Seconds between topology reads (`topology_refresh_seconds`, default 30).
    pub topology_refresh_seconds: u64,
    /// Longest wait of readiness and the first recovery round for the registries' first reads
    /// (`registry_ready_seconds`, default 30).
    pub registry_ready_seconds: u64,
    /// Seconds between registry change checks (`registry_refresh_seconds`, default 30).
    pub registry_refresh_seconds: u64,
    /// Seconds between registry-cache probes (`cache_probe_seconds`, default 60).
    pub cache_probe_seconds: u64,
    /// Probe samples kept per registry (`cache_probe_retention`, default 1440).
    pub cache_probe_retention: u32,
    /// Days of registry history kept (`history_retention_days`, default 400).
    pub history_retention_days: u64,
    /// Recorded changes kept per registry (`history_max_entries`, default 1,000,000).
    pub history_max_entries: u64,
    /// Bearer token for REST registry servers (`registry_token`, or `registry_token_file` read
    /// again at each use; default none).
    pub registry_token: Option<crate::registry::RegistryToken>,
    /// Who sees what in the catalog (`catalog_visibility`, default `feast`).
    pub catalog_visibility: app::catalog::visibility::VisibilityRule,
    /// What console admins see in the catalog (`catalog_visibility_admins`, default `feast`).
    pub catalog_visibility_admins: app::catalog::visibility::VisibilityRule,
    /// Memory for visibility decisions, MiB (`visibility_cache_mib`, default 64).
    pub visibility_cache_mib: u64,
    /// Decisions cross-checked with Feast per snapshot and identity (`visibility_cross_check`,
    /// default 8; 0 off).
    pub visibility_cross_check: u64,
    /// Sign-in: identity provider, session cookie, console roles (see `config/auth.rs`).
    pub auth: auth::AuthConfig,
    /// Recovery probes and objectives (see `config/recovery.rs`).
    pub recovery: recovery::RecoveryConfig,
}

impl Layers {
    /// Validates every key; the first bad one is reported.
    pub fn validate(&self) -> Result<Config, ConfigError> {
        self.check_sources()?;
        let invalid = |name: &'static str, origin: Origin, reason: String| ConfigError::Invalid {
            key: name,
            origin,
            reason,
        };

        let (listen, o) = self.get("listen");
        let listen: SocketAddr = listen.trim().parse().map_err(|_| {
            invalid(
                "listen",
                o,
                format!("`{listen}` is not a socket address such as 127.0.0.1:3000"),
            )
        })?;

        let (ops, o) = self.get("ops_listen");
        let ops_listen: SocketAddr = ops.trim().parse().map_err(|_| {
            invalid(
                "ops_listen",
                o.clone(),
                format!("`{ops}` is not a socket address such as 127.0.0.1:9090"),
            )
        })?;
        if ops_listen.port() != 0 && ops_listen.port() == listen.port() {
            let reason = format!("{ops_listen} is the port of `listen`; the operations endpoints need a port of their own");
            return Err(invalid("ops_listen", o, reason));
        }

        let (data_dir, o) = self.get("data_dir");
        if data_dir.trim().is_empty() {
            return Err(invalid("data_dir", o, "must not be empty".into()));
        }
        let data_dir = PathBuf::from(data_dir);

        let (database_url, o) = self.get("database_url");
        let database_url = if database_url.is_empty() {
            format!("sqlite://{}", data_dir.join("console.db").display())
        } else {
            database_url
        };
        crate::db::DbKind::of_url(&database_url)
            .map_err(|reason| invalid("database_url", o, reason))?;
        let database_max_connections = self.number("database_max_connections")? as u32;

        let site_root = PathBuf::from(self.get("site_root").0);

        let (format, o) = self.get("log_format");
        let log_format = match format.trim() {
            "human" => LogFormat::Human,
            "json" => LogFormat::Json,
            other => {
                return Err(invalid(
                    "log_format",
                    o,
                    format!("`{other}` is not one of: human, json"),
                ))
            }
        };

        let (log_level, o) = self.get("log_level");
        // Each directive trimmed first: tracing-subscriber slices a directive with offsets taken
        // after trimming it, so a space before a multi-byte character panicked (found by fuzzing).
        let log_level = log_level
            .split(',')
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(",");
        tracing_subscriber::EnvFilter::try_new(&log_level).map_err(|e| {
            invalid(
                "log_level",
                o,
                format!("`{log_level}` is not a log filter: {e}"),
            )
        })?;

        let request_timeout_seconds = self.number("request_timeout_seconds")?;
        let page_cache_ms = self.number("page_cache_ms")?;
        let request_body_kib = self.number("request_body_kib")?;
        let cpu_workers = self.number("cpu_workers")?;
        let cpu_queue = self.number("cpu_queue")?;
        let page_cache_mib = self.number("page_cache_mib")?;
        let diagram_cache_mib = self.number("diagram_cache_mib")?;
        let leader_lease_seconds = self.number("leader_lease_seconds")?;
        let drain_delay_seconds = self.number("drain_delay_seconds")?;

        let (entries, o) = self.list("registries");
        let base = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let mut registries: Vec<RegistrySource> = Vec::new();
        for entry in &entries {
            let source = crate::registry::feature_store_yaml::resolve_entry(entry, &base)
                .map_err(|e| invalid("registries", o.clone(), app::backend::error_chain(&e)))?;
            if registries.iter().any(|r| r.name == source.name) {
                let reason = format!(
                    "two registries are named `{}`; name them with NAME=SOURCE",
                    source.name
                );
                return Err(invalid("registries", o, reason));
            }
            registries.push(source);
        }

        let registry_refresh_seconds = self.number("registry_refresh_seconds")?;
        let registry_ready_seconds = self.number("registry_ready_seconds")?;
        let cache_probe_seconds = self.number("cache_probe_seconds")?;
        let cache_probe_retention = self.number("cache_probe_retention")? as u32;
        let history_retention_days = self.number("history_retention_days")?;
        let history_max_entries = self.number("history_max_entries")?;

        let registry_token = self.registry_token()?;
        for r in &mut registries {
            r.token = registry_token.clone();
        }
        let rule = |name: &'static str| {
            let (text, o) = self.get(name);
            app::catalog::visibility::VisibilityRule::parse(&text)
                .ok_or_else(|| invalid(name, o, format!("`{text}` is not `feast` or `all`")))
        };
        let catalog_visibility = rule("catalog_visibility")?;
        let catalog_visibility_admins = rule("catalog_visibility_admins")?;
        let visibility_cache_mib = self.number("visibility_cache_mib")?;
        let visibility_cross_check = self.number("visibility_cross_check")?;

        let (entries, o) = self.list("manifests");
        let mut manifests = Vec::new();
        for entry in entries {
            let path = PathBuf::from(&entry);
            if !path.exists() {
                return Err(invalid("manifests", o, format!("`{entry}` does not exist")));
            }
            manifests.push(path);
        }

        let (kube, o) = self.get("kubernetes");
        let kubernetes = crate::topology::source::KubernetesSetting::parse(&kube)
            .map_err(|r| invalid("kubernetes", o, r))?;
        let (namespaces, o) = self.list("kubernetes_namespaces");
        if let Some(bad) = namespaces.iter().find(|n| !is_dns_label(n)) {
            let reason = format!("`{bad}` is not a Kubernetes namespace name");
            return Err(invalid("kubernetes_namespaces", o, reason));
        }
        let kubernetes_namespaces = (!namespaces.is_empty()).then_some(namespaces);
        let topology_refresh_seconds = self.number("topology_refresh_seconds")?;

        let auth = auth::validate(self, listen)?;
        let recovery = recovery::validate(self)?;

        Ok(Config {
            auth,
            recovery,
            registries,
            manifests,
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
            listen,
            ops_listen,
            data_dir,
            database_url,
            database_max_connections,
            site_root,
            log_format,
            log_level,
            request_timeout_seconds,
            page_cache_ms,
            request_body_kib,
            cpu_workers,
            cpu_queue,
            page_cache_mib,
            diagram_cache_mib,
            leader_lease_seconds,
            drain_delay_seconds,
            kubernetes,
            kubernetes_namespaces,
            topology_refresh_seconds,
        })
    }
}

impl Layers {
    /// `registry_token` or `registry_token_file` (read once now, so a wrong path stops the
    /// start; then at each use, so a rotated Secret is picked up).
    fn registry_token(&self) -> Result<Option<crate::registry::RegistryToken>, ConfigError> {
        use crate::registry::RegistryToken;
        let (path, o) = self.get("registry_token_file");
        let invalid = |reason: String| ConfigError::Invalid {
            key: "registry_token_file",
            origin: o.clone(),
            reason,
        };
        match (self.text("registry_token"), path.trim()) {
            (None, "") => Ok(None),
            (Some(value), "") => Ok(Some(RegistryToken::Value(value))),
            (Some(_), _) => Err(invalid(
                "give the registry token once: either this file or registry_token".into(),
            )),
            (None, path) => {
                let token = RegistryToken::File(PathBuf::from(path));
                token
                    .read()
                    .map_err(|e| invalid(app::backend::error_chain(&e)))?;
                Ok(Some(token))
            }
        }
    }
}

/// A namespace name: an RFC 1123 label (lower-case letters, digits, '-', at most 63).
fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

impl Config {
    /// Builds the configuration from all three layers.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        flags: impl IntoIterator<Item = (&'static str, String)>,
    ) -> Result<Config, ConfigError> {
        let mut layers = Layers::default();
        if let Some(path) = file {
            layers = layers.with_file(path)?;
        }
        layers.with_env(env)?.with_flags(flags).validate()
    }

    /// A configuration with every default, for tests and embedding.
    pub fn defaults() -> Config {
        Layers::default().validate().expect("defaults are valid")
    }

    /// The database URL with any password replaced, safe for logs and messages.
    pub fn database_url_redacted(&self) -> String {
        crate::db::redact_url(&self.database_url)
    }
}

#[cfg(test)]
mod tests;
