//! `/search?q=`: the catalog search, grouped by kind. The box is a GET form (works without
//! JavaScript); once hydrated it also answers as you type, is focused by `/` or Ctrl/Cmd+K,
//! and its suggestions are walked with the arrow keys.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::parts::{Breadcrumbs, CatalogProblem};
use crate::catalog::api::catalog_search;
use crate::catalog::query::detail_href;
use crate::catalog::search::{SearchHit, SearchResults};

fn hit_href(h: &SearchHit) -> String {
    detail_href(&h.registry, &h.project, h.kind, &h.name)
}

/// The search form, with live suggestions once hydrated.
#[component]
pub fn SearchBox(#[prop(optional, into)] initial: String) -> impl IntoView {
    let active = RwSignal::new(None::<usize>);
    let input = NodeRef::<leptos::html::Input>::new();
    // Suggestions come from input events, which only happen in the browser; no resource, so
    // the server renders the plain form and no Suspense waits on the box.
    let flat = RwSignal::new(Vec::<SearchHit>::new());
    let sequence = StoredValue::new(0u64);
    let on_input = move |e: leptos::ev::Event| {
        let text = event_target_value(&e);
        active.set(None);
        let n = sequence.get_value() + 1;
        sequence.set_value(n);
        if text.trim().chars().count() < 2 {
            flat.set(Vec::new());
            return;
        }
        leptos::task::spawn_local(async move {
            if let Ok(results) = catalog_search(text).await {
                // A slower answer to an older keystroke must not replace a newer one.
                if sequence.get_value() == n {
                    flat.set(
                        results
                            .groups
                            .into_iter()
                            .flat_map(|g| g.hits)
                            .take(12)
                            .collect(),
                    );
                }
            }
        });
    };
    let shortcut = window_event_listener(leptos::ev::keydown, move |e| {
        let typing = e
            .target()
            .and_then(|t| {
                use wasm_bindgen::JsCast;
                t.dyn_into::<web_sys::Element>().ok()
            })
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        let slash = e.key() == "/" && !typing;
        let ctrl_k = (e.ctrl_key() || e.meta_key()) && e.key().eq_ignore_ascii_case("k");
        if slash || ctrl_k {
            if let Some(el) = input.get_untracked() {
                e.prevent_default();
                let _ = el.focus();
            }
        }
    });
    on_cleanup(move || shortcut.remove());
    let navigate = use_navigate();
    let on_key = move |e: leptos::ev::KeyboardEvent| {
        let n = flat.with_untracked(Vec::len);
        match e.key().as_str() {
            "ArrowDown" if n > 0 => {
                e.prevent_default();
                active.update(|a| *a = Some(a.map_or(0, |i| (i + 1).min(n - 1))));
            }
            "ArrowUp" if n > 0 => {
                e.prevent_default();
                active.update(|a| *a = a.and_then(|i| i.checked_sub(1)));
            }
            "Escape" => active.set(None),
            "Enter" => {
                if let Some(hit) = active
                    .get_untracked()
                    .and_then(|i| flat.with_untracked(|f| f.get(i).cloned()))
                {
                    e.prevent_default();
                    navigate(&hit_href(&hit), Default::default());
                }
            }
            _ => {}
        }
    };
    view! {
        <form class="catalog-search" method="get" action="/search" role="search">
            <label for="catalog-search-input" class="visually-hidden">"Search the catalog"</label>
            <input
                id="catalog-search-input"
                name="q"
                type="search"
                autocomplete="off"
                placeholder="Search names, tags, owners, features…  (press / )"
                aria-keyshortcuts="/ Control+K Meta+K"
                aria-controls="catalog-suggestions"
                aria-activedescendant=move || active.get().map(|i| format!("catalog-suggestion-{i}"))
                node_ref=input
                value=initial
                on:input=on_input
                on:keydown=on_key
            />
            <button type="submit">"Search"</button>
            <ul id="catalog-suggestions" class="catalog-suggestions" role="listbox" aria-label="Suggestions">
                {move || flat.get().into_iter().enumerate().map(|(i, h)| {
                    let selected = move || active.get() == Some(i);
                    view! {
                        <li id=format!("catalog-suggestion-{i}") role="option" aria-selected=move || selected().to_string()
                            class:active=selected>
                            <a href=hit_href(&h)>{h.name.clone()}</a>
                            " "<small class="muted">{format!("{} · {}", h.kind.as_str(), h.project)}</small>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </form>
    }
}

#[component]
pub fn CatalogSearchPage() -> impl IntoView {
    let query_map = use_query_map();
    let q = Memo::new(move |_| query_map.read().get("q").unwrap_or_default());
    let results = crate::ui::page_resource(
        move || q.get(),
        |text| async move {
            if text.trim().is_empty() {
                Ok(SearchResults::default())
            } else {
                catalog_search(text).await
            }
        },
    );
    view! {
        <leptos_meta::Title text="Search"/>
        <Breadcrumbs crumbs=vec![("Catalog".into(), "/catalog".into()), ("Search".into(), String::new())]/>
        <div class="page-header"><h1>"Search"</h1>
            <p class="lead">"Names, descriptions, tags, owners and feature names across every registry. Narrow with "
                <code>"tag:team=ranking"</code>", "<code>"owner:"</code>", "<code>"kind:feature_view"</code>", "<code>"project:"</code>"."</p>
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Searching…"</p> }>
            {move || Suspend::new(async move {
                let text = q.get_untracked();
                match results.await {
                    Err(e) => view! { <CatalogProblem title="Search failed".to_string() message=crate::ui::error_text(&e)/> }.into_any(),
                    Ok(_) if text.trim().is_empty() => view! { <p class="muted">"Type a name, a word or a field filter."</p> }.into_any(),
                    Ok(r) if r.total == 0 && !r.loading.is_empty() => view! {
                        <super::parts::LoadingNote loading=r.loading/>
                    }.into_any(),
                    Ok(r) if r.total == 0 => view! {
                        <p role="status" data-testid="search-count">{format!("Nothing matches “{text}”.")}</p>
                    }.into_any(),
                    Ok(r) => view! { <Results results=r/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Results(results: SearchResults) -> impl IntoView {
    view! {
        <super::parts::LoadingNote loading=results.loading.clone()/>
        <super::parts::UndecidedNote count=results.undecided/>
        <p role="status" data-testid="search-count">{format!("{} result(s)", results.total)}</p>
        {results.groups.into_iter().map(|g| {
            let more = g.total.saturating_sub(g.hits.len());
            view! {
                <section class="search-group" aria-label=g.kind.plural_label()>
                    <h2>{format!("{} ({})", g.kind.plural_label(), g.total)}</h2>
                    <ul class="search-hits">
                        {g.hits.into_iter().map(|h| view! {
                            <li>
                                <a href=hit_href(&h)>{h.name.clone()}</a>
                                " "<small class="muted">{format!("{} · {} · {:?} match", h.project, h.registry, h.tier).to_lowercase()}</small>
                                {(!h.description.is_empty()).then(|| view! { <div class="muted small">{h.description.clone()}</div> })}
                            </li>
                        }).collect_view()}
                    </ul>
                    {(more > 0).then(|| view! { <p class="muted">{format!("{more} more: narrow the search with a field filter.")}</p> })}
                </section>
            }
        }).collect_view()}
    }
}
