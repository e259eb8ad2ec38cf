//! The kind-specific part of a detail page.

use leptos::prelude::*;

use crate::catalog::detail::{DetailView, Link, Staleness};
use crate::catalog::lineage::kind_label;
use crate::catalog::model::{Detail, Field, ObjectKind};
use crate::catalog::query::detail_href;
use crate::permissions::model::Policy;
use crate::util::time::human_duration;

#[component]
pub fn KindSection(detail: DetailView) -> impl IntoView {
    let registry = detail.registry.name.clone();
    let project = detail.object.project.to_string();
    let link = move |kind: ObjectKind, name: &str| {
        view! { <a href=detail_href(&registry, &project, kind, name)>{name.to_string()}</a> }
    };
    match detail.object.detail.clone() {
        Detail::View(v) => view! {
            <section aria-labelledby="kind-section">
                <h2 id="kind-section">"Feature view"</h2>
                <dl class="catalog-facts">
                    <dt>"Entities"</dt><dd>{v.entities.iter().map(|e| view! { {link(ObjectKind::Entity, e)}" " }).collect_view()}</dd>
                    <dt>"Join keys"</dt><dd>{v.entity_columns.iter().map(|c| format!("{} ({})", c.name, c.dtype)).collect::<Vec<_>>().join(", ")}</dd>
                    <dt>"Batch source"</dt><dd>{v.batch_source.clone().map(|s| link(ObjectKind::DataSource, &s).into_any()).unwrap_or_else(|| "—".into_any())}</dd>
                    <dt>"Stream source"</dt><dd>{v.stream_source.clone().map(|s| link(ObjectKind::DataSource, &s).into_any()).unwrap_or_else(|| "—".into_any())}</dd>
                    <dt>"TTL"</dt><dd>{if v.ttl_seconds == 0 { "none (never expires)".to_string() } else { human_duration(v.ttl_seconds.unsigned_abs()) }}</dd>
                    <dt>"Online"</dt><dd>{if v.online { "yes" } else { "no" }}</dd>
                    <dt>"Offline"</dt><dd>{if v.batch_source.is_some() { "yes (batch source)" } else { "no" }}</dd>
                    {(!v.mode.is_empty()).then(|| view! { <dt>"Mode"</dt><dd>{v.mode.to_string()}</dd> })}
                </dl>
                {detail.staleness.clone().map(|s| view! { <Freshness staleness=s/> })}
                <Fields title="Features" fields=v.features.clone()/>
                <h3>"Materialization intervals"</h3>
                {if v.materialization_intervals.is_empty() {
                    view! { <p class="muted">"Never materialized."</p> }.into_any()
                } else {
                    view! { <ul>{v.materialization_intervals.iter().rev().take(20).map(|i| view! {
                        <li>{format!("{} → {}", i.start.map(|t| t.to_rfc3339()).unwrap_or_default(), i.end.map(|t| t.to_rfc3339()).unwrap_or_default())}</li>
                    }).collect_view()}</ul> }.into_any()
                }}
                <Versions detail=detail.clone()/>
            </section>
        }.into_any(),
        Detail::OnDemandView(v) => view! {
            <section aria-labelledby="kind-section">
                <h2 id="kind-section">"On-demand feature view"</h2>
                <dl class="catalog-facts">
                    <dt>"Mode"</dt><dd>{v.mode.clone()}</dd>
                    <dt>"Sources"</dt><dd>{v.sources.iter().map(|s| {
                        // A source is a feature view or a request source of the same project.
                        let kind = detail.lineage.graph.nodes.iter().find(|n| &n.name == s).map(|n| n.kind).unwrap_or(ObjectKind::DataSource);
                        view! { {link(kind, s)}" "<small class="muted">{format!("({})", kind_label(kind))}</small>" " }
                    }).collect_view()}</dd>
                    <dt>"Written to the online store"</dt><dd>{if v.write_to_online_store { "yes: computed at ingestion" } else { "no: computed per request" }}</dd>
                </dl>
                <Fields title="Features" fields=v.features.clone()/>
                {if v.request_schema.is_empty() {
                    view! { <p class="muted">"No request data: every input comes from feature views."</p> }.into_any()
                } else {
                    view! { <Fields title="Request schema" fields=v.request_schema.clone()/> }.into_any()
                }}
                <h3>"Transformation"{(!v.transformation_name.is_empty()).then(|| view! { " "<code>{v.transformation_name.clone()}</code> })}</h3>
                {if v.transformation_text.is_empty() {
                    view! { <p class="muted">"The registry holds no source text for this transformation; see the feature repository."</p> }.into_any()
                } else {
                    // Text node: Leptos escapes it, so the stored source cannot inject markup.
                    view! { <pre class="catalog-source"><code>{v.transformation_text.clone()}</code></pre> }.into_any()
                }}
                <Versions detail=detail.clone()/>
            </section>
        }.into_any(),
        Detail::FeatureService { projections } => view! {
            <section aria-labelledby="kind-section">
                <h2 id="kind-section">"Feature views used"</h2>
                <div class="table-scroll">
                    <table class="catalog-table">
                        <thead><tr><th scope="col">"View"</th><th scope="col">"Alias"</th><th scope="col">"Features"</th></tr></thead>
                        <tbody>{projections.into_iter().map(|p| {
                            let kind = detail.lineage.graph.nodes.iter().find(|n| n.name == p.view && n.kind != ObjectKind::FeatureService).map(|n| n.kind).unwrap_or(ObjectKind::FeatureView);
                            view! { <tr><td>{link(kind, &p.view)}</td><td>{p.alias.clone()}</td><td>{p.features.join(", ")}</td></tr> }
                        }).collect_view()}</tbody>
                    </table>
                </div>
            </section>
        }.into_any(),
        Detail::DataSource(d) => view! {
            <section aria-labelledby="kind-section">
                <h2 id="kind-section">"Data source"</h2>
                <dl class="catalog-facts">
                    <dt>"Type"</dt><dd>{d.source_type.clone()}</dd>
                    <dt>"Location"</dt><dd><code>{if d.location.is_empty() { "—".to_string() } else { d.location.clone() }}</code></dd>
                    <dt>"Timestamp field"</dt><dd>{d.timestamp_field.clone()}</dd>
                    {d.batch_source.clone().map(|b| view! { <dt>"Batch source"</dt><dd>{link(ObjectKind::DataSource, &b)}</dd> })}
                </dl>
                {(!d.schema.is_empty()).then(|| view! { <Fields title="Request schema" fields=d.schema.clone()/> })}
            </section>
        }.into_any(),
        Detail::Entity { join_key, value_type } => view! {
            <section aria-labelledby="kind-section">
                <h2 id="kind-section">"Entity"</h2>
                <dl class="catalog-facts"><dt>"Join key"</dt><dd><code>{join_key}</code></dd><dt>"Value type"</dt><dd>{value_type}</dd></dl>
            </section>
        }.into_any(),
        Detail::SavedDataset { features, join_keys, storage } => view! {
            <section aria-labelledby="kind-section">
                <h2 id="kind-section">"Saved dataset"</h2>
                <dl class="catalog-facts">
                    <dt>"Storage"</dt><dd><code>{storage}</code></dd>
                    <dt>"Join keys"</dt><dd>{join_keys.join(", ")}</dd>
                    <dt>"Features"</dt><dd>{features.join(", ")}</dd>
                </dl>
            </section>
        }.into_any(),
        Detail::ValidationReference { reference_dataset } => view! {
            <section aria-labelledby="kind-section">
                <h2 id="kind-section">"Validation reference"</h2>
                <p>"Dataset: "{link(ObjectKind::SavedDataset, &reference_dataset)}</p>
            </section>
        }.into_any(),
        Detail::Permission(p) => {
            let who = match &p.policy {
                Some(Policy::AllowAll) => "everyone".to_string(),
                Some(Policy::RoleBased { roles }) => format!("roles: {}", roles.join(", ")),
                Some(Policy::GroupBased { groups }) => format!("groups: {}", groups.join(", ")),
                Some(Policy::NamespaceBased { namespaces }) => format!("namespaces: {}", namespaces.join(", ")),
                Some(Policy::CombinedGroupNamespace { groups, namespaces }) => format!("groups: {} and namespaces: {}", groups.join(", "), namespaces.join(", ")),
                None => "no policy".to_string(),
            };
            view! {
                <section aria-labelledby="kind-section">
                    <h2 id="kind-section">"Permission"</h2>
                    <p>{format!("Allows {} on {} to {who}.", p.actions.join(", "), p.types.join(", "))}</p>
                    {(!p.name_patterns.is_empty()).then(|| view! { <p>"Names matching: "<code>{p.name_patterns.join(" | ")}</code></p> })}
                    <p><a href="/permissions">"Open in the Permissions area"</a>" (admins) to see who it lets do what."</p>
                </section>
            }.into_any()
        }
        Detail::Unreadable { error } => view! {
            <section class="registry-error" role="alert"><h2>"Unreadable"</h2><p>"The registry holds this object but its bytes could not be decoded: "{error}</p></section>
        }.into_any(),
        Detail::Project => ().into_any(),
    }
}

#[component]
fn Freshness(staleness: Staleness) -> impl IntoView {
    let text = match (staleness.last_materialized, staleness.age_seconds) {
        (Some(t), Some(age)) => format!(
            "Last materialized {} ({} ago).",
            t.to_rfc3339(),
            human_duration(age.unsigned_abs())
        ),
        _ => "Never materialized.".to_string(),
    };
    view! {
        <p class=if staleness.stale { "catalog-stale" } else { "catalog-fresh" } data-testid="freshness">
            {text}" "{if staleness.stale { "Stale: older than its TTL." } else { "Within its TTL." }}
        </p>
    }
}

#[component]
fn Fields(title: &'static str, fields: Vec<Field>) -> impl IntoView {
    view! {
        <h3>{format!("{title} ({})", fields.len())}</h3>
        <div class="table-scroll">
            <table class="catalog-table">
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Type"</th><th scope="col">"Description"</th></tr></thead>
                <tbody>{fields.into_iter().map(|f| view! { <tr><td><code>{f.name.to_string()}</code></td><td>{f.dtype.to_string()}</td><td>{f.description.to_string()}</td></tr> }).collect_view()}</tbody>
            </table>
        </div>
    }
}

#[component]
fn Versions(detail: DetailView) -> impl IntoView {
    (!detail.versions.is_empty()).then(|| view! {
        <h3>"Version history"</h3>
        <ol class="versions">{detail.versions.into_iter().map(|v| view! {
            <li>{format!("v{} · {} · {}", v.version_number, v.created.map(|t| t.to_rfc3339()).unwrap_or_default(), v.description)}</li>
        }).collect_view()}</ol>
    })
}

#[component]
pub fn UsedBy(links: Vec<Link>, registry: String, project: String) -> impl IntoView {
    (!links.is_empty()).then(|| view! {
        <section aria-labelledby="used-by">
            <h2 id="used-by">"Used by"</h2>
            <ul>{links.into_iter().map(|l| view! {
                <li><a href=detail_href(&registry, &project, l.kind, &l.name)>{l.name.clone()}</a>" "<small class="muted">{format!("({})", kind_label(l.kind))}</small></li>
            }).collect_view()}</ul>
        </section>
    })
}
