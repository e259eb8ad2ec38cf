//! The registry-cache pages: `/cache` (a table of deployments and the probe status) and
//! `/cache/{namespace}/{name}` (one deployment: settings with provenance, figures, plots).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::api::{
    format_bytes, format_ms, load_cache_detail, load_cache_overview, CacheDetail, CacheOverview,
    CacheRow, PlotView, ProbeView,
};
use crate::ui::{EmptyState, ErrorState, PageHeader};
use crate::util::percent::path_segment;

#[component]
pub fn CachePage() -> impl IntoView {
    let overview = crate::ui::page_resource(|| (), |_| load_cache_overview());
    view! {
        <PageHeader title="Registry cache" lead="How many registry copies each deployment holds, what their refreshes cost, and when they storm."/>
        <Suspense fallback=|| view! { <p class="muted">"Reading deployments and probes…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Err(e) => view! {
                        <ErrorState title="Registry-cache health unavailable" error=e href="/topology" label="See the topology instead"/>
                    }.into_any(),
                    Ok(o) => view! { <OverviewBody overview=o/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OverviewBody(overview: CacheOverview) -> impl IntoView {
    view! {
        <p class="muted">"Deployments from "<code>{overview.manifests.clone()}</code></p>
        {(!overview.errors.is_empty()).then(|| view! {
            <section class="registry-error" role="alert">
                <h2>"Reading problems"</h2>
                <ul>{overview.errors.iter().map(|e| view! { <li><code>{e.clone()}</code></li> }).collect_view()}</ul>
            </section>
        })}
        {if overview.rows.is_empty() {
            view! { <EmptyState title="No FeatureStore found"><p>"The manifests hold no FeatureStore resource to measure."</p></EmptyState> }.into_any()
        } else {
            view! {
                <div class="cache-scroll">
                <table class="cache-table">
                    <caption>"Registry copies per deployment (current replicas; HPA range in brackets)"</caption>
                    <thead><tr>
                        <th scope="col">"FeatureStore"</th><th scope="col">"Copies"</th><th scope="col">"Mode"</th>
                        <th scope="col">"cache_ttl_"<wbr/>"seconds"</th><th scope="col">"registry"<wbr/>"TTLSeconds"</th>
                        <th scope="col">"Load"</th><th scope="col">"Storm risk"</th><th scope="col">"Recommendation"</th>
                    </tr></thead>
                    <tbody>{overview.rows.into_iter().map(|r| view! { <RowView row=r/> }).collect_view()}</tbody>
                </table>
                </div>
            }.into_any()
        }}
        <h2>"Registry probes"</h2>
        <Probes probes=overview.probes.clone()/>
        {overview.history.clone().into_iter().map(|p| view! { <Plot plot=p/> }).collect_view()}
    }
}

#[component]
fn RowView(row: CacheRow) -> impl IntoView {
    // Namespace and name are user text: rendered as text, and encoded in the link.
    let href = format!(
        "/cache/{}/{}",
        path_segment(&row.namespace),
        path_segment(&row.name)
    );
    view! {
        <tr>
            <th scope="row"><a href=href>{format!("{}/{}", row.namespace, row.name)}</a></th>
            <td>{row.copies}</td>
            <td>{row.mode}</td>
            <td>{row.cache_ttl}</td>
            <td>{row.registry_ttl}</td>
            <td>{row.load}</td>
            <td><span class=format!("badge risk-{}", row.risk_id)>{row.risk}</span></td>
            <td>{row.recommendation}</td>
        </tr>
    }
}

#[component]
fn Probes(probes: Vec<ProbeView>) -> impl IntoView {
    if probes.is_empty() {
        return view! { <p class="muted">"No registry source is configured."</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table class="cache-table">
                <thead><tr><th scope="col">"Registry"</th><th scope="col">"State"</th><th scope="col">"Full load"</th>
                    <th scope="col">"Size"</th><th scope="col">"Objects"</th><th scope="col">"Samples"</th><th scope="col">"Last probe"</th></tr></thead>
                <tbody>{probes.into_iter().map(|p| view! {
                    <tr>
                        <th scope="row">{p.registry.clone()}<br/><code class="muted">{p.source.clone()}</code>
                            {p.visibility_check.clone().map(|c| view! { <br/><small data-testid="visibility-check">{c}</small> })}</th>
                        <td class=format!("probe-{}", p.state.replace(' ', "-"))>{p.state.clone()}
                            {p.last_error.clone().map(|e| view! { <br/><small>{e}</small> })}</td>
                        <td>{p.last_load_ms.map(format_ms).unwrap_or_else(|| "-".into())}</td>
                        <td>{p.bytes.map(format_bytes).unwrap_or_else(|| "-".into())}</td>
                        <td>{p.objects.map(|o| o.to_string()).unwrap_or_else(|| "-".into())}</td>
                        <td>{p.samples}</td>
                        <td>{p.probed_at.clone().unwrap_or_else(|| "-".into())}</td>
                    </tr>
                }).collect_view()}</tbody>
            </table>
        </div>
    }.into_any()
}

#[component]
fn Plot(plot: PlotView) -> impl IntoView {
    // The SVG is rendered by the server with plotters; every name in it is escaped there.
    let caption_id = format!("plot-{}-text", plot.id);
    view! {
        <figure class="cache-plot" aria-labelledby=caption_id.clone()>
            <h3>{plot.title.clone()}</h3>
            {match plot.svg.clone() {
                Some(svg) => view! { <div class="plot-svg" aria-hidden="true" inner_html=svg></div> }.into_any(),
                None => view! { <p class="muted">{plot.error.clone().unwrap_or_else(|| "No plot.".into())}</p> }.into_any(),
            }}
            <figcaption id=caption_id.clone() class="plot-text">{plot.text.clone()}</figcaption>
        </figure>
    }
}

#[component]
pub fn CacheDetailPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (
            p.get("namespace").unwrap_or_default(),
            p.get("name").unwrap_or_default(),
        )
    };
    let detail = crate::ui::page_resource(key, |(ns, n)| load_cache_detail(ns, n));
    view! {
        <PageHeader title="Registry cache" lead="One deployment: its registry copies, refresh cost, storm risk and the changes the guide recommends."/>
        <p><a href="/cache">"← All deployments"</a></p>
        <h2>{move || { let (ns, n) = key(); format!("{ns}/{n}") }}</h2>
        <Suspense fallback=|| view! { <p class="muted">"Computing…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(e) => view! { <ErrorState title="Registry-cache health unavailable" error=e href="/cache" label="All deployments"/> }.into_any(),
                    Ok(None) => view! { <EmptyState title="No such FeatureStore"><p>"It is not in the current manifests."</p></EmptyState> }.into_any(),
                    Ok(Some(d)) => view! { <DetailBody detail=d/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DetailBody(detail: CacheDetail) -> impl IntoView {
    let a = detail.analysis.clone();
    let s = a.settings.clone();
    let settings = vec![
        (
            "cache_mode",
            s.cache_mode.value.name().to_string(),
            s.cache_mode.source.describe(),
        ),
        (
            "cache_ttl_seconds",
            format!("{} s", s.cache_ttl_seconds.value),
            s.cache_ttl_seconds.source.describe(),
        ),
        (
            "registryTTLSeconds",
            format!("{} s", s.registry_ttl_seconds.value),
            s.registry_ttl_seconds.source.describe(),
        ),
        (
            "workers (online server)",
            s.online_workers.value.to_string(),
            s.online_workers.source.describe(),
        ),
    ];
    let figures = vec![
        ("Copies", detail.row.copies.clone()),
        (
            "Registry size",
            a.measure
                .as_ref()
                .and_then(|m| m.bytes)
                .map(format_bytes)
                .unwrap_or_else(|| "not measured".into()),
        ),
        (
            "Objects",
            a.measure
                .as_ref()
                .map(|m| m.objects.to_string())
                .unwrap_or_else(|| "-".into()),
        ),
        (
            "Memory of all copies (at least)",
            a.memory_bytes
                .map(|m| format_bytes(m.current.max(0) as u64))
                .unwrap_or_else(|| "-".into()),
        ),
        (
            "Full reads per minute",
            format!("{:.2}", a.refreshes_per_minute),
        ),
        (
            "Registry load: queries/s",
            a.db_queries_per_second
                .map(|q| format!("{q:.2}"))
                .unwrap_or_else(|| "-".into()),
        ),
        (
            "Registry load: bytes/s",
            a.db_bytes_per_second
                .map(|b| format!("{}/s", format_bytes(b as u64)))
                .unwrap_or_else(|| "-".into()),
        ),
        ("Storm risk", detail.row.risk.clone()),
    ];
    view! {
        <h3>"Cache settings"</h3>
        <div class="table-scroll">
            <table class="cache-table">
                <thead><tr><th scope="col">"Setting"</th><th scope="col">"Value"</th><th scope="col">"From"</th></tr></thead>
                <tbody>{settings.into_iter().map(|(k, v, from)| view! { <tr><th scope="row"><code>{k}</code></th><td>{v}</td><td>{from}</td></tr> }).collect_view()}</tbody>
            </table>
        </div>
        <h3>"Figures"</h3>
        <dl class="cache-figures">{figures.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}</dl>
        <h3>"Per server type"</h3>
        <div class="table-scroll">
            <table class="cache-table">
                <thead><tr><th scope="col">"Server"</th><th scope="col">"Copies per pod"</th><th scope="col">"Copies"</th><th scope="col">"Background reads every"</th><th scope="col">"Blocking reads every"</th></tr></thead>
                <tbody>{a.servers.iter().map(|sv| view! { <tr>
                    <th scope="row">{sv.kind.clone()}</th><td>{sv.per_pod}</td><td>{super::api::format_range(sv.copies)}</td>
                    <td>{if sv.schedule.background_seconds.is_empty() { "never".to_string() } else { sv.schedule.background_seconds.iter().map(|p| format!("{p} s")).collect::<Vec<_>>().join(", ") }}</td>
                    <td>{sv.schedule.blocking_seconds.map(|p| format!("{p} s")).unwrap_or_else(|| "never".into())}</td>
                </tr> }).collect_view()}</tbody>
            </table>
        </div>
        <h3>"Recommendations (the guide's table)"</h3>
        <ul class="cache-recommendations">{a.recommendations.iter().map(|r| view! {
            <li class=if r.primary { "primary" } else { "" }>
                <strong>{r.label.clone()}</strong>{r.primary.then_some(" (recommended)")}
                {if r.changes.is_empty() {
                    view! { <span>": already matches."</span> }.into_any()
                } else {
                    view! { <ul>{r.changes.iter().map(|c| view! {
                        <li><code>{c.setting.clone()}</code>" "{c.current.clone()}" → "{c.target.clone()}": "<code>{c.field.clone()}</code></li>
                    }).collect_view()}</ul> }.into_any()
                }}
            </li>
        }).collect_view()}</ul>
        <h3>"Plots"</h3>
        {detail.plots.into_iter().map(|p| view! { <Plot plot=p/> }).collect_view()}
    }
}
