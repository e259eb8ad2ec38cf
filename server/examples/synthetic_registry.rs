//! Writes a synthetic Feast file registry (`registry.db`) for scale tests, benchmarks and the
//! browser tests; a dev tool, not a command of the shipped binary:
//!
//! `cargo run -p server --example synthetic_registry -- --out registry.db [--projects 50 --views-per-project 200]`

use std::{path::PathBuf, process::ExitCode};

use clap::Parser;

#[path = "../dev/synthetic_registry.rs"]
mod synthetic;

/// Write a synthetic Feast file registry (registry.db)
#[derive(Parser, Debug)]
struct Args {
    /// Where to write the registry.db
    #[arg(long, value_name = "PATH")]
    out: PathBuf,
    #[arg(long, default_value_t = 50)]
    projects: usize,
    #[arg(long, default_value_t = 200)]
    views_per_project: usize,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let bytes = synthetic::synthetic_registry(args.projects, args.views_per_project, now);
    match std::fs::write(&args.out, bytes) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "synthetic_registry: cannot write {}: {e}",
                args.out.display()
            );
            ExitCode::from(1)
        }
    }
}
