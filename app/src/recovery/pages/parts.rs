//! The pieces both recovery pages show: the waiting notice and the priority table.

use leptos::prelude::*;

use crate::recovery::assess::Assessment;
use crate::recovery::model::Status;
use crate::recovery::report::RecoveryState;
use crate::ui::EmptyState;
use crate::util::time::human_duration;

#[component]
pub fn Waiting(state: RecoveryState) -> impl IntoView {
    let title = match state {
        RecoveryState::WaitingForProber { .. } => "Waiting for the probing replica",
        _ => "No recovery evidence yet",
    };
    view! {
        <EmptyState title=title>
            <p class="recovery-waiting">{state.waiting_text()}</p>
        </EmptyState>
    }
}

pub fn opt_seconds(v: Option<u64>, none: &str) -> String {
    v.map(human_duration).unwrap_or_else(|| none.to_string())
}

#[component]
pub fn PriorityTable(components: Vec<Assessment>, caption: String) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="recovery-table">
                <caption>{caption}</caption>
                <thead><tr>
                    <th scope="col">"Priority"</th><th scope="col">"Component"</th>
                    <th scope="col">"Objective (RPO / RTO)"</th><th scope="col">"Evidence"</th>
                    <th scope="col">"Achieved RPO"</th><th scope="col">"RTO estimate"</th>
                    <th scope="col">"Status"</th><th scope="col">"Evidence age"</th>
                </tr></thead>
                <tbody>{components.into_iter().map(|a| view! { <Row a=a/> }).collect_view()}</tbody>
            </table>
        </div>
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
