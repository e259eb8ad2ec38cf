//! `/recovery`: the readiness line, the priority table in recovery order, the RPO history plot
//! (server-rendered SVG with a text alternative) and the exports.

use leptos::prelude::*;

use super::assess::Assessment;
use super::model::{human_seconds, Status};
use super::report::RecoveryPageData;
use crate::shell::{EmptyState, PageHeader};

#[server]
pub async fn load_recovery() -> Result<Option<RecoveryPageData>, ServerFnError> {
    crate::auth::require(crate::auth::ConsoleRole::Sre)?;
    let provider = use_context::<super::report::RecoveryProvider>()
        .ok_or_else(|| ServerFnError::new("recovery probes are not running in this server"))?;
    Ok((provider.0)().await)
}

#[component]
pub fn RecoveryPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_recovery());
    view! {
        <PageHeader title="Recovery" lead="Recovery objectives per component, in the order you would restore them, against measured evidence."/>
        <Suspense fallback=|| view! { <p class="muted">"Reading recovery evidence…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! {
                        <EmptyState title="Recovery status unavailable">
                            <p>{e.to_string()}</p>
                        </EmptyState>
                    }.into_any(),
                    Ok(None) => view! {
                        <EmptyState title="No recovery evidence yet">
                            <p>"The first probe round has not finished; reload in a few seconds."</p>
                        </EmptyState>
                    }.into_any(),
                    Ok(Some(d)) => view! { <RecoveryBody data=d/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn opt_seconds(v: Option<u64>, none: &str) -> String {
    v.map(human_seconds).unwrap_or_else(|| none.to_string())
}

#[component]
fn RecoveryBody(data: RecoveryPageData) -> impl IntoView {
    let r = data.report;
    let topology = r
        .topology
        .map(|t| {
            match t {
                super::assess::TopologyClass::Minimal => "Minimal",
                super::assess::TopologyClass::Standard => "Standard",
                super::assess::TopologyClass::Enterprise => "Enterprise",
            }
            .to_string()
        })
        .unwrap_or_else(|| "not classified".into());
    view! {
        <p class=format!("recovery-readiness status-{}", r.readiness.status.id()) role="status">
            <strong>{r.readiness.line.clone()}</strong>
        </p>
        <p class="muted">
            "Topology: "{topology}" · probes every "{human_seconds(data.probe_interval_seconds)}
            " · export: "<a href="/recovery/export.csv" download="recovery.csv">"CSV"</a>
            " · "<a href="/recovery/export.json" download="recovery.json">"JSON"</a>
        </p>
        <table class="recovery-table">
            <caption>"Components in recovery order"</caption>
            <thead><tr>
                <th scope="col">"Priority"</th><th scope="col">"Component"</th>
                <th scope="col">"Objective (RPO / RTO)"</th><th scope="col">"Evidence"</th>
                <th scope="col">"Achieved RPO"</th><th scope="col">"RTO estimate"</th>
                <th scope="col">"Status"</th><th scope="col">"Evidence age"</th>
            </tr></thead>
            <tbody>{r.components.into_iter().map(|a| view! { <Row a=a/> }).collect_view()}</tbody>
        </table>
        <section class="recovery-history" aria-labelledby="recovery-history-title">
            <h2 id="recovery-history-title">"Achieved RPO over time"</h2>
            {match data.history_svg {
                // Server-rendered by plotters from stored samples; contains no user text.
                Some(svg) => view! { <div class="recovery-plot" role="img" aria-label="Achieved RPO over time per component" inner_html=svg></div> }.into_any(),
                None => view! { <p class="muted">"Not enough samples yet for a plot."</p> }.into_any(),
            }}
            <ul class="recovery-history-text">
                {data.history_text.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Row(a: Assessment) -> impl IntoView {
    let c = a.component;
    let status_class = format!("badge recovery-status status-{}", a.status.id());
    let rpo_objective = opt_seconds(a.objective.rpo_seconds, "n/a");
    let rto_objective = opt_seconds(a.objective.rto_seconds, "per SLA");
    let unknown = a.status == Status::Unknown;
    view! {
        <tr data-component=c.id()>
            <td>{format!("{} — {}", c.priority(), c.criticality())}</td>
            <th scope="row">{c.label()}</th>
            <td>{format!("{rpo_objective} / {rto_objective}")}<br/><small class="muted">{a.objective.guidance.clone()}</small></td>
            <td><ul class="recovery-evidence">{a.evidence.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul></td>
            <td>{opt_seconds(a.achieved_rpo_seconds, "-")}</td>
            <td>{opt_seconds(a.rto_estimate_seconds, "-")}</td>
            <td><span class=status_class>{a.status.label()}</span><br/><small class:muted=!unknown>{a.reason}</small></td>
            <td>{opt_seconds(a.evidence_age_seconds, "-")}</td>
        </tr>
    }
}
