//! `/compare?left=&left_project=&right=&right_project=&kind=&show=&page=`: where two registries
//! or two projects differ: objects only on one side, and objects on both with their field
//! differences, paged on the server.

use leptos::prelude::*;

use super::parts::{url_query, FieldDiff, IgnoredNote};
use crate::catalog::model::ObjectKind;
use crate::history::api::history_compare;
use crate::history::compare::{CompareChoice, CompareQuery, CompareRow, Comparison};
use crate::history::model::ChangeType;
use crate::ui::{ErrorState, PageHeader};

const KEYS: [&str; 7] = [
    "left",
    "left_project",
    "right",
    "right_project",
    "kind",
    "show",
    "page",
];

#[component]
pub fn CompareRegistriesPage() -> impl IntoView {
    let query = url_query(&KEYS, |pairs| {
        CompareQuery::from_pairs(pairs.iter().copied())
    });
    let page = Resource::new(move || query.get(), history_compare);
    view! {
        <PageHeader title="Compare" lead="Two registries or two projects side by side (staging and production, before and after): what is only on one side, and what differs on both."/>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let q = query.get_untracked();
                match page.await {
                    Err(e) => view! { <ErrorState title="This comparison cannot be shown" error=e href="/compare" label="Start over"/> }.into_any(),
                    Ok(p) => view! {
                        <Form query=q.clone() choices=p.choices/>
                        <IgnoredNote/>
                        {p.comparison.map(|c| view! { <Result comparison=c query=q/> })}
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Form(query: CompareQuery, choices: Vec<CompareChoice>) -> impl IntoView {
    let registries: Vec<String> = choices.iter().map(|c| c.registry.clone()).collect();
    let mut projects: Vec<String> = choices.into_iter().flat_map(|c| c.projects).collect();
    projects.sort();
    projects.dedup();
    let registry_select = move |name: &'static str, label: &'static str, chosen: String| {
        let registries = registries.clone();
        view! {
            <label>{label}
                <select name=name>
                    <option value="" selected=chosen.is_empty()>"Choose…"</option>
                    {registries.into_iter().map(|r| {
                        let selected = r == chosen;
                        view! { <option value=r.clone() selected=selected>{r.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
        }
    };
    let project_select = move |name: &'static str, label: &'static str, chosen: String| {
        let projects = projects.clone();
        view! {
            <label>{label}
                <select name=name>
                    <option value="" selected=chosen.is_empty()>"Whole registry"</option>
                    {projects.into_iter().map(|p| {
                        let selected = p == chosen;
                        view! { <option value=p.clone() selected=selected>{p.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
        }
    };
    let (kind, show) = (query.kind.clone(), query.show.clone());
    view! {
        <form class="catalog-filters" method="get" action="/compare" aria-label="Choose what to compare">
            {registry_select("left", "Left registry", query.left.clone())}
            {project_select("left_project", "Left project", query.left_project.clone())}
            {registry_select("right", "Right registry", query.right.clone())}
            {project_select("right_project", "Right project", query.right_project.clone())}
            <label>"Kind"
                <select name="kind">
                    <option value="" selected=kind.is_empty()>"Every kind"</option>
                    {ObjectKind::ALL.iter().map(|k| view! {
                        <option value=k.as_str() selected=kind == k.as_str()>{k.plural_label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Show"
                <select name="show">
                    {[("", "Every difference"), ("only_left", "Only on the left"), ("only_right", "Only on the right"), ("different", "On both, different")]
                        .into_iter()
                        .map(|(v, l)| view! { <option value=v selected=show == v>{l}</option> })
                        .collect_view()}
                </select>
            </label>
            <button type="submit">"Compare"</button>
        </form>
    }
}

#[component]
fn Result(comparison: Comparison, query: CompareQuery) -> impl IntoView {
    let (left_project, right_project) = query.projects();
    let side = |registry: &str, project: Option<&str>| match project {
        Some(p) => format!("{registry} / {p}"),
        None => registry.to_string(),
    };
    let (left, right) = (
        side(&query.left, left_project),
        side(&query.right, right_project),
    );
    let show = |value: &str| {
        CompareQuery {
            show: value.to_string(),
            page: 0,
            ..query.clone()
        }
        .href_for_page(1)
    };
    let c = &comparison;
    let nothing = c.only_left + c.only_right + c.different == 0;
    view! {
        <section aria-labelledby="compare-result">
            <h2 id="compare-result">{format!("{left} ↔ {right}")}</h2>
            <p role="status" data-testid="compare-counts">
                <a href=show("only_left")>{format!("Only in {left}: {}", c.only_left)}</a>" · "
                <a href=show("only_right")>{format!("Only in {right}: {}", c.only_right)}</a>" · "
                <a href=show("different")>{format!("Different: {}", c.different)}</a>" · "
                {format!("Same: {}", c.same)}
            </p>
            {nothing.then(|| view! { <p data-testid="compare-same">"No differences: every object is on both sides with the same definition."</p> })}
            {(!comparison.rows.is_empty()).then(|| view! {
                <div class="table-scroll">
                    <table class="catalog-table" data-testid="compare-rows">
                        <thead><tr>
                            <th scope="col">"Object"</th>
                            <th scope="col">"Kind"</th>
                            <th scope="col">"Where"</th>
                            <th scope="col">"Differences"</th>
                        </tr></thead>
                        <tbody>
                            {comparison.rows.clone().into_iter().map(|r| view! { <Row row=r left=left.clone() right=right.clone()/> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
            <Pager page=comparison.page pages=comparison.pages query=query.clone()/>
        </section>
    }
}

#[component]
fn Row(row: CompareRow, left: String, right: String) -> impl IntoView {
    let place = match row.change {
        ChangeType::Removed => format!("only in {left}"),
        ChangeType::Added => format!("only in {right}"),
        ChangeType::Changed => "on both, different".to_string(),
    };
    let link = |href: Option<String>, label: &'static str| {
        href.map(|h| view! { " "<a class="small" href=h>{label}</a> })
    };
    view! {
        <tr data-testid="compare-row">
            <td>{row.name.clone()}{link(row.left_href, "left")}{link(row.right_href, "right")}</td>
            <td>{row.kind.as_str()}</td>
            <td class=format!("history-change history-{}", row.change.as_str())>{place}</td>
            <td><FieldDiff fields=row.fields/></td>
        </tr>
    }
}

#[component]
fn Pager(page: usize, pages: usize, query: CompareQuery) -> impl IntoView {
    let link = move |p: usize| query.href_for_page(p);
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label="Pages">
                {(page > 1).then(|| view! { <a rel="prev" href=link(page - 1)>"‹ Previous"</a> })}
                <span>{format!(" Page {page} of {pages} ")}</span>
                {(page < pages).then(|| view! { <a rel="next" href=link(page + 1)>"Next ›"</a> })}
            </nav>
        }
    })
}
