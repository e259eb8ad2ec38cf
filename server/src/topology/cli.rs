//! `feast-console topology ...`

use std::process::ExitCode;

/// Arguments of `feast-console topology`; the subcommands land with topology classification.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    rest: Vec<String>,
}

pub fn run(_args: Args) -> ExitCode {
    eprintln!("feast-console topology: not available in this version yet (topology classification has not landed)");
    ExitCode::from(2)
}
