//! `/history?registry=&project=&kind=&name=&change=&since=&until=&before=`: what changed in a
//! registry, a project or one object, newest first, 50 entries a page ("Older" goes on with
//! `before=ID`), with its feed and its CSV and JSON exports. Every filter is a query parameter,
//! so a link shares exactly what is shown.

use leptos::prelude::*;

use super::parts::{url_query, FieldDiff, IgnoredNote};
use crate::catalog::model::ObjectKind;
use crate::catalog::query::project_href;
use crate::history::api::history_timeline;
use crate::history::feed::FEED_KEY_DAYS;
use crate::history::model::ChangeType;
use crate::history::timeline::{
    audit_href, when_text, TimelineEntry, TimelinePage, TimelineQuery, QUERY_KEYS,
};
use crate::ui::{EmptyState, ErrorState, PageHeader};

#[component]
pub fn HistoryTimelinePage() -> impl IntoView {
    let query = url_query(&QUERY_KEYS, |pairs| {
        TimelineQuery::from_pairs(pairs.iter().copied())
    });
    let page = Resource::new(move || query.get(), history_timeline);
    view! {
        <PageHeader title="History" lead="What changed in a registry, a project or one object: added, removed or changed, when, and who (the console's editor or outside the console)."/>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let q = query.get_untracked();
                match page.await {
                    Err(e) => view! { <ErrorState title="This history cannot be shown" error=e href="/history" label="Start over"/> }.into_any(),
                    Ok(p) => view! { <Timeline page=p query=q/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Timeline(page: TimelinePage, query: TimelineQuery) -> impl IntoView {
    if query.registry.is_empty() {
        return view! { <Chooser registries=page.registries/> }.into_any();
    }
    let filtered = query.project.len()
        + query.kind.len()
        + query.name.len()
        + query.change.len()
        + query.since.len()
        + query.until.len()
        > 0;
    let is_newest = query.before.is_empty();
    let empty = page.entries.is_empty();
    view! {
        <Filters query=query.clone() registries=page.registries.clone()/>
        <p class="history-links" data-testid="history-links">
            {query.feed_href().map(|f| match page.feed_key.clone() {
                None => view! { <a href=f type="application/atom+xml" data-testid="history-feed">"Atom feed"</a>" · " }.into_any(),
                Some(key) => view! {
                    <a href=format!("{f}?key={key}") type="application/atom+xml" data-testid="history-feed"
                        title=format!("A personal link for feed readers, which cannot sign in: it shows what you may see now, for {FEED_KEY_DAYS} days. Anyone with it sees the same; do not share it.")>
                        "Atom feed (personal link)"</a>" · "
                }.into_any(),
            })}
            "Export: "<a href=query.export_href("csv") download data-testid="history-csv">"CSV"</a>" "
            <a href=query.export_href("json") download data-testid="history-json">"JSON"</a>
        </p>
        <IgnoredNote/>
        {empty.then(|| view! { <EmptyTimeline last_checked=page.last_checked filtered=filtered newest=is_newest/> })}
        {(!empty).then(|| view! {
            <ol class="history-timeline" data-testid="history-entries" aria-label="Changes, newest first">
                {page.entries.into_iter().map(|e| view! { <Entry entry=e/> }).collect_view()}
            </ol>
        })}
        <nav class="pager" aria-label="Pages">
            {(!is_newest).then(|| view! { <a href=query.page_href(None)>"« Newest"</a>" " })}
            {page.next_before.map(|b| view! { <a rel="next" href=query.page_href(Some(b)) data-testid="history-older">"Older ›"</a> })}
        </nav>
    }
    .into_any()
}

/// No registry chosen yet: one link per registry.
#[component]
fn Chooser(registries: Vec<String>) -> impl IntoView {
    view! {
        <section aria-labelledby="choose-registry">
            <h2 id="choose-registry">"Choose a registry"</h2>
            <ul data-testid="history-registries">
                {registries.into_iter().map(|r| {
                    let href = TimelineQuery { registry: r.clone(), ..TimelineQuery::default() }.page_href(None);
                    view! { <li><a href=href>{r}</a></li> }
                }).collect_view()}
            </ul>
            <p><a href="/compare">"Compare two registries or projects"</a></p>
        </section>
    }
}

#[component]
fn EmptyTimeline(
    last_checked: Option<crate::util::time::Instant>,
    filtered: bool,
    newest: bool,
) -> impl IntoView {
    let checked = last_checked.map(when_text);
    let text = match (checked, filtered, newest) {
        (_, _, false) => "No older changes.".to_string(),
        (None, _, _) => "Nothing recorded yet: the console records a registry's changes from its first read after it starts.".to_string(),
        (Some(t), false, _) => format!("No changes recorded since the console started recording this registry (last compared with it at {t})."),
        (Some(t), true, _) => format!("No recorded change matches these filters (last compared with the registry at {t})."),
    };
    view! {
        <EmptyState title="No changes">
            <p data-testid="history-empty">{text}</p>
        </EmptyState>
    }
}

#[component]
fn Filters(query: TimelineQuery, registries: Vec<String>) -> impl IntoView {
    let (kind, change) = (query.kind.clone(), query.change.clone());
    let date = |v: &str| v.get(..10).unwrap_or(v).to_string();
    let registry = query.registry.clone();
    view! {
        <form class="catalog-filters" method="get" action="/history" role="search" aria-label="Filter the history">
            <label>"Registry"
                <select name="registry">
                    {registries.into_iter().map(|r| {
                        let selected = r == registry;
                        view! { <option value=r.clone() selected=selected>{r.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>"Project"<input name="project" value=query.project.clone()/></label>
            <label>"Kind"
                <select name="kind">
                    <option value="" selected=kind.is_empty()>"Every kind"</option>
                    {ObjectKind::ALL.iter().map(|k| view! {
                        <option value=k.as_str() selected=kind == k.as_str()>{k.plural_label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Name"<input name="name" value=query.name.clone()/></label>
            <label>"Change"
                <select name="change">
                    <option value="" selected=change.is_empty()>"Any change"</option>
                    {ChangeType::ALL.iter().map(|c| view! {
                        <option value=c.as_str() selected=change == c.as_str()>{c.as_str()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Since "<small>"(UTC)"</small><input type="date" name="since" value=date(&query.since)/></label>
            <label>"Until "<small>"(UTC, inclusive)"</small><input type="date" name="until" value=date(&query.until)/></label>
            <button type="submit">"Apply"</button>
            <a href=TimelineQuery { registry: query.registry.clone(), ..TimelineQuery::default() }.page_href(None)>"Clear"</a>
        </form>
    }
}

#[component]
fn Entry(entry: TimelineEntry) -> impl IntoView {
    let change = entry.change.as_str();
    let who = entry.who();
    let audit = entry.audit_id.map(|id| audit_href(&entry, id));
    let reverted = entry.reverts_audit.map(|id| audit_href(&entry, id));
    let project = project_href(&entry.registry, &entry.project);
    view! {
        <li class="history-entry" data-testid="history-entry" id=format!("entry-{}", entry.id)>
            <p class="history-what">
                <time datetime=entry.observed_at.to_rfc3339()>{entry.when()}</time>" · "
                <span class=format!("history-change history-{change}") data-testid="history-change">{change}</span>" "
                <span class="muted kind-label">{entry.kind.as_str()}</span>" "
                <a href=entry.object_href() data-testid="history-object">{entry.name.clone()}</a>
                " in "<a href=project>{entry.project.clone()}</a>
                " · "<a class="small" href=entry.history_href()>"its history"</a>
            </p>
            <p class="history-who muted small">
                "By "
                {match audit {
                    Some(href) => view! { <a href=href data-testid="history-audit">{who}</a> }.into_any(),
                    None => view! { <span data-testid="history-who">{who}</span> }.into_any(),
                }}
                {entry.row_updated.map(|t| view! { " · row updated "{when_text(t)} })}
                {reverted.map(|href| view! {
                    " · "<a class="history-reverted" href=href data-testid="history-reverted">"reverted a console edit"</a>
                })}
            </p>
            <FieldDiff fields=entry.fields/>
        </li>
    }
}
