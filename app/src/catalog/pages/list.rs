//! `/catalog/{list}?registry=&project=&tag=&owner=&kind=&name=&sort=&page=`: one kind of object
//! across every registry, paged, sorted and filtered on the server. The filters are a GET form,
//! so the page works the same without JavaScript.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use leptos_router::params::ParamsMap;

use super::parts::{Breadcrumbs, CatalogProblem};
use crate::catalog::api::catalog_list;
use crate::catalog::model::ObjectKind;
use crate::catalog::query::{
    detail_href, kinds_for_list, project_href, ListPage, ListQuery, SORTS, VIEW_KINDS,
};
use crate::util::percent::{path_segment, query_value};

const KEYS: [&str; 10] = [
    "registry",
    "project",
    "tag",
    "owner",
    "kind",
    "name",
    "sort",
    "changed_since",
    "page",
    "page_size",
];

fn list_query(list: String, query: &ParamsMap) -> ListQuery {
    let values: Vec<(&str, String)> = KEYS
        .iter()
        .filter_map(|k| query.get(k).map(|v| (*k, v)))
        .collect();
    ListQuery::from_pairs(&list, values.iter().map(|(k, v)| (*k, v.as_str())))
}

/// The title of a list page.
pub fn list_title(slug: &str) -> String {
    match kinds_for_list(slug) {
        Some(kinds) if kinds.len() > 1 => "Feature views".to_string(),
        Some(kinds) => kinds[0].plural_label().to_string(),
        None => "Unknown list".to_string(),
    }
}

/// `?list=..&filters` for the export links: every filter, no paging.
fn export_href(format: &str, q: &ListQuery) -> String {
    let mut plain = q.clone();
    plain.page_size = 0;
    let filters = plain.href_for_page(1);
    let rest = filters
        .strip_prefix('?')
        .map(|r| format!("&{r}"))
        .unwrap_or_default();
    format!(
        "/catalog/export.{format}?list={}{rest}",
        query_value(&q.list)
    )
}

#[component]
pub fn CatalogListPage() -> impl IntoView {
    let params = use_params_map();
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        let list = params.read().get("list").unwrap_or_default();
        list_query(list, &query_map.read())
    });
    let page = crate::ui::page_resource(move || query.get(), catalog_list);
    view! {
        {move || {
            let q = query.get();
            let title = list_title(&q.list);
            view! {
                <leptos_meta::Title text=title.clone()/>
                <Breadcrumbs crumbs=vec![("Catalog".into(), "/catalog".into()), (title.clone(), String::new())]/>
                <div class="page-header"><h1>{title}</h1></div>
                <Filters query=q/>
            }
        }}
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let q = query.get_untracked();
                match page.await {
                    Err(e) => view! { <CatalogProblem title="This list cannot be shown".to_string() message=crate::ui::error_text(&e)/> }.into_any(),
                    Ok(p) => view! { <ListBody page=p query=q/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Filters(query: ListQuery) -> impl IntoView {
    let is_views = query.list == "feature-views";
    let sort = query.sort.clone();
    let kind = query.kind.clone();
    view! {
        <form class="catalog-filters" method="get" action=format!("/catalog/{}", path_segment(&query.list)) role="search" aria-label="Filter this list">
            <label>"Registry"<input name="registry" value=query.registry.clone()/></label>
            <label>"Project"<input name="project" value=query.project.clone()/></label>
            <label>"Tag "<small>"key=value"</small><input name="tag" value=query.tag.clone() placeholder="team=ranking"/></label>
            <label>"Owner"<input name="owner" value=query.owner.clone()/></label>
            <label>"Name"<input name="name" value=query.name.clone()/></label>
            {is_views.then(|| view! {
                <label>"Kind"
                    <select name="kind">
                        <option value="" selected=kind.is_empty()>"Every kind"</option>
                        {VIEW_KINDS.iter().map(|k| view! {
                            <option value=k.as_str() selected=kind == k.as_str()>{k.plural_label()}</option>
                        }).collect_view()}
                    </select>
                </label>
            })}
            <label>"Changed since "<small>"row updated, UTC"</small>
                <input type="date" name="changed_since" value=query.changed_since.clone()/>
            </label>
            <label>"Sort"
                <select name="sort">
                    {SORTS.iter().map(|(value, label)| {
                        let selected = sort == *value || (sort.is_empty() && *value == "name");
                        view! { <option value=*value selected=selected>{*label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <button type="submit">"Apply"</button>
            <a href=format!("/catalog/{}", path_segment(&query.list))>"Clear"</a>
        </form>
    }
}

#[component]
fn ListBody(page: ListPage, query: ListQuery) -> impl IntoView {
    let from = (page.page - 1) * page.page_size + 1;
    let to = from + page.rows.len().saturating_sub(1);
    let status = if page.total == 0 && !page.loading.is_empty() {
        "Nothing to list yet.".to_string()
    } else if page.total == 0 {
        "No object matches these filters.".to_string()
    } else {
        format!("{from}–{to} of {}", page.total)
    };
    let show_kind = page.rows.iter().any(|r| r.kind != ObjectKind::FeatureView)
        && query.list == "feature-views";
    view! {
        <super::parts::LoadingNote loading=page.loading.clone()/>
        {(!query.changed_since.is_empty()).then(|| view! { <ChangedSinceNote query=query.clone()/> })}
        <super::parts::UndecidedNote count=page.undecided/>
        <p class="catalog-count" data-testid="list-count" role="status">{status}
            " · Export: "<a href=export_href("csv", &query) download>"CSV"</a>" "<a href=export_href("json", &query) download>"JSON"</a>
        </p>
        {(page.total > 0).then(|| view! {
            <div class="table-scroll">
                <table class="catalog-table">
                    <thead><tr>
                        <th scope="col">"Name"</th>
                        {show_kind.then(|| view! { <th scope="col">"Kind"</th> })}
                        <th scope="col">"Project"</th>
                        <th scope="col">"Owner"</th>
                        <th scope="col">"Tags"</th>
                        <th scope="col">"Holds"</th>
                    </tr></thead>
                    <tbody>
                        {page.rows.into_iter().map(|r| {
                            let href = detail_href(&r.registry, &r.project, r.kind, &r.name);
                            let project = project_href(&r.registry, &r.project);
                            view! {
                                <tr>
                                    <td><a href=href>{r.name.clone()}</a>
                                        {(!r.description.is_empty()).then(|| view! { <div class="muted small">{r.description.clone()}</div> })}
                                    </td>
                                    {show_kind.then(|| view! { <td>{r.kind.as_str()}</td> })}
                                    <td><a href=project>{r.project.clone()}</a>" "<small class="muted">{r.registry.clone()}</small></td>
                                    <td>{r.owner.clone()}</td>
                                    <td>{r.tags.iter().map(|(k, v)| view! { <span class="tag">{format!("{k}={v}")}</span>" " }).collect_view()}</td>
                                    <td class={if r.unreadable { "registry-error" } else { "" }}>{r.summary.clone()}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
        <Pager page=page.page pages=page.pages query=query/>
    }
}

/// What "changed since" means here, and where the recorded changes are.
#[component]
fn ChangedSinceNote(query: ListQuery) -> impl IntoView {
    let history = (!query.registry.is_empty()).then(|| {
        crate::history::timeline::TimelineQuery {
            registry: query.registry.clone(),
            project: query.project.clone(),
            since: query.changed_since.clone(),
            ..Default::default()
        }
        .page_href(None)
    });
    view! {
        <p class="muted small" role="note" data-testid="changed-since-note">
            {format!("Changed since {}: objects whose registry row was updated (Feast's last_updated_timestamp) on or after that day, UTC. ", query.changed_since)}
            "Removed objects and what exactly changed are in "
            {match history {
                Some(href) => view! { <a href=href>"this registry's history"</a> }.into_any(),
                None => view! { <a href="/history">"the history"</a> }.into_any(),
            }}"."
        </p>
    }
}

#[component]
fn Pager(page: usize, pages: usize, query: ListQuery) -> impl IntoView {
    let base = format!("/catalog/{}", path_segment(&query.list));
    let link = move |p: usize| format!("{base}{}", query.href_for_page(p));
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label="Pages">
                {(page > 1).then(|| view! { <a href=link(1)>"« First"</a>" "<a rel="prev" href=link(page - 1)>"‹ Previous"</a> })}
                <span>{format!(" Page {page} of {pages} ")}</span>
                {(page < pages).then(|| view! { <a rel="next" href=link(page + 1)>"Next ›"</a>" "<a href=link(pages)>"Last »"</a> })}
            </nav>
        }
    })
}
