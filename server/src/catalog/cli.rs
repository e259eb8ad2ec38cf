//! `feast-console catalog ...`: read a registry once and print it.

use std::{io::Write, path::PathBuf, process::ExitCode};

use app::catalog::model::CatalogObject;
use clap::{Subcommand, ValueEnum};

use super::export;
use crate::cli_args::{named_registry, RegistryTokenArg};

#[derive(Subcommand, Debug)]
pub enum CatalogCommand {
    /// Print every object of a registry as JSON or CSV
    Export(ExportArgs),
    /// Compare two registries now, or list one registry's recorded changes since a time
    /// (exit 1 when there are differences, 0 when none, 2 on errors)
    Diff(crate::history::cli::DiffArgs),
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// sqlite:///PATH, postgresql://..., http(s)://HOST:PORT (REST registry server) or a registry.db path
    #[arg(
        long,
        value_name = "SOURCE",
        required_unless_present = "feature_store_yaml",
        conflicts_with = "feature_store_yaml"
    )]
    registry: Option<String>,
    /// Take the registry from a Feast feature_store.yaml (${VAR} expanded as Feast does)
    #[arg(long, value_name = "PATH")]
    feature_store_yaml: Option<PathBuf>,
    /// Only this project
    #[arg(long, value_name = "NAME")]
    project: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Also list Feast's internal `__dummy` entities
    #[arg(long)]
    include_internal: bool,
    #[command(flatten)]
    registry_token: RegistryTokenArg,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Json,
    Csv,
}

pub fn run(command: CatalogCommand) -> ExitCode {
    match command {
        CatalogCommand::Export(export_args) => match export_command(export_args) {
            Ok(()) => ExitCode::SUCCESS,
            Err((code, message)) => {
                eprintln!("feast-console catalog export: {message}");
                ExitCode::from(code)
            }
        },
        CatalogCommand::Diff(diff_args) => crate::history::cli::run(diff_args),
    }
}

fn export_command(args: ExportArgs) -> Result<(), (u8, String)> {
    let mut source = named_registry(args.registry.as_deref(), args.feature_store_yaml.as_deref())
        .map_err(|e| (2, app::backend::error_chain(&e)))?
        .ok_or_else(|| {
            (
                2,
                "give --registry SOURCE or --feature-store-yaml PATH".to_string(),
            )
        })?;
    source.token = args.registry_token.token.clone().map(Into::into);
    let snapshot = crate::registry::reader::load_once_blocking(&source)?;
    if let Some(p) = &args.project {
        if snapshot.project(p).is_none() {
            let known: Vec<&str> = snapshot.projects.iter().map(|p| p.name.as_str()).collect();
            return Err((
                1,
                format!(
                    "project `{p}` is not in {}; its projects: {}",
                    source.display(),
                    known.join(", ")
                ),
            ));
        }
    }
    let projects: Vec<&CatalogObject> = snapshot
        .projects
        .iter()
        .map(|p| &**p)
        .filter(|p| args.project.as_ref().is_none_or(|n| &p.name == n))
        .collect();
    let objects: Vec<&CatalogObject> = snapshot
        .listed(args.project.as_deref(), args.include_internal)
        .collect();
    let text = match args.format {
        Format::Json => export::to_json(&projects, &objects)
            .map_err(|e| (1, format!("cannot write JSON: {e}")))?,
        Format::Csv => export::to_csv(projects.iter().copied().chain(objects.iter().copied())),
    };
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a message.
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
    Ok(())
}
