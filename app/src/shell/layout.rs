//! Page frame: skip link, header, area navigation, main landmark and footer.

use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_location, use_query_map},
};

use super::areas::AREAS;
use super::theme::ThemeToggle;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let session = crate::auth::current_session();
    // One search box for every page, in the header; on /search it starts with the query.
    let search_initial = (use_location().pathname.get_untracked() == "/search")
        .then(|| use_query_map().read_untracked().get("q"))
        .flatten()
        .unwrap_or_default();
    let searchable = session.may_open("/catalog");
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <crate::auth::AuthOffBanner session=session.clone()/>
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"◆"</span>
                <span>"feast-console"</span>
            </a>
            {searchable.then(|| view! { <crate::catalog::pages::SearchBox initial=search_initial/> })}
            <div class="topbar-controls">
                <label class="source-select">
                    <span class="visually-hidden">"Registries shown"</span>
                    <select disabled title="Every page shows all configured registries; choosing one arrives with the catalog pages">
                        <option>"All registries"</option>
                    </select>
                </label>
                <crate::auth::IdentityMenu session=session.clone()/>
                <ThemeToggle/>
            </div>
        </header>
        <div class="frame">
            <AreaNav session/>
            <main id="main" tabindex="-1">{children()}</main>
        </div>
        <footer class="footer">
            <span data-testid="data-age">"Data age: shown beside each registry and cluster source"</span>
            <span>"feast-console " {env!("CARGO_PKG_VERSION")}</span>
        </footer>
    }
}

#[component]
fn AreaNav(session: crate::auth::SessionView) -> impl IntoView {
    let location = use_location();
    // "/" shows the catalog, so Catalog is the current area there too.
    let is_current = move |href: &'static str| {
        let path = location.pathname.get();
        path == href || path.starts_with(&format!("{href}/")) || (href == "/catalog" && path == "/")
    };
    view! {
        <nav class="areas" aria-label="Areas">
            <ul>
                {AREAS
                    .iter()
                    // Only the areas the role may open; the server refuses the others anyway.
                    .filter(|(href, _, _)| session.may_open(href))
                    .map(|(href, label, _)| {
                        let href = *href;
                        view! {
                            <li>
                                <A
                                    href=href
                                    attr:aria-current=move || is_current(href).then_some("page")
                                >
                                    {*label}
                                </A>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}
