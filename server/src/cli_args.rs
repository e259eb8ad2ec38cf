//! Command-line arguments several commands share.

use std::path::Path;

use crate::registry::feature_store_yaml::registry_from_yaml;
use crate::registry::source::{parse_entry, RegistrySource, SourceError};

/// `--token`, for the commands that read a registry through Feast's REST registry server.
#[derive(clap::Args, Debug)]
pub struct RegistryTokenArg {
    /// Bearer token for a REST registry server
    #[arg(
        long,
        env = "FEAST_REGISTRY_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
}

/// The registry a command names: `--feature-store-yaml PATH` wins over `--registry ENTRY`
/// (relative paths from the current folder); None when neither is given.
pub fn named_registry(
    entry: Option<&str>,
    feature_store_yaml: Option<&Path>,
) -> Result<Option<RegistrySource>, SourceError> {
    match (entry, feature_store_yaml) {
        (_, Some(yaml)) => registry_from_yaml(yaml).map(Some),
        (Some(entry), None) => {
            let cwd = std::env::current_dir().map_err(SourceError::CurrentFolder)?;
            parse_entry(entry, &cwd).map(Some)
        }
        (None, None) => Ok(None),
    }
}
