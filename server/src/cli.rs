//! The `feast-console` command line.

use std::{path::PathBuf, process::ExitCode};

use clap::{Args, Parser, Subcommand};

use crate::{config::LogFormat, Config, StartError};

#[derive(Parser, Debug)]
#[command(
    name = "feast-console",
    version,
    about = "Admin console for Feast feature stores: catalog, permissions, topology, registry cache and recovery",
    long_about = None,
    args_conflicts_with_subcommands = true,
    after_help = "Configuration comes from a TOML file (--config), FEAST_CONSOLE_* environment variables \
                  and flags; later sources win. Run `feast-console serve --help` for every key."
)]
pub struct Cli {
    /// TOML configuration file (also FEAST_CONSOLE_CONFIG)
    #[arg(long, global = true, env = "FEAST_CONSOLE_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Option<Command>,

    /// Flags for the default `serve` command
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Start the web console (the default when no command is given)
    Serve(ServeArgs),
    /// Work with configuration files
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Export and inspect registry objects (projects, entities, feature views, services, sources)
    Catalog(crate::catalog::cli::Args),
    /// Evaluate and lint Feast permissions exactly as Feast's server decides
    Permissions(crate::permissions::cli::Args),
    /// Classify and check Feast deployments from a cluster or a manifests folder
    Topology(crate::topology::cli::Args),
    /// Report registry-cache copies, refresh cost and storm risk
    Cache(crate::cache::cli::Args),
    /// Report recovery objectives against measured evidence
    Recovery(crate::recovery::cli::Args),
}

#[derive(Subcommand, Debug)]
enum ConfigCommand {
    /// Validate a configuration file without starting the console
    Check {
        /// The TOML file to check
        file: PathBuf,
    },
}

/// Every configuration key as a flag. Values are checked by the configuration module, so a
/// bad flag gets the same message as a bad file or environment value.
#[derive(Args, Debug, Default)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:3000]
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// Folder for the console's own data [default: data]
    #[arg(long, value_name = "DIR")]
    data_dir: Option<String>,
    /// Console database URL: sqlite://PATH or postgres://... [default: sqlite://<data-dir>/console.db]
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
    /// Largest console database pool [default: 8]
    #[arg(long, value_name = "N")]
    database_max_connections: Option<String>,
    /// Folder with the built site (pkg/ and assets) [default: target/site]
    #[arg(long, value_name = "DIR")]
    site_root: Option<String>,
    /// Log format: human or json [default: human]
    #[arg(long, value_name = "FORMAT")]
    log_format: Option<String>,
    /// tracing filter, e.g. info or server=debug [default: info]
    #[arg(long, value_name = "FILTER")]
    log_level: Option<String>,
    /// Answer slower requests with 408 [default: 30]
    #[arg(long, value_name = "SECONDS")]
    request_timeout_seconds: Option<String>,
    /// A Feast registry to read, [NAME=]SOURCE; repeat for several. SOURCE: sqlite:///PATH,
    /// postgresql://..., http(s)://HOST:PORT, a registry.db path [default: the bundled demo registry]
    #[arg(long = "registry", value_name = "SOURCE")]
    registries: Vec<String>,
    /// Take a registry from a Feast feature_store.yaml (${VAR} expanded as Feast does); repeatable
    #[arg(long = "feature-store-yaml", value_name = "PATH")]
    feature_store_yamls: Vec<String>,
    /// A folder or file of Kubernetes manifests for the topology pages; repeatable
    /// [default: the bundled demo manifests]
    #[arg(long = "manifests", value_name = "PATH")]
    manifests: Vec<String>,
    /// Read the topology from a Kubernetes cluster: auto (in-cluster service account, else
    /// $KUBECONFIG or ~/.kube/config) or a kubeconfig path [default: off, manifests or the demo]
    #[arg(long, value_name = "auto|PATH")]
    kubernetes: Option<String>,
    /// Seconds between registry change checks [default: 30]
    #[arg(long, value_name = "SECONDS")]
    registry_refresh_seconds: Option<String>,
    /// Origin browsers use, e.g. https://console.example.com [default: http://<listen>]
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// OpenID Connect issuer URL; without one the console runs in development mode (loopback only)
    #[arg(long, value_name = "URL")]
    oidc_issuer_url: Option<String>,
    /// Run without an identity provider on a non-loopback address (everyone is an admin)
    #[arg(long)]
    insecure_no_auth: bool,
}

impl ServeArgs {
    fn flags(self) -> Vec<(&'static str, String)> {
        let mut entries = self.registries;
        entries.extend(self.feature_store_yamls.into_iter().map(|path| {
            // resolve_entry reads any *.yaml entry as a feature_store.yaml.
            if path.ends_with(".yaml") || path.ends_with(".yml") {
                path
            } else {
                format!("{path}/feature_store.yaml")
            }
        }));
        let registries = (!entries.is_empty()).then(|| entries.join("\n"));
        let manifests = (!self.manifests.is_empty()).then(|| self.manifests.join("\n"));
        [
            ("listen", self.listen),
            ("data_dir", self.data_dir),
            ("database_url", self.database_url),
            ("database_max_connections", self.database_max_connections),
            ("site_root", self.site_root),
            ("log_format", self.log_format),
            ("log_level", self.log_level),
            ("request_timeout_seconds", self.request_timeout_seconds),
            ("registries", registries),
            ("manifests", manifests),
            ("kubernetes", self.kubernetes),
            ("registry_refresh_seconds", self.registry_refresh_seconds),
            ("public_url", self.public_url),
            ("oidc_issuer_url", self.oidc_issuer_url),
            (
                "insecure_no_auth",
                self.insecure_no_auth.then(|| "true".to_string()),
            ),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    match cli.command {
        None => serve(cli.config, cli.serve),
        Some(Command::Serve(args)) => serve(cli.config, args),
        Some(Command::Config(ConfigCommand::Check { file })) => config_check(&file),
        Some(Command::Catalog(args)) => crate::catalog::cli::run(args),
        Some(Command::Permissions(args)) => crate::permissions::cli::run(args),
        Some(Command::Topology(args)) => crate::topology::cli::run(args),
        Some(Command::Cache(args)) => crate::cache::cli::run(args),
        Some(Command::Recovery(args)) => crate::recovery::cli::run(args),
    }
}

fn config_check(file: &std::path::Path) -> ExitCode {
    match Config::load(Some(file), std::iter::empty(), std::iter::empty()) {
        Ok(config) => {
            println!("{}: OK", file.display());
            println!("  listen                   = {}", config.listen);
            println!("  data_dir                 = {}", config.data_dir.display());
            println!(
                "  database_url             = {}",
                config.database_url_redacted()
            );
            println!(
                "  database_max_connections = {}",
                config.database_max_connections
            );
            println!(
                "  site_root                = {}",
                config.site_root.display()
            );
            println!("  log_format               = {:?}", config.log_format);
            println!("  log_level                = {}", config.log_level);
            println!(
                "  request_timeout_seconds  = {}",
                config.request_timeout_seconds
            );
            for r in &config.registries {
                println!("  registries               + {} = {}", r.name, r.display());
            }
            println!(
                "  registry_refresh_seconds = {}",
                config.registry_refresh_seconds
            );
            println!("  public_url               = {}", config.auth.public_url);
            match &config.auth.oidc {
                Some(oidc) => println!(
                    "  oidc_issuer_url          = {} (client {})",
                    oidc.issuer_url, oidc.client_id
                ),
                None => {
                    println!("  oidc_issuer_url          = (none: development mode, loopback only)")
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("feast-console: {e}");
            ExitCode::from(2)
        }
    }
}

fn serve(config_file: Option<PathBuf>, args: ServeArgs) -> ExitCode {
    let config = match Config::load(config_file.as_deref(), std::env::vars(), args.flags()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("feast-console: {e}");
            return ExitCode::from(2);
        }
    };
    init_tracing(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("feast-console: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("feast-console: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

async fn run(config: Config) -> Result<(), StartError> {
    use crate::http::serve;
    // Bind first: a taken port is reported before any slower start-up work.
    let listener = serve::bind(config.listen).await?;
    tracing::info!(database = %config.database_url_redacted(), "opening console database");
    let state = serve::build_state(config).await?;
    serve::serve(state, listener).await
}

fn init_tracing(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log_level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match config.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Human => builder.try_init(),
    };
}
