//! `/catalog`: every registry with its projects and how many objects of each kind they hold.

use leptos::prelude::*;

use crate::catalog::api::catalog_overview;
use crate::catalog::overview::{ProjectOverview, RegistryOverview};
use crate::ui::{EmptyState, ErrorState, PageHeader};

#[component]
pub fn CatalogPage() -> impl IntoView {
    let overview = crate::ui::page_resource(|| (), |_| catalog_overview());
    view! {
        <PageHeader title="Catalog" lead="Discover projects, entities, feature views, feature services and data sources across every registry."/>
        <nav class="catalog-kinds" aria-label="Lists">
            <ul>{crate::catalog::query::LIST_SLUGS.iter().map(|slug| view! {
                <li><a href=format!("/catalog/{slug}")>{super::list::list_title(slug)}</a></li>
            }).collect_view()}</ul>
        </nav>
        <Suspense fallback=|| view! { <p class="muted">"Loading registries…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Err(e) => view! {
                        <ErrorState title="Catalog unavailable" error=e href="/search" label="Search the catalog instead"/>
                    }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <EmptyState title="No registry connected">
                            <p>"The catalog lists what your Feast registries hold: who owns each object, how fresh it is and how it connects."</p>
                            <p>"No registry source is configured, so there is nothing to list yet. Start the console with --registry SOURCE."</p>
                        </EmptyState>
                    }.into_any(),
                    Ok(list) => list.into_iter().map(|r| view! { <RegistrySection registry=r/> }).collect_view().into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RegistrySection(registry: RegistryOverview) -> impl IntoView {
    let freshness = match registry.age_seconds {
        Some(age) => format!("read {} ago", human_duration(age)),
        None => "not read yet".to_string(),
    };
    let error = registry.error.clone().map(|e| {
        let note = if registry.age_seconds.is_some() {
            " Showing the last good read."
        } else {
            ""
        };
        view! { <p class="registry-error" role="alert">{e}{note}</p> }
    });
    let empty =
        registry.projects.is_empty() && registry.error.is_none() && registry.age_seconds.is_some();
    // Neither read nor failed: the first read is still running.
    let loading = (registry.age_seconds.is_none() && registry.error.is_none())
        .then(|| vec![registry.name.clone()])
        .unwrap_or_default();
    view! {
        <section class="registry" aria-label=registry.name.clone()>
            <h2>{registry.name.clone()}</h2>
            <p class="muted"><code>{registry.source.clone()}</code>" · "{freshness}</p>
            {error}
            <crate::catalog::pages::parts::LoadingNote loading=loading/>
            <crate::catalog::pages::parts::UndecidedNote count=registry.undecided/>
            {empty.then(|| view! { <p class="muted">"This registry has no projects yet."</p> })}
            <ul class="project-list">
                {registry.projects.into_iter().map(|p| view! { <ProjectRow project=p registry=registry.name.clone()/> }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn ProjectRow(project: ProjectOverview, registry: String) -> impl IntoView {
    let href = crate::catalog::query::project_href(&registry, &project.name);
    let counts = project
        .counts
        .iter()
        .map(|c| format!("{} {}", c.count, c.kind.plural_label().to_lowercase()))
        .collect::<Vec<_>>()
        .join(" · ");
    let unreadable = (project.unreadable > 0).then(|| {
        view! { <p class="registry-error">{format!("{} object(s) could not be read", project.unreadable)}</p> }
    });
    view! {
        <li class="project">
            <h3><a href=href>{project.name.clone()}</a></h3>
            {(!project.description.is_empty()).then(|| view! { <p>{project.description.clone()}</p> })}
            {(!project.owner.is_empty()).then(|| view! { <p class="muted">"Owner: "{project.owner.clone()}</p> })}
            <p>{if counts.is_empty() { "No objects yet".to_string() } else { counts }}</p>
            {unreadable}
        </li>
    }
}

use crate::util::time::human_duration;
