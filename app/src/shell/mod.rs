//! The application shell: document, layout, navigation, theme and the route table.

mod csp;
mod layout;
mod not_found;
mod theme;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

pub use layout::{EmptyState, Layout, PageHeader};
pub use theme::Theme;

use crate::{
    cache::{CacheDetailPage, CachePage},
    catalog::{
        CatalogDetailPage, CatalogListPage, CatalogPage, CatalogProjectPage, CatalogSearchPage,
    },
    permissions::{PermissionAuditPage, PermissionEditorPage, PermissionsPage},
    recovery::RecoveryPage,
    topology::{FeatureStorePage, TopologyPage},
};

/// Name of the wasm/JS bundle under `/pkg/`; must match `output-name` in Cargo.toml.
pub const OUTPUT_NAME: &str = "feast-console";

/// The five areas, in navigation order: (path, label, one-line purpose).
pub const AREAS: [(&str, &str, &str); 5] = [
    (
        "/catalog",
        "Catalog",
        "Projects, entities, feature views, services and data sources",
    ),
    (
        "/permissions",
        "Permissions",
        "Who may do what, exactly as Feast decides",
    ),
    (
        "/topology",
        "Topology",
        "Feast deployments: Minimal, Standard or Enterprise",
    ),
    (
        "/cache",
        "Registry cache",
        "Registry copies, refresh cost and storm risk",
    ),
    (
        "/recovery",
        "Recovery",
        "RPO and RTO per component, in recovery order",
    ),
];

/// The HTML document the server sends. Hydration scripts carry the bundle's name.
pub fn shell(options: leptos::config::LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.ico"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    theme::provide_theme();
    csp::set_page_policy();
    mark_hydrated();

    view! {
        <theme::ThemeAttribute/>
        <Stylesheet id="main" href=format!("/pkg/{OUTPUT_NAME}.css")/>
        <Title formatter=|page: String| {
            if page.is_empty() { "feast-console".to_string() } else { format!("{page} · feast-console") }
        }/>
        <Router>
            <Layout>
                <Routes fallback=not_found::NotFound>
                    // Catalog pages render whole on the server (no streaming), so they work without JavaScript.
                    <Route path=path!("/") view=CatalogPage ssr=SsrMode::Async/>
                    <Route path=path!("/catalog") view=CatalogPage ssr=SsrMode::Async/>
                    <Route path=path!("/catalog/:list") view=CatalogListPage ssr=SsrMode::Async/>
                    <Route path=path!("/search") view=CatalogSearchPage ssr=SsrMode::Async/>
                    <Route path=path!("/registries/:registry/projects/:project") view=CatalogProjectPage ssr=SsrMode::Async/>
                    <Route path=path!("/registries/:registry/projects/:project/:kind/:name") view=CatalogDetailPage ssr=SsrMode::Async/>
                    <Route path=path!("/permissions") view=PermissionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/permissions/edit") view=PermissionEditorPage ssr=SsrMode::Async/>
                    <Route path=path!("/permissions/audit") view=PermissionAuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/topology") view=TopologyPage ssr=SsrMode::Async/>
                    <Route path=path!("/topology/:namespace/:name") view=FeatureStorePage ssr=SsrMode::Async/>
                    <Route path=path!("/cache") view=CachePage ssr=SsrMode::Async/>
                    <Route path=path!("/cache/:namespace/:name") view=CacheDetailPage ssr=SsrMode::Async/>
                    <Route path=path!("/recovery") view=RecoveryPage ssr=SsrMode::Async/>
                    <Route path=path!("/recovery/:namespace/:name") view=crate::recovery::RecoveryDeploymentPage ssr=SsrMode::Async/>
                </Routes>
            </Layout>
        </Router>
    }
}

/// Marks `<body data-hydrated="true">` once the wasm has taken over; effects never run on the
/// server, so the attribute proves hydration (the browser tests wait for it).
fn mark_hydrated() {
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}
