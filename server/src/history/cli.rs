//! `feast-console catalog diff`: what differs between two registries now (`--registry A
//! --registry B`), or what the console recorded of one registry since a time (`--registry A
//! --since T`, from the console database). Exit 1 when there are differences, 0 when none,
//! 2 on errors, as `diff` does. An operator tool like `catalog export`: it reads with the
//! console's (or the given) credentials and shows everything.

use std::{io::Write, path::Path, process::ExitCode, sync::Arc};

use app::catalog::model::CatalogObject;
use app::history::diff::{diff_catalogs, ignored_note, IGNORED_FIELDS};
use app::history::model::{HistoryEntry, HistoryFilter, ObjectChange};
use app::util::time::Instant;
use clap::ValueEnum;

use super::store;
use crate::cli_args::RegistryTokenArg;
use crate::config::Config;
use crate::db::ConsoleDb;
use crate::registry::source::parse_entry;

/// At most this many recorded entries are printed (the rest is counted).
const MAX_ENTRIES: usize = 100_000;

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// A registry source (as for `catalog export`, `NAME=SOURCE` allowed), twice to compare two;
    /// with --since, the name of a registry the console records
    #[arg(long, value_name = "SOURCE", required = true, num_args = 1)]
    registry: Vec<String>,
    /// With one registry: its recorded history since this time (RFC 3339, or YYYY-MM-DD)
    #[arg(long, value_name = "TIME")]
    since: Option<String>,
    /// Only this project
    #[arg(long, value_name = "NAME")]
    project: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// The console database holding the history (default: the console's own configuration,
    /// FEAST_CONSOLE_DATABASE_URL or FEAST_CONSOLE_DATA_DIR)
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
    #[command(flatten)]
    registry_token: RegistryTokenArg,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Text,
    Json,
}

pub fn run(args: DiffArgs) -> ExitCode {
    match diff(args) {
        Ok(true) => ExitCode::from(1),
        Ok(false) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("feast-console catalog diff: {message}");
            ExitCode::from(2)
        }
    }
}

/// True when there are differences.
fn diff(args: DiffArgs) -> Result<bool, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let text = match (args.registry.as_slice(), &args.since) {
        ([a, b], None) => {
            let changes = runtime.block_on(compare(a, b, &args))?;
            let found = !changes.is_empty();
            (render_changes(&changes, args.format)?, found)
        }
        ([a], Some(since)) => {
            let since = parse_time(since)?;
            let entries = runtime.block_on(recorded(a, since, &args))?;
            let found = !entries.is_empty();
            (render_entries(&entries, since, args.format)?, found)
        }
        ([_, _], Some(_)) => return Err("--since takes one --registry".into()),
        _ => return Err("give two --registry SOURCE to compare, or one with --since TIME".into()),
    };
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a message.
    let _ = out.write_all(text.0.as_bytes()).and_then(|_| out.flush());
    Ok(text.1)
}

fn parse_time(text: &str) -> Result<Instant, String> {
    Instant::parse_rfc3339(text)
        .or_else(|| Instant::parse_rfc3339(&format!("{text}T00:00:00Z")))
        .ok_or_else(|| format!("--since `{text}` is not an RFC 3339 time or a date (YYYY-MM-DD)"))
}

async fn catalog(entry: &str, args: &DiffArgs) -> Result<Vec<Arc<CatalogObject>>, String> {
    let mut source =
        parse_entry(entry, Path::new(".")).map_err(|e| app::backend::error_chain(&e))?;
    source.token = args.registry_token.token.clone().map(Into::into);
    let snapshot = crate::registry::Reader::load_once(&source)
        .await
        .map_err(|e| e.text())?;
    let in_project =
        |o: &&Arc<CatalogObject>| args.project.as_ref().is_none_or(|p| &o.project == p);
    Ok(snapshot
        .projects
        .iter()
        .chain(&snapshot.objects)
        .filter(in_project)
        .cloned()
        .collect())
}

async fn compare(a: &str, b: &str, args: &DiffArgs) -> Result<Vec<ObjectChange>, String> {
    let (before, after) = (catalog(a, args).await?, catalog(b, args).await?);
    Ok(diff_catalogs(&before, &after))
}

async fn recorded(
    entry: &str,
    since: Instant,
    args: &DiffArgs,
) -> Result<Vec<HistoryEntry>, String> {
    // The registry's name as the console records it (`NAME=SOURCE` or the name alone).
    let name = entry.split_once('=').map_or(entry, |(n, _)| n).trim();
    let url = match &args.database_url {
        Some(url) => url.clone(),
        None => {
            let env = std::env::vars().filter(|(k, _)| {
                k == "FEAST_CONSOLE_DATABASE_URL" || k == "FEAST_CONSOLE_DATA_DIR"
            });
            Config::load(None, env, vec![])
                .map_err(|e| e.to_string())?
                .database_url
        }
    };
    let db = ConsoleDb::open(&url, 2)
        .await
        .map_err(|e| app::backend::error_chain(&e))?;
    let query_error = |e: sqlx::Error| app::backend::error_chain(&e);
    if store::head(&db, name).await.map_err(query_error)?.is_none() {
        let known = store::registries(&db).await.map_err(query_error)?;
        return Err(format!(
            "the console database {} has no history of a registry named `{name}` (it has: {})",
            crate::db::redact_url(&url),
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        ));
    }
    let filter = HistoryFilter {
        project: args.project.clone(),
        since: Some(since),
        ..HistoryFilter::registry(name)
    };
    let mut entries = Vec::new();
    let mut before = None;
    while entries.len() < MAX_ENTRIES {
        let page = store::query(&db, &filter, before, store::MAX_PAGE)
            .await
            .map_err(query_error)?;
        entries.extend(page.entries);
        match page.next_before_id {
            Some(id) => before = Some(id),
            None => break,
        }
    }
    db.close().await;
    entries.reverse();
    Ok(entries)
}

fn change_lines(out: &mut String, c: &ObjectChange) {
    for f in &c.fields {
        let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(absent)".into());
        out.push_str(&format!(
            "  {}: {} -> {}\n",
            f.path,
            shown(&f.before),
            shown(&f.after)
        ));
    }
}

fn headline(c: &ObjectChange) -> String {
    format!(
        "{} {} {}/{}",
        c.change.as_str(),
        c.kind.as_str(),
        c.project,
        c.name
    )
}

fn render_changes(changes: &[ObjectChange], format: Format) -> Result<String, String> {
    match format {
        Format::Json => json(&serde_json::json!({ "changes": changes, "ignored": IGNORED_FIELDS })),
        Format::Text => {
            let mut out = String::new();
            for c in changes {
                out.push_str(&headline(c));
                out.push('\n');
                change_lines(&mut out, c);
            }
            if changes.is_empty() {
                out.push_str("no differences\n");
            }
            out.push_str(&format!("{}\n", ignored_note()));
            Ok(out)
        }
    }
}

fn render_entries(
    entries: &[HistoryEntry],
    since: Instant,
    format: Format,
) -> Result<String, String> {
    match format {
        Format::Json => json(
            &serde_json::json!({ "since": since, "entries": entries, "ignored": IGNORED_FIELDS }),
        ),
        Format::Text => {
            let mut out = String::new();
            for e in entries {
                let when = match e.not_before {
                    Some(t1) => format!("between {t1} and {}", e.observed_at),
                    None => e.observed_at.to_string(),
                };
                let who = match &e.actor {
                    Some(actor) => format!("by {actor} in the console"),
                    None => "outside the console".to_string(),
                };
                out.push_str(&format!("{when} {} ({who})", headline(&e.change)));
                if let Some(audit) = e.reverts_audit {
                    out.push_str(&format!(", reverts console edit #{audit}"));
                }
                out.push('\n');
                change_lines(&mut out, &e.change);
            }
            if entries.is_empty() {
                out.push_str(&format!("no changes recorded since {since}\n"));
            }
            out.push_str(&format!("{}\n", ignored_note()));
            Ok(out)
        }
    }
}

fn json(value: &serde_json::Value) -> Result<String, String> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(|e| format!("cannot write JSON: {e}"))
}
