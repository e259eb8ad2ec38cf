//! Command-line arguments several commands share.

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
