//! The pieces the catalog pages share: breadcrumbs, the registry's stale-data banner, and the
//! problem notice.

use leptos::prelude::*;

use crate::catalog::detail::RegistryState;
use crate::util::time::human_duration;

/// `Catalog › registry › project › name`; the last crumb is the current page.
#[component]
pub fn Breadcrumbs(crumbs: Vec<(String, String)>) -> impl IntoView {
    let last = crumbs.len().saturating_sub(1);
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <ol>
                {crumbs
                    .into_iter()
                    .enumerate()
                    .map(|(i, (label, href))| {
                        if i == last {
                            view! { <li><span aria-current="page">{label}</span></li> }.into_any()
                        } else {
                            view! { <li><a href=href>{label}</a></li> }.into_any()
                        }
                    })
                    .collect_view()}
            </ol>
        </nav>
    }
}

/// The snapshot's age, and a warning when it is old or the last refresh failed.
#[component]
pub fn RegistryBanner(state: RegistryState) -> impl IntoView {
    let age = state
        .age_seconds
        .map(|a| format!("read {} ago", human_duration(a)))
        .unwrap_or_else(|| "not read yet".into());
    let stale = state.is_stale();
    view! {
        <p class="muted" data-testid="snapshot-age">"Registry "<code>{state.name.clone()}</code>" · "{age.clone()}</p>
        {stale.then(|| view! {
            <p class="catalog-stale" role="status">
                "This data may be out of date: the registry snapshot was "{age}"."
                {state.error.clone().map(|e| view! { " Last refresh failed: "{e}" Showing the last good read." })}
            </p>
        })}
    }
}

/// An error or "not found" panel with a way back.
#[component]
pub fn CatalogProblem(title: String, message: String) -> impl IntoView {
    view! {
        <section class="empty-state" role="alert">
            <h2>{title}</h2>
            <p>{message}</p>
            <p><a href="/catalog">"Back to the catalog"</a>" · "<a href="/search">"Search"</a></p>
        </section>
    }
}

/// Said once on a page when objects were hidden because the console could not decide whether
/// Feast would let the reader describe them (it fails closed).
#[component]
pub fn UndecidedNote(count: usize) -> impl IntoView {
    (count > 0).then(|| {
        let objects = if count == 1 { "object is" } else { "objects are" };
        view! {
            <p class="catalog-stale" role="status" data-testid="undecided-note">
                {format!("{count} {objects} hidden: the console cannot tell whether Feast would let you see them (a permission it cannot read, or a name pattern it cannot evaluate). Ask a platform admin to check the permissions.")}
            </p>
        }
    })
}

/// Names the registries whose first read has not finished, so an empty page is not taken
/// for an empty registry.
#[component]
pub fn LoadingNote(loading: Vec<String>) -> impl IntoView {
    crate::catalog::loading::loading_note(&loading).map(|note| {
        view! { <p class="catalog-stale" role="status" data-testid="loading-note">{note}</p> }
    })
}

/// Answers the page with 404 (for scripts and crawlers; people read the explanation). A hidden
/// object or project answers exactly as a missing one.
pub fn answer_not_found() {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
}
