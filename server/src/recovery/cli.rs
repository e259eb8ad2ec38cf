//! `feast-console recovery report`: one probe round, printed; exit 1 when the critical
//! component (the registry DB) is breached, so it works as a CI or cron check. With
//! `--deployment NAMESPACE/NAME`, the table and the exit status are that deployment's.

use std::{io::Write, process::ExitCode, sync::Arc};

use app::recovery::assess::{class_label, Assessment, Readiness};
use app::recovery::deployment::{find, parse_key};
use app::recovery::report::{build_report, to_csv, to_json, RecoveryReport};
use app::util::time::human_duration;

use super::gather::{gather, gather_deployments};
use super::sources::Sources;
use crate::clock::unix_now;
use crate::config::Config;
use crate::registry::Reader;

#[derive(clap::Subcommand, Debug)]
pub enum RecoveryCommand {
    /// Probe the configured sources once and print the recovery-priority table. Every source is
    /// optional; unset ones come from FEAST_CONSOLE_RECOVERY_* variables, else stay unknown.
    /// Exit status: 0, or 1 when the registry DB (critical) is breached (the deployment's with
    /// --deployment), 2 on bad arguments or an unknown deployment.
    Report(ReportArgs),
}

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// PostgreSQL registry database to probe (postgres://USER:PASSWORD@HOST:PORT/DB)
    #[arg(long, value_name = "URL")]
    registry_pg_url: Option<String>,
    /// SQLite or registry.db registry file whose age is the evidence
    #[arg(long, value_name = "PATH")]
    registry_file: Option<String>,
    /// File marking the last registry backup (its content or modification time)
    #[arg(long, value_name = "PATH")]
    backup_file: Option<String>,
    /// Command printing the last registry backup time (Unix seconds or RFC 3339)
    #[arg(long, value_name = "CMD")]
    backup_command: Option<String>,
    /// Redis online store: redis://[:PASSWORD@]HOST:PORT
    #[arg(long, value_name = "URL")]
    redis_url: Option<String>,
    /// The offline store's data warehouse SLA, as text
    #[arg(long, value_name = "TEXT")]
    offline_sla: Option<String>,
    /// minimal, standard or enterprise (default: from --manifests)
    #[arg(long, value_name = "CLASS")]
    topology: Option<String>,
    /// Feast registry for materialization history, [NAME=]SOURCE (as `serve --registry`)
    #[arg(long = "registry", value_name = "SOURCE")]
    registry: Option<String>,
    /// Kubernetes manifests (folder or file) for the operator/CRD evidence; repeatable
    #[arg(long = "manifests", value_name = "PATH")]
    manifests: Vec<String>,
    /// Registry DB RPO objective in seconds [default: 900]
    #[arg(long, value_name = "SECONDS")]
    registry_rpo_seconds: Option<String>,
    /// Registry DB RTO objective in seconds [default: 900]
    #[arg(long, value_name = "SECONDS")]
    registry_rto_seconds: Option<String>,
    /// Online store RTO objective in seconds [default: 14400]
    #[arg(long, value_name = "SECONDS")]
    online_rto_seconds: Option<String>,
    /// Only this FeatureStore's table and exit status (the FeatureStore comes from --manifests)
    #[arg(long, value_name = "NAMESPACE/NAME")]
    deployment: Option<String>,
    /// Output: text, json or csv
    #[arg(long, default_value = "text", value_parser = ["text", "json", "csv"])]
    format: String,
}

impl ReportArgs {
    fn flags(&self) -> Vec<(&'static str, String)> {
        let manifests = (!self.manifests.is_empty()).then(|| self.manifests.join("\n"));
        [
            ("recovery_registry_pg_url", self.registry_pg_url.clone()),
            ("recovery_registry_file", self.registry_file.clone()),
            ("recovery_backup_file", self.backup_file.clone()),
            ("recovery_backup_command", self.backup_command.clone()),
            ("recovery_redis_url", self.redis_url.clone()),
            ("recovery_offline_sla", self.offline_sla.clone()),
            ("recovery_topology", self.topology.clone()),
            ("registries", self.registry.clone()),
            ("manifests", manifests),
            (
                "recovery_registry_rpo_seconds",
                self.registry_rpo_seconds.clone(),
            ),
            (
                "recovery_registry_rto_seconds",
                self.registry_rto_seconds.clone(),
            ),
            (
                "recovery_online_rto_seconds",
                self.online_rto_seconds.clone(),
            ),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
    }
}

pub fn run(command: RecoveryCommand) -> ExitCode {
    match command {
        RecoveryCommand::Report(a) => match report(a) {
            Ok(code) => code,
            Err((code, message)) => {
                eprintln!("feast-console recovery report: {message}");
                ExitCode::from(code)
            }
        },
    }
}

fn report(args: ReportArgs) -> Result<ExitCode, (u8, String)> {
    // Only recovery variables and the report's own flags: a serve configuration in the
    // environment (listen address, OIDC) must not stop a report.
    let env = std::env::vars().filter(|(k, _)| k.starts_with("FEAST_CONSOLE_RECOVERY_"));
    let config = Config::load(None, env, args.flags()).map_err(|e| (2, e.to_string()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| (1, format!("cannot start the async runtime: {e}")))?;
    let registry = match config.registries.first() {
        Some(source) => Some(Arc::new(
            runtime
                .block_on(Reader::load_once(source))
                .map_err(|e| (1, format!("cannot read the registry: {}", e.text())))?,
        )),
        None => None,
    };
    let topology = (!config.manifests.is_empty()).then(|| {
        let source = config
            .manifests
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let handle = Arc::new(crate::topology::refresher::TopologyHandle::default());
        handle.record(Ok(crate::topology::manifests::load_paths(
            &config.manifests,
        )));
        (source, handle)
    });
    let sources = Sources {
        config: config.recovery.clone(),
        registries: config.registries.clone(),
        topology,
        demo: None,
    };
    let deployment = args
        .deployment
        .as_deref()
        .map(parse_key)
        .transpose()
        .map_err(|e| (2, format!("--deployment: {e}")))?;
    let inputs = runtime.block_on(gather(&sources, registry.clone(), unix_now()));
    let mut report = build_report(&inputs);
    report.deployments = gather_deployments(&sources, &inputs, registry.as_deref());
    let (text, components) = match &deployment {
        None => {
            let text = match args.format.as_str() {
                "json" => to_json(&report) + "\n",
                "csv" => to_csv(&report),
                _ => {
                    text_table(&report.readiness, &report.components, None)
                        + &deployment_lines(&report)
                }
            };
            (text, report.components.clone())
        }
        Some((ns, name)) => {
            let Some(d) = find(&report.deployments, ns, name) else {
                let known: Vec<String> = report.deployments.iter().map(|d| d.key()).collect();
                return Err((
                    2,
                    format!(
                        "no FeatureStore {ns}/{name} in the --manifests given (known: {})",
                        if known.is_empty() {
                            "none".into()
                        } else {
                            known.join(", ")
                        }
                    ),
                ));
            };
            // The deployment's table in the cluster report's shape, so CSV and JSON readers
            // of the cluster report read it too.
            let as_report = RecoveryReport {
                generated_at: report.generated_at,
                topology: Some(d.topology),
                readiness: d.readiness.clone(),
                components: d.components.clone(),
                probed_by: None,
                deployments: vec![d.clone()],
                demo: None,
            };
            let title = format!("{} ({})", d.key(), class_label(d.topology));
            let text = match args.format.as_str() {
                "json" => to_json(&as_report) + "\n",
                "csv" => to_csv(&as_report),
                _ => text_table(&d.readiness, &d.components, Some(&title)),
            };
            (text, d.components.clone())
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
    Ok(if app::recovery::assess::critical_breached(&components) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// One line per deployment under the cluster table.
fn deployment_lines(r: &RecoveryReport) -> String {
    if r.deployments.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nDeployments (details: --deployment NAMESPACE/NAME):\n");
    for d in &r.deployments {
        out.push_str(&format!(
            "  {} ({}): {}\n",
            d.key(),
            class_label(d.topology),
            d.readiness.line
        ));
    }
    out
}

fn text_table(readiness: &Readiness, components: &[Assessment], title: Option<&str>) -> String {
    let s = |v: Option<u64>| v.map(human_duration).unwrap_or_else(|| "-".into());
    let mut out = title.map(|t| format!("{t}\n")).unwrap_or_default();
    out.push_str(&format!("{}\n\n", readiness.line));
    for a in components {
        let c = a.component;
        out.push_str(&format!(
            "{} {} ({}): {} — RPO {} (objective {}), RTO {} (objective {}), evidence age {}\n    {}\n",
            c.priority(),
            c.label(),
            c.criticality(),
            a.status.label().to_uppercase(),
            s(a.achieved_rpo_seconds),
            s(a.objective.rpo_seconds),
            s(a.rto_estimate_seconds),
            s(a.objective.rto_seconds),
            s(a.evidence_age_seconds),
            a.reason
        ));
        for e in &a.evidence {
            out.push_str(&format!("    - {e}\n"));
        }
    }
    out
}
