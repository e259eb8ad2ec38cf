//! `/registries/{registry}/projects/{project}`: one project's counts, freshness and lineage,
//! with links to the list pages filtered to it.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::lineage::Lineage;
use super::parts::{Breadcrumbs, CatalogProblem, RegistryBanner};
use crate::catalog::api::catalog_project;
use crate::catalog::detail::ProjectView;
use crate::catalog::model::ObjectKind;
use crate::catalog::query::{detail_href, kind_slug, VIEW_KINDS};
use crate::util::percent::query_value;

#[component]
pub fn CatalogProjectPage() -> impl IntoView {
    let params = use_params_map();
    let key = Memo::new(move |_| {
        let p = params.read();
        (
            p.get("registry").unwrap_or_default(),
            p.get("project").unwrap_or_default(),
        )
    });
    let project = crate::ui::page_resource(move || key.get(), |(r, p)| catalog_project(r, p));
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading the project…"</p> }>
            {move || Suspend::new(async move {
                let (registry, name) = key.get_untracked();
                match project.await {
                    Err(e) => view! { <CatalogProblem title="This project cannot be shown".to_string() message=crate::ui::error_text(&e)/> }.into_any(),
                    Ok(None) => { super::parts::answer_not_found(); view! { <CatalogProblem title="No such project".to_string()
                        message=format!("Registry “{registry}” has no project “{name}” (or it is not loaded yet).")/> }.into_any() }
                    Ok(Some(p)) => view! { <ProjectBody project=p registry=registry/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProjectBody(project: ProjectView, registry: String) -> impl IntoView {
    let name = project.project.name.to_string();
    let filter = format!(
        "?registry={}&project={}",
        query_value(&registry),
        query_value(&name)
    );
    let view_count: usize = project
        .overview
        .counts
        .iter()
        .filter(|c| VIEW_KINDS.contains(&c.kind))
        .map(|c| c.count)
        .sum();
    let mut lists: Vec<(String, String, usize)> = Vec::new();
    if view_count > 0 {
        lists.push((
            "Feature views (all kinds)".into(),
            format!("/catalog/feature-views{filter}"),
            view_count,
        ));
    }
    for c in &project.overview.counts {
        if c.kind != ObjectKind::FeatureView {
            lists.push((
                c.kind.plural_label().into(),
                format!("/catalog/{}{filter}", kind_slug(c.kind)),
                c.count,
            ));
        }
    }
    let stale = project.stale_views.clone();
    view! {
        <leptos_meta::Title text=name.clone()/>
        <Breadcrumbs crumbs=vec![
            ("Catalog".into(), "/catalog".into()),
            (registry.clone(), format!("/catalog/feature-views?registry={}", query_value(&registry))),
            (name.clone(), String::new()),
        ]/>
        <div class="page-header">
            <h1>{name.clone()}</h1>
            {(!project.project.description.is_empty()).then(|| view! { <p class="lead">{project.project.description.to_string()}</p> })}
        </div>
        <RegistryBanner state=project.registry.clone()/>
        {(!project.project.owner.is_empty()).then(|| view! { <p>"Owner: "{project.project.owner.to_string()}</p> })}
        <section aria-labelledby="project-lists">
            <h2 id="project-lists">"What it holds"</h2>
            {if lists.is_empty() {
                view! { <p class="muted">"This project has no objects yet."</p> }.into_any()
            } else {
                view! { <ul class="catalog-kinds">{lists.into_iter().map(|(label, href, n)| view! {
                    <li><a href=href>{label}</a>" "<span class="count">{n}</span></li>
                }).collect_view()}</ul> }.into_any()
            }}
            {(project.overview.unreadable > 0).then(|| view! {
                <p class="registry-error">{format!("{} object(s) could not be read.", project.overview.unreadable)}</p>
            })}
        </section>
        <section aria-labelledby="project-freshness">
            <h2 id="project-freshness">"Freshness"</h2>
            {if stale.is_empty() {
                view! { <p>"Every feature view was materialized within its TTL (or has none)."</p> }.into_any()
            } else {
                let reg = registry.clone();
                let proj = name.clone();
                view! {
                    <p class="catalog-stale">{format!("{} feature view(s) are older than their TTL:", stale.len())}</p>
                    <ul>{stale.into_iter().map(|v| view! {
                        <li><a href=detail_href(&reg, &proj, ObjectKind::FeatureView, &v)>{v.clone()}</a></li>
                    }).collect_view()}</ul>
                }.into_any()
            }}
        </section>
        <Lineage view=project.lineage.clone() registry=registry.clone() project=name.clone()/>
    }
}
