//! `/recovery`: the readiness line, the cluster's priority table in recovery order, the list of
//! deployments (each with its own table at `/recovery/{namespace}/{name}`), the RPO history
//! plot (server-rendered SVG with a text alternative) and the exports.

mod deployment;
mod parts;

use leptos::prelude::*;

pub use deployment::RecoveryDeploymentPage;

use parts::{PriorityTable, Waiting};

use super::api::load_recovery;
use super::assess::class_label;
use super::deployment::DeploymentRecovery;
use super::report::{RecoveryPageData, RecoveryState};
use crate::ui::{ErrorState, PageHeader};
use crate::util::percent::path_segment;
use crate::util::time::human_duration;

#[component]
pub fn RecoveryPage() -> impl IntoView {
    let data = crate::ui::page_resource(|| (), |_| load_recovery());
    view! {
        <PageHeader title="Recovery" lead="Recovery objectives per component, in the order you would restore them, against measured evidence."/>
        <Suspense fallback=|| view! { <p class="muted">"Reading recovery evidence…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! {
                        <ErrorState title="Recovery status unavailable" error=e href="/topology" label="See the topology instead"/>
                    }.into_any(),
                    Ok(RecoveryState::Ready(d)) => view! { <RecoveryBody data=*d/> }.into_any(),
                    Ok(waiting) => view! { <Waiting state=waiting/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// No report to show yet: the first round, or a follower waiting for the probing replica.
#[component]
fn RecoveryBody(data: RecoveryPageData) -> impl IntoView {
    let probe_line = data.probe_line();
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
        {r.demo.clone().map(|note| view! { <p class="demo-note recovery-demo" role="note"><strong>"Demo. "</strong>{note}</p> })}
        <p class=format!("recovery-readiness status-{}", r.readiness.status.id()) role="status">
            <strong>{r.readiness.line.clone()}</strong>
        </p>
        <p class="muted">
            "Topology: "{topology}" · "<span class="recovery-probed-by">{probe_line}</span>
            " · probes every "{human_duration(data.probe_interval_seconds)}
            " · export: "<a href="/recovery/export.csv" download="recovery.csv">"CSV"</a>
            " · "<a href="/recovery/export.json" download="recovery.json">"JSON"</a>
        </p>
        <PriorityTable components=r.components caption="Components in recovery order".to_string()/>
        <Deployments deployments=r.deployments/>
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

/// The four components in recovery order.
#[component]
fn Deployments(deployments: Vec<DeploymentRecovery>) -> impl IntoView {
    view! {
        <section class="recovery-deployments" aria-labelledby="recovery-deployments-title">
            <h2 id="recovery-deployments-title">"Deployments"</h2>
            {if deployments.is_empty() {
                view! { <p class="muted">"No FeatureStore in the topology source: only the cluster table above."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="recovery-table recovery-deployment-list">
                            <caption>"Readiness per deployment"</caption>
                            <thead><tr><th scope="col">"FeatureStore"</th><th scope="col">"Class"</th><th scope="col">"Readiness"</th></tr></thead>
                            <tbody>{deployments.into_iter().map(|d| {
                                let href = format!("/recovery/{}/{}", path_segment(&d.namespace), path_segment(&d.name));
                                let key = d.key();
                                let row_key = key.clone();
                                let status_class = format!("badge recovery-status status-{}", d.readiness.status.id());
                                view! {
                                    <tr data-deployment=row_key>
                                        <th scope="row"><a href=href>{key}</a></th>
                                        <td>{class_label(d.topology)}</td>
                                        <td><span class=status_class>{d.readiness.status.label()}</span>" "<small>{d.readiness.line}</small></td>
                                    </tr>
                                }
                            }).collect_view()}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
