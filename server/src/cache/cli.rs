//! `feast-console cache ...`

use std::process::ExitCode;

/// Arguments of `feast-console cache`; the subcommands land with registry-cache health.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    rest: Vec<String>,
}

pub fn run(_args: Args) -> ExitCode {
    eprintln!("feast-console cache: not available in this version yet (registry-cache health has not landed)");
    ExitCode::from(2)
}
