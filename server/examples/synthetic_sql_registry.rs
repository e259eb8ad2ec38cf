//! Writes the synthetic registry in Feast's SQL schema (`server/dev/synthetic_sql.rs`), for the
//! scale benchmark (`scripts/bench-scale.sh`) and anyone who wants a large SQL registry that both
//! the console and Feast read; a dev tool, not a command of the shipped binary:
//!
//! `cargo run -p server --example synthetic_sql_registry -- --out registry.sqlite [--projects 50 --views-per-project 200]`
//! `cargo run -p server --example synthetic_sql_registry -- --pg-url postgres://USER:PW@HOST/DB ...`
//!
//! The SQLite file must not exist yet, and the PostgreSQL database must have no Feast tables.

use std::{path::PathBuf, process::ExitCode};

use clap::Parser;

#[allow(
    dead_code,
    reason = "only the objects the SQL writer stores are used here"
)]
#[path = "../dev/synthetic_registry.rs"]
mod synthetic;
#[path = "../dev/synthetic_sql.rs"]
mod synthetic_sql;

/// Write a synthetic Feast SQL registry (SQLite file or PostgreSQL database)
#[derive(Parser, Debug)]
struct Args {
    /// The SQLite file to create (Feast: `registry: {registry_type: sql, path: sqlite:///PATH}`)
    #[arg(
        long,
        value_name = "PATH",
        required_unless_present = "pg_url",
        conflicts_with = "pg_url"
    )]
    out: Option<PathBuf>,
    /// A PostgreSQL database to write to instead, e.g. postgres://user:password@host:5432/db
    #[arg(long, value_name = "URL")]
    pg_url: Option<String>,
    #[arg(long, default_value_t = 50)]
    projects: usize,
    #[arg(long, default_value_t = 200)]
    views_per_project: usize,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let (url, shown) = match (&args.out, &args.pg_url) {
        (Some(path), _) if path.exists() => {
            eprintln!(
                "synthetic_sql_registry: {} exists already; give a new file",
                path.display()
            );
            return ExitCode::from(2);
        }
        (Some(path), _) => (
            format!("sqlite://{}?mode=rwc", path.display()),
            path.display().to_string(),
        ),
        (None, Some(url)) => (url.clone(), "the PostgreSQL database".to_string()),
        (None, None) => {
            eprintln!("synthetic_sql_registry: give --out FILE or --pg-url URL");
            return ExitCode::from(2);
        }
    };
    let written = async {
        let mut conn = synthetic_sql::Conn::connect(&url).await?;
        let blob = conn.blob_type();
        synthetic_sql::generate(&mut conn, blob, args.projects, args.views_per_project).await?;
        conn.close().await
    };
    match written.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("synthetic_sql_registry: cannot write {shown}: {e}");
            ExitCode::from(1)
        }
    }
}
