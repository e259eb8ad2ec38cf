//! The `feast-console` command line.

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};

use crate::config::flags::{HiddenServeArgs, ServeArgs};
use crate::config::{reference, Layers, LogFormat};
use crate::{config::Config, error::StartError};

#[derive(Parser, Debug)]
#[command(
    name = "feast-console",
    version,
    about = "Admin console for Feast feature stores: catalog, permissions, topology, registry cache and recovery",
    long_about = None,
    args_conflicts_with_subcommands = true,
    after_help = "Configuration comes from a TOML file (--config), FEAST_CONSOLE_* environment variables \
                  and flags; later sources win. Run `feast-console serve --help` for every key as a flag, \
                  `feast-console config keys` for the table."
)]
pub struct Cli {
    /// TOML configuration file (also FEAST_CONSOLE_CONFIG)
    #[arg(long, global = true, env = "FEAST_CONSOLE_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Option<Command>,

    /// Flags for the default `serve` command
    #[command(flatten)]
    serve: HiddenServeArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Start the web console (the default when no command is given); every configuration key is a flag
    Serve(ServeArgs),
    /// Work with configuration files
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Export and inspect registry objects (projects, entities, feature views, services, sources)
    #[command(subcommand)]
    Catalog(crate::catalog::cli::CatalogCommand),
    /// Evaluate and lint Feast permissions exactly as Feast's server decides
    #[command(subcommand)]
    Permissions(crate::permissions::cli::PermissionsCommand),
    /// Classify and check Feast deployments from a cluster or a manifests folder
    #[command(subcommand)]
    Topology(crate::topology::cli::TopologyCommand),
    /// Report registry-cache copies, refresh cost and storm risk
    #[command(subcommand)]
    Cache(crate::cache::cli::CacheCommand),
    /// Report recovery objectives against measured evidence
    #[command(subcommand)]
    Recovery(crate::recovery::cli::RecoveryCommand),
}

#[derive(Subcommand, Debug)]
enum ConfigCommand {
    /// Validate a configuration file without starting the console; print every key's value
    Check {
        /// The TOML file to check
        file: PathBuf,
    },
    /// Print every configuration key, its default and meaning (the README's Markdown table)
    Keys,
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
        None => serve(cli.config, cli.serve.0),
        Some(Command::Serve(args)) => serve(cli.config, args),
        Some(Command::Config(ConfigCommand::Check { file })) => config_check(&file),
        Some(Command::Config(ConfigCommand::Keys)) => {
            print!("{}", reference::markdown_table());
            ExitCode::SUCCESS
        }
        Some(Command::Catalog(command)) => crate::catalog::cli::run(command),
        Some(Command::Permissions(command)) => crate::permissions::cli::run(command),
        Some(Command::Topology(command)) => crate::topology::cli::run(command),
        Some(Command::Cache(command)) => crate::cache::cli::run(command),
        Some(Command::Recovery(command)) => crate::recovery::cli::run(command),
    }
}

/// Only the file: the command checks what the file would do, whatever this shell's environment.
fn config_check(file: &std::path::Path) -> ExitCode {
    let checked = Layers::default()
        .with_file(file)
        .and_then(|layers| layers.validate().map(|_| layers));
    match checked {
        Ok(layers) => {
            println!("{}: OK", file.display());
            for line in reference::effective(&layers) {
                println!("  {line}");
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
            eprintln!("feast-console: {}", app::backend::error_chain(&e));
            ExitCode::from(e.exit_code())
        }
    }
}

async fn run(config: Config) -> Result<(), StartError> {
    use crate::http::serve;
    // Bind first: a taken port is reported before any slower start-up work.
    let listener = serve::bind(config.listen, "listen").await?;
    let ops_listener = serve::bind(config.ops_listen, "ops-listen").await?;
    tracing::info!(database = %config.database_url_redacted(), "opening console database");
    let state = serve::build_state(config).await?;
    serve::serve(state, listener, ops_listener).await
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
