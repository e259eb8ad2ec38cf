//! `/registries/{registry}/projects/{project}/{kind}/{name}`: one object, with what a user needs
//! to reuse it, who uses it, its lineage, and (for views and services) a "how to use" snippet.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::detail_sections::{KindSection, UsedBy};
use super::lineage::Lineage;
use super::list::list_title;
use super::parts::{Breadcrumbs, CatalogProblem, RegistryBanner};
use crate::catalog::api::catalog_detail;
use crate::catalog::detail::DetailView;
use crate::catalog::query::{kind_from_slug, kind_slug, project_href, VIEW_KINDS};
use crate::history::timeline::{feed_href, object_history_href};
use crate::util::percent::query_value;

#[component]
pub fn CatalogDetailPage() -> impl IntoView {
    let params = use_params_map();
    let key = Memo::new(move |_| {
        let p = params.read();
        (
            p.get("registry").unwrap_or_default(),
            p.get("project").unwrap_or_default(),
            p.get("kind").unwrap_or_default(),
            p.get("name").unwrap_or_default(),
        )
    });
    let detail = crate::ui::page_resource(
        move || key.get(),
        |(registry, project, slug, name)| async move {
            match kind_from_slug(&slug) {
                Some(kind) => catalog_detail(registry, project, kind, name).await,
                None => Err(ServerFnError::new(format!(
                    "`{slug}` is not a kind of catalog object"
                ))),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let (registry, project, slug, name) = key.get_untracked();
                match detail.await {
                    Err(e) => view! { <CatalogProblem title="This object cannot be shown".to_string() message=crate::ui::error_text(&e)/> }.into_any(),
                    Ok(None) => { super::parts::answer_not_found(); view! { <CatalogProblem title="Not found".to_string()
                        message=format!("Project “{project}” of registry “{registry}” has no {} named “{name}”. It may have been deleted, or the registry is not loaded yet.",
                            list_title(&slug).to_lowercase())/> }.into_any() }
                    Ok(Some(d)) => view! { <DetailBody detail=d/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DetailBody(detail: DetailView) -> impl IntoView {
    let o = detail.object.clone();
    let registry = detail.registry.name.clone();
    let list_slug = if VIEW_KINDS.contains(&o.kind) {
        "feature-views"
    } else {
        kind_slug(o.kind)
    };
    let list_href = format!(
        "/catalog/{list_slug}?registry={}&project={}",
        query_value(&registry),
        query_value(&o.project)
    );
    let tags = o.tags.clone();
    view! {
        <leptos_meta::Title text=o.name.to_string()/>
        <Breadcrumbs crumbs=vec![
            ("Catalog".into(), "/catalog".into()),
            (o.project.to_string(), project_href(&registry, &o.project)),
            (list_title(list_slug), list_href),
            (o.name.to_string(), String::new()),
        ]/>
        <div class="page-header">
            <h1><span class="muted kind-label">{o.kind.as_str()}</span>" "{o.name.to_string()}</h1>
            {(!o.description.is_empty()).then(|| view! { <p class="lead">{o.description.to_string()}</p> })}
        </div>
        <RegistryBanner state=detail.registry.clone()/>
        <dl class="catalog-facts">
            <dt>"Registry"</dt><dd>{registry.clone()}</dd>
            <dt>"Project"</dt><dd><a href=project_href(&registry, &o.project)>{o.project.to_string()}</a></dd>
            <dt>"Owner"</dt><dd>{if o.owner.is_empty() { "—".to_string() } else { o.owner.to_string() }}</dd>
            <dt>"Tags"</dt><dd>
                {if tags.is_empty() { view! { "—" }.into_any() } else {
                    tags.into_iter().map(|(k, v)| {
                        let href = format!("/catalog/{list_slug}?tag={}", query_value(&format!("{k}={v}")));
                        view! { <a class="tag" href=href>{format!("{k}={v}")}</a>" " }
                    }).collect_view().into_any()
                }}
            </dd>
            <dt>"Created"</dt><dd>{o.created.map(|t| t.to_rfc3339()).unwrap_or_else(|| "—".into())}</dd>
            <dt>"Updated"</dt><dd>{o.updated.map(|t| t.to_rfc3339()).unwrap_or_else(|| "—".into())}</dd>
        </dl>
        <KindSection detail=detail.clone()/>
        <UsedBy links=detail.used_by.clone() registry=registry.clone() project=o.project.to_string()/>
        {detail.snippet.clone().map(|s| view! {
            <section aria-labelledby="how-to-use">
                <h2 id="how-to-use">"How to use"</h2>
                <pre class="snippet"><code>{s}</code></pre>
            </section>
        })}
        <Lineage view=detail.lineage.clone() registry=registry.clone() project=o.project.to_string()/>
        <section aria-labelledby="object-history">
            <h2 id="object-history">"History"</h2>
            <p>
                <a href=object_history_href(&registry, &o.project, o.kind, &o.name) data-testid="object-history">
                    "What changed in this "{o.kind.as_str()}", when, and who changed it"
                </a>
                " · "<a href=feed_href(&registry, Some(&o.project)) type="application/atom+xml">"the project's feed"</a>
            </p>
        </section>
    }
}
