//! `feast-console cache report [--registry SOURCE]... [--manifests PATH... | --kubernetes auto|KUBECONFIG]
//! [--namespace NS]... [--format json]`
//!
//! Times one full read of each registry now, reads the FeatureStores of the manifests and
//! prints the same figures as the registry-cache page. Exit status: 0, or 1 when a registry
//! could not be read (the report is still printed, with the error), 2 for bad arguments.

use crate::cli_format::TextOrJson;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use app::backend::error_chain;
use app::cache::api::{format_bytes, format_ms, row};
use app::cache::DeploymentCache;
use serde_json::{json, Value};

use super::backend::{analyze_all, Measured};
use super::client_config;
use super::probe::probe_with_projects;
use super::store::Sample;
use crate::registry::{demo::demo_source, source::parse_entry, RegistrySource};

#[derive(clap::Subcommand, Debug)]
pub enum CacheCommand {
    /// Registry copies, refresh cost, storm risk and recommendations per FeatureStore
    Report {
        /// Registry to time ([NAME=]SOURCE, as for `serve --registry`); repeatable. Default:
        /// the bundled demo registry
        #[arg(long = "registry", value_name = "SOURCE")]
        registries: Vec<String>,
        /// Manifest files or folders with the FeatureStores; repeatable. Default: the bundled
        /// demo manifests
        #[arg(long = "manifests", value_name = "PATH", conflicts_with = "kubernetes")]
        manifests: Vec<PathBuf>,
        /// Read the FeatureStores from a cluster instead: auto (in-cluster service account, else
        /// $KUBECONFIG or ~/.kube/config) or a kubeconfig path
        #[arg(long, value_name = "auto|KUBECONFIG")]
        kubernetes: Option<String>,
        /// With --kubernetes: only this namespace; repeatable (default: all namespaces)
        #[arg(long = "namespace", value_name = "NS", requires = "kubernetes")]
        namespaces: Vec<String>,
        /// Output format
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
}

pub fn run(command: CacheCommand) -> ExitCode {
    let CacheCommand::Report {
        registries,
        manifests,
        kubernetes,
        namespaces,
        format,
    } = command;
    let cluster = match kubernetes
        .as_deref()
        .map(crate::topology::source::KubernetesSetting::parse)
        .transpose()
    {
        Ok(c) => c.map(|k| (k, (!namespaces.is_empty()).then_some(namespaces))),
        Err(e) => {
            eprintln!("feast-console cache report: --kubernetes: {e}");
            return ExitCode::from(2);
        }
    };
    match report(&registries, &manifests, cluster, format) {
        Ok(code) => code,
        Err((code, message)) => {
            eprintln!("feast-console cache report: {message}");
            ExitCode::from(code)
        }
    }
}

type Cluster = (
    crate::topology::source::KubernetesSetting,
    Option<Vec<String>>,
);

fn report(
    entries: &[String],
    manifests: &[PathBuf],
    cluster: Option<Cluster>,
    format: TextOrJson,
) -> Result<ExitCode, (u8, String)> {
    let cwd =
        std::env::current_dir().map_err(|e| (2, format!("cannot read the current folder: {e}")))?;
    let sources: Vec<RegistrySource> = if entries.is_empty() {
        demo_source().into_iter().collect()
    } else {
        entries
            .iter()
            .map(|e| {
                parse_entry(e, &cwd)
                    .map_err(|m| (2, format!("--registry {e}: {}", error_chain(&m))))
            })
            .collect::<Result<_, _>>()?
    };
    if let Some(missing) = manifests.iter().find(|p| !p.exists()) {
        return Err((
            2,
            format!("--manifests {}: no such file or folder", missing.display()),
        ));
    }
    let paths = crate::topology::demo::manifest_paths(manifests);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| (1, format!("cannot start the async runtime: {e}")))?;
    let probed: Vec<(Sample, Vec<String>)> = runtime.block_on(async {
        let mut out = Vec::new();
        for s in &sources {
            out.push(probe_with_projects(s).await);
        }
        out
    });
    let measured: Vec<Measured> = probed
        .iter()
        .filter(|(s, _)| s.ok())
        .map(|(s, p)| Measured::from_sample(s, p.clone()))
        .collect();
    let (snapshot, configs) = match cluster {
        // From a cluster, settings come from the FeatureStore resources and Feast's defaults.
        Some((kubernetes, namespaces)) => {
            let snapshot = runtime.block_on(async {
                let (_, kube) = crate::topology::source::connect(&kubernetes, namespaces)
                    .await
                    .map_err(|e| (2, error_chain(&e)))?;
                kube.read()
                    .await
                    .map_err(|e| (1, format!("cannot read the cluster: {}", error_chain(&e))))
            })?;
            (snapshot, client_config::scan(&[]))
        }
        None => (
            crate::topology::manifests::load_paths(&paths),
            client_config::scan(&paths),
        ),
    };
    let deployments = analyze_all(&snapshot, &configs, &measured);
    let errors: Vec<String> = snapshot
        .errors
        .iter()
        .map(|e| format!("{}: {}", e.location, e.message))
        .collect();
    let samples: Vec<&Sample> = probed.iter().map(|(s, _)| s).collect();
    let text = match format {
        TextOrJson::Json => {
            serde_json::to_string_pretty(&to_json(&samples, &deployments, &errors))
                .unwrap_or_default()
                + "\n"
        }
        TextOrJson::Text => to_text(&samples, &deployments, &errors),
    };
    // A closed stdout (`| head`) is not worth a panic.
    let _ = std::io::stdout().write_all(text.as_bytes());
    Ok(if samples.iter().all(|s| s.ok()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The documented JSON shape: `{"registries": [...], "deployments": [...], "errors": [...]}`;
/// each deployment is the full analysis plus its table `row`.
pub fn to_json(samples: &[&Sample], deployments: &[DeploymentCache], errors: &[String]) -> Value {
    json!({
        "registries": samples.iter().map(|s| json!({
            "name": s.registry,
            "source": s.source,
            "ok": s.ok(),
            "load_ms": s.load_ms,
            "bytes": s.bytes,
            "objects": s.objects,
            "projects": s.projects,
            "error": s.error,
        })).collect::<Vec<_>>(),
        "deployments": deployments.iter().map(|d| {
            let mut v = serde_json::to_value(d).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut v {
                m.insert("row".into(), serde_json::to_value(row(d)).unwrap_or(Value::Null));
            }
            v
        }).collect::<Vec<_>>(),
        "errors": errors,
    })
}

fn to_text(samples: &[&Sample], deployments: &[DeploymentCache], errors: &[String]) -> String {
    let mut out = String::from("Registries (one full read, timed now):\n");
    for s in samples {
        match &s.error {
            Some(e) => out.push_str(&format!("  {} ({}): FAILED: {e}\n", s.registry, s.source)),
            None => out.push_str(&format!(
                "  {} ({}): {} · {} · {} objects in {} projects\n",
                s.registry,
                s.source,
                s.load_ms.map(format_ms).unwrap_or_default(),
                s.bytes
                    .map(|b| format_bytes(b.max(0) as u64))
                    .unwrap_or_else(|| "size unknown".into()),
                s.objects.unwrap_or(0),
                s.projects.unwrap_or(0)
            )),
        }
    }
    out.push_str("\nDeployments:\n");
    if deployments.is_empty() {
        out.push_str("  none (the manifests hold no FeatureStore)\n");
    }
    for d in deployments {
        let r = row(d);
        let s = &d.settings;
        out.push_str(&format!("  {}/{}\n", r.namespace, r.name));
        out.push_str(&format!("    copies: {}\n", r.copies));
        for (k, v, from) in [
            ("cache_mode", r.mode.clone(), s.cache_mode.source.describe()),
            (
                "cache_ttl_seconds",
                r.cache_ttl.clone(),
                s.cache_ttl_seconds.source.describe(),
            ),
            (
                "registryTTLSeconds",
                r.registry_ttl.clone(),
                s.registry_ttl_seconds.source.describe(),
            ),
            (
                "workers",
                s.online_workers.value.to_string(),
                s.online_workers.source.describe(),
            ),
        ] {
            out.push_str(&format!("    {k}: {v} ({from})\n"));
        }
        out.push_str(&format!(
            "    memory of all copies (at least): {}\n",
            d.memory_bytes
                .map(|m| format_bytes(m.current.max(0) as u64))
                .unwrap_or_else(|| "not measured".into())
        ));
        out.push_str(&format!("    load: {}\n", r.load));
        out.push_str(&format!(
            "    registry load: {} queries/s, {}/s\n",
            d.db_queries_per_second
                .map(|q| format!("{q:.2}"))
                .unwrap_or_else(|| "-".into()),
            d.db_bytes_per_second
                .map(|b| format_bytes(b as u64))
                .unwrap_or_else(|| "-".into())
        ));
        out.push_str(&format!("    storm risk: {}\n", r.risk));
        out.push_str(&format!("    recommendation: {}\n", r.recommendation));
    }
    if !errors.is_empty() {
        out.push_str("\nReading problems:\n");
        for e in errors {
            out.push_str(&format!("  {e}\n"));
        }
    }
    out
}
