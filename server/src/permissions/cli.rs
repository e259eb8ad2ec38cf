//! `feast-console permissions ...`

use std::process::ExitCode;

/// Arguments of `feast-console permissions`; the subcommands land with the permission evaluator.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    rest: Vec<String>,
}

pub fn run(_args: Args) -> ExitCode {
    eprintln!("feast-console permissions: not available in this version yet (the permission evaluator has not landed)");
    ExitCode::from(2)
}
