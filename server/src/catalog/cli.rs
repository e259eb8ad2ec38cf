//! `feast-console catalog ...`

use std::process::ExitCode;

/// Arguments of `feast-console catalog`; the subcommands land with reading Feast registries.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    rest: Vec<String>,
}

pub fn run(_args: Args) -> ExitCode {
    eprintln!("feast-console catalog: not available in this version yet (reading Feast registries has not landed)");
    ExitCode::from(2)
}
