//! The application shell: document, layout, navigation, theme and the route table. The
//! components the areas share are in [`crate::ui`].

mod areas;
mod csp;
mod layout;
mod not_found;
mod routes;
mod theme;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, Lazy, SsrMode,
};

pub use areas::AREAS;
use layout::Layout;
pub use theme::Theme;

use routes::*;

/// Name of the wasm/JS bundle under `/pkg/`; must match `output-name` in Cargo.toml.
pub const OUTPUT_NAME: &str = "feast-console";

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
                    <Route path=path!("/") view={Lazy::<CatalogRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/catalog") view={Lazy::<CatalogRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/catalog/:list") view={Lazy::<CatalogListRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/search") view={Lazy::<CatalogSearchRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/registries/:registry/projects/:project") view={Lazy::<CatalogProjectRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/registries/:registry/projects/:project/:kind/:name") view={Lazy::<CatalogDetailRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/history") view={Lazy::<HistoryRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/compare") view={Lazy::<CompareRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/permissions") view={Lazy::<PermissionsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/permissions/edit") view={Lazy::<PermissionEditorRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/permissions/audit") view={Lazy::<PermissionAuditRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/topology") view={Lazy::<TopologyRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/topology/:namespace/:name") view={Lazy::<FeatureStoreRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/cache") view={Lazy::<CacheRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/cache/:namespace/:name") view={Lazy::<CacheDetailRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/recovery") view={Lazy::<RecoveryRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/recovery/:namespace/:name") view={Lazy::<RecoveryDeploymentRoute>::new()} ssr=SsrMode::Async/>
                </Routes>
            </Layout>
        </Router>
    }
}
