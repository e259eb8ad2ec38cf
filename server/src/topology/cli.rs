//! `feast-console topology ...`
//!
//! `check PATH... [--crd FILE | --kubernetes auto|KUBECONFIG] [--format json]` reads manifests,
//! checks every FeatureStore against the operator's CRD (bundled, a CRD file, or the one a
//! cluster serves) as the API server would, classifies it and checks the guide's rules, and
//! exits 1 when the API server would refuse one, a rule of error severity fails or a file could
//! not be read: teams run it in CI on their manifests before applying them.

use crate::cli_format::TextOrJson;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use app::topology::checklist::CheckStatus;
use app::topology::{analyze, TopologyReport};
use app::util::severity::Severity;
use serde_json::{json, Value};

use super::crd_admission::{parse_crd, Admitter};
use super::manifests::load_paths_against;
use super::source::KubernetesSetting;
use app::backend::error_chain;

/// The API server's refusal of a FeatureStore, in its words.
fn refusal(name: &str, errors: &[app::topology::admission::FieldError]) -> String {
    app::topology::admission::refusal(super::crd_admission::FEATURE_STORE_KIND, name, errors)
}

#[derive(clap::Subcommand, Debug)]
pub enum TopologyCommand {
    /// Classify and check the FeatureStores in manifest files or folders (YAML or JSON)
    Check {
        /// Files or folders (searched recursively for .yaml, .yml and .json)
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Output format
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
        /// Check against this FeatureStore CRD (YAML or JSON, e.g. from
        /// `kubectl get crd featurestores.feast.dev -o yaml`) instead of the bundled one
        #[arg(long, value_name = "FILE", conflicts_with = "kubernetes")]
        crd: Option<PathBuf>,
        /// Check against the FeatureStore CRD this cluster serves: `auto` or a kubeconfig
        #[arg(long, value_name = "auto|KUBECONFIG")]
        kubernetes: Option<String>,
    },
}

pub fn run(command: TopologyCommand) -> ExitCode {
    match command {
        TopologyCommand::Check {
            paths,
            format,
            crd,
            kubernetes,
        } => match admitter(crd.as_deref(), kubernetes.as_deref()) {
            Ok(admitter) => check(&paths, format, admitter),
            Err(message) => {
                eprintln!("feast-console: {message}");
                ExitCode::from(2)
            }
        },
    }
}

/// Largest CRD file read (the Feast operator's is 1.4 MB).
const MAX_CRD_BYTES: u64 = 16 * 1024 * 1024;

/// The CRD to check against: a file, a cluster's, else the bundled one (None).
fn admitter(crd: Option<&Path>, kubernetes: Option<&str>) -> Result<Option<Admitter>, String> {
    if let Some(path) = crd {
        let too_big = std::fs::metadata(path).is_ok_and(|m| m.len() > MAX_CRD_BYTES);
        if too_big {
            return Err(format!(
                "{}: larger than {MAX_CRD_BYTES} bytes",
                path.display()
            ));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let crd =
            parse_crd(&text).map_err(|e| format!("{}: {}", path.display(), error_chain(&e)))?;
        return Ok(Some(Admitter::new(
            crd,
            format!("the CRD in {}", path.display()),
        )));
    }
    let Some(kubernetes) = kubernetes else {
        return Ok(None);
    };
    let setting = KubernetesSetting::parse(kubernetes)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async {
        let (_, source) = super::source::connect(&setting, None)
            .await
            .map_err(|e| error_chain(&e))?;
        source.cluster_admitter().await.map(Some)
    })
}

fn check(paths: &[PathBuf], format: TextOrJson, admitter: Option<Admitter>) -> ExitCode {
    let report = analyze(&load_paths_against(paths, admitter));
    let out = match format {
        TextOrJson::Json => {
            serde_json::to_string_pretty(&to_json(&report)).unwrap_or_default() + "\n"
        }
        TextOrJson::Text => to_text(&report),
    };
    // A closed stdout (`| head`) is not worth a panic.
    let _ = std::io::stdout().write_all(out.as_bytes());
    if report.has_errors() || !report.errors.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The documented JSON shape: `{"feature_stores": [...], "errors": [...]}`.
pub fn to_json(report: &TopologyReport) -> Value {
    let stores: Vec<Value> = report
        .feature_stores
        .iter()
        .map(|f| {
            json!({
                "namespace": f.facts.namespace,
                "name": f.facts.name,
                "class": f.kind.id(),
                "class_label": f.kind.label(),
                "reasons": f.reasons,
                "checklist": f.checklist,
                "admission": {
                    "refused": f.admission.refused(),
                    "message": f.admission.refused().then(|| refusal(&f.facts.name, &f.admission.errors)),
                    "errors": f.admission.errors,
                    "pruned": f.admission.pruned,
                    "unevaluated": f.admission.unevaluated,
                },
                "status": f.facts.status,
                "violations": f.violations,
                "facts": f.facts,
            })
        })
        .collect();
    json!({
        "feature_stores": stores,
        "shared_registries": report.cluster.shared_registries,
        "tenants": report.cluster.tenants,
        "errors": report.errors,
        "notes": report.notes,
        "crd_source": report.crd_source,
    })
}

fn status_word(s: CheckStatus) -> &'static str {
    match s {
        CheckStatus::Met => "met",
        CheckStatus::Partial => "partial",
        CheckStatus::Missing => "missing",
        CheckStatus::NotApplicable => "n/a",
    }
}

pub fn to_text(report: &TopologyReport) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    for f in &report.feature_stores {
        let _ = writeln!(
            s,
            "{}/{}: {}",
            f.facts.namespace,
            f.facts.name,
            f.kind.label()
        );
        for r in &f.reasons {
            let _ = writeln!(s, "  because {r}");
        }
        for c in &f.checklist {
            let gap = if c.gap { "  <- expected: " } else { "" };
            let expected = if c.gap { c.expected } else { "" };
            let _ = writeln!(
                s,
                "  [{:<7}] {:<18} {}{gap}{expected}",
                status_word(c.status),
                c.label,
                c.evidence
            );
        }
        if f.admission.refused() {
            let _ = writeln!(
                s,
                "  refused the API server would refuse it: {}",
                refusal(&f.facts.name, &f.admission.errors)
            );
        }
        for w in f.admission.pruning_warnings() {
            let _ = writeln!(s, "  warning {w}");
        }
        for u in &f.admission.unevaluated {
            let _ = writeln!(s, "  note    CEL rule not evaluated: {u}");
        }
        for v in &f.violations {
            let _ = writeln!(s, "  {:<7} {}: {}", v.severity.word(), v.rule, v.message);
            let _ = writeln!(s, "          fix: {}", v.fix);
        }
        s.push('\n');
    }
    for e in &report.errors {
        let _ = writeln!(s, "error   {}: {}", e.location, e.message);
    }
    for n in &report.notes {
        let _ = writeln!(s, "note    {}: {}", n.location, n.message);
    }
    let count = |sev| {
        report
            .feature_stores
            .iter()
            .flat_map(|f| &f.violations)
            .filter(|v| v.severity == sev)
            .count()
    };
    let refused = report
        .feature_stores
        .iter()
        .filter(|f| f.admission.refused())
        .count();
    let _ = writeln!(
        s,
        "{} FeatureStore(s) in {} namespace(s): {refused} the API server would refuse, {} error(s), {} warning(s) of the guide, {} reading problem(s)",
        report.feature_stores.len(),
        report.cluster.namespaces.len(),
        count(Severity::Error),
        count(Severity::Warning),
        report.errors.len()
    );
    s
}
