//! `feast-console permissions evaluate|lint`: Feast's exact access decision and the permission
//! lints, from a registry or a JSON file of permissions and objects.

use std::{io::Write, path::PathBuf, process::ExitCode};

use app::backend::error_chain;
use app::permissions::lints::{lint_project, Lint, LintContext};
use app::permissions::{Action, Outcome, PermissionEvaluator, Resource, ResourceType, User};
use app::util::severity::Severity;
use clap::{Subcommand, ValueEnum};
use serde::Deserialize;
use serde_json::{json, Value};

use super::input::{self, PermissionsInput};
use crate::cli_args::named_registry;
use crate::cli_args::RegistryTokenArg;

#[derive(Subcommand, Debug)]
pub enum PermissionsCommand {
    /// Decide user × resource × action requests exactly as Feast's registry server does
    Evaluate(EvaluateArgs),
    /// Report where Feast's real decision differs from what the permissions say (exit 1 on errors)
    Lint(LintArgs),
}

/// Where permissions and objects come from.
#[derive(clap::Args, Debug)]
struct SourceArgs {
    /// sqlite:///PATH, postgresql://..., http(s)://HOST:PORT (REST registry server) or a registry.db path
    #[arg(long, value_name = "SOURCE", conflicts_with_all = ["feature_store_yaml", "permissions"])]
    registry: Option<String>,
    /// Take the registry from a Feast feature_store.yaml; its `project` is the registry server's own
    #[arg(long, value_name = "PATH", conflicts_with = "permissions")]
    feature_store_yaml: Option<PathBuf>,
    /// JSON file: {"project", "permissions": [...], "resources": [...]} (or a list of those)
    #[arg(long, value_name = "FILE")]
    permissions: Option<PathBuf>,
    #[command(flatten)]
    registry_token: RegistryTokenArg,
    /// The project of the registry server's feature_store.yaml (decides project-level calls)
    #[arg(long, value_name = "NAME")]
    registry_server_project: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct EvaluateArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// The project whose permissions apply (needed when the source has several)
    #[arg(long, value_name = "NAME")]
    project: Option<String>,
    /// JSON: {"users": [...], "resources": "all" | [{"type", "name"}], "actions": ["DESCRIBE", ["DESCRIBE", "UPDATE"]]}
    #[arg(long, value_name = "FILE")]
    queries: PathBuf,
    /// Add each decision's explanation (every permission of the object's type and why)
    #[arg(long)]
    explain: bool,
}

#[derive(clap::Args, Debug)]
pub struct LintArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Only this project (default: all)
    #[arg(long, value_name = "NAME")]
    project: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Text,
    Json,
}

pub fn run(command: PermissionsCommand) -> ExitCode {
    let (name, result) = match command {
        PermissionsCommand::Evaluate(a) => ("evaluate", evaluate(a)),
        PermissionsCommand::Lint(a) => ("lint", lint(a)),
    };
    match result {
        Ok(code) => code,
        Err((code, message)) => {
            eprintln!("feast-console permissions {name}: {message}");
            ExitCode::from(code)
        }
    }
}

type CliResult = Result<ExitCode, (u8, String)>;

fn load(args: &SourceArgs) -> Result<PermissionsInput, (u8, String)> {
    let mut input = if let Some(path) = &args.permissions {
        input::from_file(path).map_err(|e| (2, error_chain(&e)))?
    } else {
        let mut server_project = None;
        let yaml = args.feature_store_yaml.as_deref();
        if let Some(yaml) = yaml {
            server_project = yaml_project(yaml);
        }
        let mut source = named_registry(args.registry.as_deref(), yaml)
            .map_err(|e| (2, error_chain(&e)))?
            .ok_or_else(|| {
                (
                    2,
                    "give --permissions FILE, --registry SOURCE or --feature-store-yaml PATH"
                        .to_string(),
                )
            })?;
        source.token = args.registry_token.token.clone().map(Into::into);
        let snapshot = crate::registry::reader::load_once_blocking(&source)?;
        let mut notes = Vec::new();
        let mut input = input::from_snapshot(&snapshot, &mut notes);
        for n in notes {
            eprintln!("note: {n}");
        }
        input.registry_server_project = server_project;
        input
    };
    if args.registry_server_project.is_some() {
        input.registry_server_project = args.registry_server_project.clone();
    }
    Ok(input)
}

/// The `project:` key of a feature_store.yaml (the registry server's own project).
fn yaml_project(path: &std::path::Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().find_map(|l| {
        let rest = l.strip_prefix("project:")?;
        Some(rest.trim().trim_matches(['"', '\'']).to_string()).filter(|s| !s.is_empty())
    })
}

#[derive(Deserialize)]
struct Queries {
    users: Vec<User>,
    resources: ResourceSelection,
    actions: Vec<ActionEntry>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ResourceSelection {
    All(String),
    Some(Vec<ResourceRef>),
}

#[derive(Deserialize)]
struct ResourceRef {
    #[serde(rename = "type")]
    resource_type: ResourceType,
    name: String,
}

/// One request: a single action, or a list needing all of them.
#[derive(Deserialize)]
#[serde(untagged)]
enum ActionEntry {
    One(Action),
    All(Vec<Action>),
}

fn evaluate(args: EvaluateArgs) -> CliResult {
    let input = load(&args.source)?;
    let project = input
        .project(args.project.as_deref())
        .map_err(|e| (2, error_chain(&e)))?;
    let text = std::fs::read_to_string(&args.queries)
        .map_err(|e| (2, format!("cannot read {}: {e}", args.queries.display())))?;
    let queries: Queries =
        serde_json::from_str(&text).map_err(|e| (2, format!("{}: {e}", args.queries.display())))?;
    let mut known: Vec<Resource> = project.resources.clone();
    known.extend(project.permissions.iter().map(Resource::of_permission));
    let resources: Vec<Resource> = match queries.resources {
        ResourceSelection::All(s) if s == "all" => known.clone(),
        ResourceSelection::All(s) => {
            return Err((
                2,
                format!("\"resources\" must be \"all\" or a list, not {s:?}"),
            ))
        }
        ResourceSelection::Some(refs) => refs
            .into_iter()
            .map(|r| {
                // Known objects bring their tags (and a permission its required tags).
                known
                    .iter()
                    .find(|k| k.resource_type == r.resource_type && k.name == r.name)
                    .cloned()
                    .unwrap_or_else(|| Resource::new(r.resource_type, r.name))
            })
            .collect(),
    };
    let requests: Vec<Vec<Action>> = queries
        .actions
        .into_iter()
        .map(|a| match a {
            ActionEntry::One(a) => vec![a],
            ActionEntry::All(v) => v,
        })
        .collect();
    if let Some(empty) = requests.iter().position(Vec::is_empty) {
        return Err((2, format!("actions[{empty}] is an empty list")));
    }
    let evaluator = PermissionEvaluator::new(&project.permissions);
    let mut decisions = Vec::with_capacity(queries.users.len() * resources.len() * requests.len());
    for user in &queries.users {
        for resource in &resources {
            for actions in &requests {
                let d = evaluator.evaluate(user, resource, actions);
                // `allowed` is null when the console cannot tell (see `detail`).
                let (allowed, outcome, detail) = match &d.outcome {
                    Outcome::Allow => (json!(true), "allow", None),
                    Outcome::Deny => (json!(false), "deny", None),
                    Outcome::Error(e) => (json!(false), "error", Some(e.clone())),
                    Outcome::Unknown(r) => (Value::Null, "unknown", Some(r.clone())),
                };
                let mut entry = json!({
                    "user": user.username,
                    "resource": { "type": resource.resource_type, "name": resource.name },
                    "actions": actions,
                    "allowed": allowed,
                    "matching_permissions": d.matching_permissions,
                    "granted_by": d.granted_by,
                    "outcome": outcome,
                    "intended_allowed": d.intended == Outcome::Allow,
                });
                if let Some(detail) = detail {
                    entry["detail"] = json!(detail);
                }
                if args.explain {
                    entry["explanation"] = json!(d
                        .permissions
                        .iter()
                        .map(|v| v.explanation.clone())
                        .collect::<Vec<_>>());
                    entry["reason"] = json!(d.reason);
                    if input.row_order_known {
                        entry["list_outcome"] = json!(d.list_outcome);
                    }
                }
                decisions.push(entry);
            }
        }
    }
    print(&json!({ "project": project.project, "decisions": decisions }))?;
    Ok(ExitCode::SUCCESS)
}

fn lint(args: LintArgs) -> CliResult {
    let input = load(&args.source)?;
    let projects: Vec<_> = match &args.project {
        Some(p) => vec![input.project(Some(p)).map_err(|e| (2, error_chain(&e)))?],
        None => input.projects.iter().collect(),
    };
    let mut lints: Vec<Lint> = Vec::new();
    for p in projects {
        lints.extend(lint_project(&LintContext {
            project: &p.project,
            permissions: &p.permissions,
            objects: &p.resources,
            extra_principals: &[],
            registry_server_project: input.registry_server_project.as_deref(),
        }));
    }
    let failed = lints.iter().any(|l| l.severity == Severity::Error);
    match args.format {
        Format::Json => print(&json!({ "lints": lints }))?,
        Format::Text => {
            let mut text = String::new();
            for l in &lints {
                text.push_str(&format_lint(l));
            }
            text.push_str(&format!(
                "{} lint(s): {} error, {} warning, {} info\n",
                lints.len(),
                lints
                    .iter()
                    .filter(|l| l.severity == Severity::Error)
                    .count(),
                lints
                    .iter()
                    .filter(|l| l.severity == Severity::Warning)
                    .count(),
                lints
                    .iter()
                    .filter(|l| l.severity == Severity::Info)
                    .count(),
            ));
            write_stdout(&text);
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn format_lint(l: &Lint) -> String {
    let severity = l.severity.word();
    let code = serde_json::to_value(l.code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let subject = l
        .permission
        .as_ref()
        .map(|p| format!(" permission {p}"))
        .unwrap_or_default();
    let mut s = format!(
        "{severity}[{code}] project {}{subject}: {}\n",
        l.project, l.message
    );
    let list = |items: Vec<String>| {
        let shown: Vec<String> = items.iter().take(10).cloned().collect();
        let more = items.len().saturating_sub(shown.len());
        format!(
            "{}{}",
            shown.join(", "),
            if more > 0 {
                format!(" (+{more} more)")
            } else {
                String::new()
            }
        )
    };
    if !l.objects.is_empty() {
        let names = l
            .objects
            .iter()
            .map(|o| format!("{}/{}", o.resource_type.name(), o.name))
            .collect();
        s.push_str(&format!("    objects: {}\n", list(names)));
    }
    if !l.principals.is_empty() {
        s.push_str(&format!("    principals: {}\n", list(l.principals.clone())));
    }
    s
}

fn print(v: &Value) -> Result<(), (u8, String)> {
    let text =
        serde_json::to_string_pretty(v).map_err(|e| (1, format!("cannot write JSON: {e}")))?;
    write_stdout(&(text + "\n"));
    Ok(())
}

fn write_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a message.
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}
