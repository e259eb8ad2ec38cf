//! `feast-console recovery ...`

use std::process::ExitCode;

/// Arguments of `feast-console recovery`; the subcommands land with recovery status.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    rest: Vec<String>,
}

pub fn run(_args: Args) -> ExitCode {
    eprintln!("feast-console recovery: not available in this version yet (recovery status has not landed)");
    ExitCode::from(2)
}
