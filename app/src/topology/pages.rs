//! The topology pages: `/topology`, the cluster (diagram and a table of FeatureStores), and
//! `/topology/{namespace}/{name}`, one FeatureStore (diagram, checklist, violations, status).
//! The older `/topology?fs=<namespace>/<name>` links still open the FeatureStore.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{
    load_topology_feature_store, load_topology_overview, DiagramView, FeatureStoreDetail, StoreRow,
    TopologyOverview,
};
use crate::ui::{EmptyState, ErrorState, PageHeader};
use crate::util::percent::path_segment;

#[component]
pub fn TopologyPage() -> impl IntoView {
    // The older `?fs=<namespace>/<name>` links: read once, when the page is built.
    let legacy = use_query_map().with_untracked(|q| {
        q.get("fs").and_then(|v| {
            v.split_once('/')
                .map(|(ns, n)| (ns.to_string(), n.to_string()))
        })
    });
    match legacy {
        Some((ns, name)) => {
            let key = Memo::new(move |_| (ns.clone(), name.clone()));
            view! { <FeatureStoreView key=key/> }.into_any()
        }
        None => view! { <ClusterView/> }.into_any(),
    }
}

/// `/topology/{namespace}/{name}`: one FeatureStore.
#[component]
pub fn FeatureStorePage() -> impl IntoView {
    let params = use_params_map();
    let key = Memo::new(move |_| {
        let p = params.read();
        (
            p.get("namespace").unwrap_or_default(),
            p.get("name").unwrap_or_default(),
        )
    });
    view! { <FeatureStoreView key=key/> }
}

#[component]
fn ClusterView() -> impl IntoView {
    let overview = crate::ui::page_resource(|| (), |_| load_topology_overview());
    view! {
        <PageHeader title="Topology" lead="Every Feast deployment in the cluster, classified as Minimal, Standard or Enterprise, checked and drawn."/>
        <Suspense fallback=|| view! { <p class="muted">"Reading the topology…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Err(e) => view! {
                        <EmptyState title="No cluster or manifests connected">
                            <p>"The topology area reads FeatureStore resources from a Kubernetes cluster or a folder of manifests."</p>
                            <p>{crate::ui::error_text(&e)}</p>
                        </EmptyState>
                    }.into_any(),
                    Ok(o) if o.stores.is_empty() && o.errors.is_empty() => view! {
                        <EmptyState title="No FeatureStore found">
                            <p>"The source "<code>{o.source.clone()}</code>" holds no FeatureStore resource."</p>
                        </EmptyState>
                    }.into_any(),
                    Ok(o) => view! { <ClusterBody overview=o/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ClusterBody(overview: TopologyOverview) -> impl IntoView {
    let age = match overview.age_seconds {
        Some(s) if s < 120 => format!("{s} s ago"),
        Some(s) => format!("{} min ago", s / 60),
        None => "not yet".to_string(),
    };
    let tenants = if overview.tenants.is_empty() {
        "none".to_string()
    } else {
        overview.tenants.join(", ")
    };
    view! {
        <p class="muted">"Source: "<code>{overview.source.clone()}</code>" · read "{age}" · tenants: "{tenants}</p>
        {overview.refresh_error.clone().map(|e| view! {
            <p class="registry-error" role="alert">"Last refresh failed: "{e}" Showing the last good read."</p>
        })}
        {(!overview.shared_registries.is_empty()).then(|| view! {
            <p>"Shared registries: "{overview.shared_registries.join("; ")}</p>
        })}
        <Problems errors=overview.errors.clone()/>
        <Diagram diagram=overview.diagram.clone() title="Cluster diagram"/>
        <div class="table-scroll">
            <table class="topology-table">
                <thead><tr><th>"FeatureStore"</th><th>"Class"</th><th>"Phase"</th><th>"Replicas"</th><th>"Badges"</th><th>"Checks"</th></tr></thead>
                <tbody>{overview.stores.into_iter().map(|r| view! { <StoreRowView row=r/> }).collect_view()}</tbody>
            </table>
        </div>
    }
}

#[component]
fn StoreRowView(row: StoreRow) -> impl IntoView {
    // The namespace and name are user text: only ever rendered as text or percent-encoded.
    let href = format!(
        "/topology/{}/{}",
        path_segment(&row.namespace),
        path_segment(&row.name)
    );
    view! {
        <tr>
            <td><a href=href>{format!("{}/{}", row.namespace, row.name)}</a></td>
            <td><span class=format!("badge class-{}", row.class_id)>{row.class_label.clone()}</span></td>
            <td>{row.phase.clone().unwrap_or_else(|| "-".into())}</td>
            <td>{row.replicas.clone()}</td>
            <td>{row.badges.iter().map(|b| view! { <span class="badge">{b.clone()}</span>" " }).collect_view()}</td>
            <td>{format!("{} error(s), {} warning(s)", row.errors, row.warnings)}</td>
        </tr>
    }
}

#[component]
fn Problems(errors: Vec<String>) -> impl IntoView {
    (!errors.is_empty()).then(|| view! {
        <section class="registry-error" role="alert">
            <h2>"Reading problems"</h2>
            <ul>{errors.into_iter().map(|e| view! { <li><code>{e}</code></li> }).collect_view()}</ul>
        </section>
    })
}

#[component]
fn Diagram(diagram: DiagramView, title: &'static str) -> impl IntoView {
    // The SVG comes from the server's renderer, generated from labels reduced to a safe
    // alphabet, its ids prefixed per diagram: it is trusted markup.
    let svg = diagram.svg.clone();
    view! {
        <section class="topology-diagram" aria-label=title>
            {match svg {
                Some(svg) => view! { <div class="diagram-svg" inner_html=svg></div> }.into_any(),
                None => view! { <p class="muted">{diagram.error.clone().unwrap_or_else(|| "No diagram.".into())}</p> }.into_any(),
            }}
            <details>
                <summary>"Mermaid source"</summary>
                <pre><code>{diagram.mermaid.clone()}</code></pre>
            </details>
        </section>
    }
}

#[component]
fn FeatureStoreView(key: Memo<(String, String)>) -> impl IntoView {
    // One resource keyed by the route, one Suspense: the page renders whole on the server.
    let detail = crate::ui::page_resource(
        move || key.get(),
        |(ns, n)| load_topology_feature_store(ns, n),
    );
    view! {
        <PageHeader title="Topology" lead="One FeatureStore: its class and why, its checklist, what the API server would refuse, the guide's advice, status and diagram."/>
        <p><a href="/topology">"← All FeatureStores"</a></p>
        <h2>{move || { let (ns, n) = key.get(); format!("{ns}/{n}") }}</h2>
        <Suspense fallback=|| view! { <p class="muted">"Reading the FeatureStore…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(e) => view! { <ErrorState title="Topology unavailable" error=e href="/topology" label="All FeatureStores"/> }.into_any(),
                    Ok(None) => view! { <EmptyState title="No such FeatureStore"><p>"It is not in the current snapshot."</p></EmptyState> }.into_any(),
                    Ok(Some(d)) => view! { <DetailBody detail=d/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DetailBody(detail: FeatureStoreDetail) -> impl IntoView {
    let row = detail.row.clone();
    view! {
        <h2><span class=format!("badge class-{}", row.class_id)>{row.class_label.clone()}</span></h2>
        <ul>{detail.reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
        <p>"Phase: "{row.phase.clone().unwrap_or_else(|| "-".into())}" · replicas: "{row.replicas.clone()}</p>
        <Diagram diagram=detail.diagram.clone() title="FeatureStore diagram"/>
        <h2>"Checklist"</h2>
        <div class="table-scroll">
            <table class="topology-table">
                <thead><tr><th>"Capability"</th><th>"Expected"</th><th>"Status"</th><th>"Evidence"</th></tr></thead>
                <tbody>{detail.checklist.into_iter().map(|c| view! {
                    <tr class=if c.gap { "gap" } else { "" }>
                        <td>{c.label}</td><td>{c.expected}</td><td>{c.status}</td><td>{c.evidence}</td>
                    </tr>
                }).collect_view()}</tbody>
            </table>
        </div>
        <h2>"The API server would refuse this"</h2>
        {if detail.refusal.is_empty() {
            view! { <p class="muted">"No: the object passes its CRD's schema and rules."</p> }.into_any()
        } else {
            view! { <ul>{detail.refusal.into_iter().map(|e| view! {
                <li class="violation error"><code>{e}</code></li>
            }).collect_view()}</ul> }.into_any()
        }}
        {(!detail.crd_warnings.is_empty()).then(|| view! {
            <ul>{detail.crd_warnings.into_iter().map(|w| view! { <li class="violation warning">{w}</li> }).collect_view()}</ul>
        })}
        <h2>"The guide advises"</h2>
        {if detail.violations.is_empty() {
            view! { <p class="muted">"None."</p> }.into_any()
        } else {
            view! { <ul>{detail.violations.into_iter().map(|v| view! {
                <li class=format!("violation {}", v.severity)>
                    <strong>{v.severity.clone()}</strong>" "<code>{v.rule}</code>": "{v.message}<br/>"Fix: "{v.fix}
                </li>
            }).collect_view()}</ul> }.into_any()
        }}
        <h2>"Conditions"</h2>
        {if detail.conditions.is_empty() {
            view! { <p class="muted">"None reported: the operator has not written a status for this object (or it was read from manifests)."</p> }.into_any()
        } else {
            view! { <ul>{detail.conditions.into_iter().map(|(t, s, r, m)| view! { <li><code>{t}</code>" = "{s}" "{r}" "{m}</li> }).collect_view()}</ul> }.into_any()
        }}
        <h2>"Service hostnames"</h2>
        {if detail.service_hostnames.is_empty() {
            view! { <p class="muted">"None reported yet."</p> }.into_any()
        } else {
            view! { <ul>{detail.service_hostnames.into_iter().map(|(k, v)| view! { <li>{k}": "<code>{v}</code></li> }).collect_view()}</ul> }.into_any()
        }}
    }
}
