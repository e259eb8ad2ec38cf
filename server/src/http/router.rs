use std::sync::{Arc, OnceLock};

use axum::{routing::get, Router};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};

use app::catalog::api::{CatalogBackend, VisibilitySource};
use app::history::api::HistoryBackend;
use app::recovery::RecoveryBackend;
use app::{shell, App};

use super::{layers, ops};
use crate::state::AppState;

/// The pages' routes, listed once per process. Leptos lists them by running the app with a
/// process-global flag set that makes every resource first polled meanwhile, by any render in
/// the process, wait forever (leptos_server's `SuppressResourceLoad`, leptos-rs/leptos#4773).
/// Listed anew for every router, a router built while pages render (each test builds one; a
/// second listener would) stalled those renders until the request timeout: the hang seen when
/// many tests shared a process. Listed once, before the first router serves, no render can
/// overlap it.
fn app_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole application: pages (SSR + hydration), static site files, operations endpoints,
/// wrapped in the tower-http layers. Built from the state; starts nothing (the background work
/// runs from `build_state`). Tests drive this same router.
pub fn router(state: AppState) -> Router {
    let routes = app_routes();
    let leptos_options = state.leptos.clone();
    let context_state = state.clone();
    let diagram_cache = || {
        crate::topology::svg::SvgRenderer::with_limit(
            state.config.diagram_cache_mib as usize * 1024 * 1024,
        )
    };
    let catalog = crate::catalog::backend::CatalogService::with_limits(
        state.registries.clone(),
        state.cpu.clone(),
        diagram_cache(),
    );
    let catalog_backend: Arc<dyn CatalogBackend> = catalog.clone();
    let visibility: Arc<dyn VisibilitySource> =
        Arc::new(crate::catalog::routes::visibility_of(&state));
    let topology = crate::topology::backend::SnapshotTopology::new(
        state.topology.source.clone(),
        state.topology.handle.clone(),
    )
    .with_limits(state.cpu.clone(), diagram_cache())
    .into_backend();
    let permissions = crate::permissions::backend::ServerPermissions::new(
        state.registries.clone(),
        state.db.clone(),
    )
    .with_demo(state.demo.clone())
    .with_cpu(state.cpu.clone(), state.compiled_permissions.clone())
    .into_backend();
    let cache = crate::cache::backend::CacheHealth::from_state(&state).into_backend();
    let recovery: Arc<dyn RecoveryBackend> = state.recovery.clone();
    let permission_downloads = crate::permissions::http::routes(permissions.clone());
    let history = crate::history::backend::HistoryService::new(
        state.db.clone(),
        state.registries.clone(),
        Arc::new(crate::catalog::routes::visibility_of(&state)),
        state
            .auth
            .config()
            .oidc
            .as_ref()
            .map(|o| crate::history::feed_key::FeedKeys::new(&o.client_secret)),
    );
    let history_backend: Arc<dyn HistoryBackend> = history.clone();
    let pages = Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(context_state.clone());
                provide_context(catalog_backend.clone());
                provide_context(visibility.clone());
                provide_context(topology.clone());
                provide_context(recovery.clone());
                provide_context(cache.clone());
                provide_context(permissions.clone());
                provide_context(history_backend.clone());
                leptos::nonce::provide_nonce();
            },
            move || shell(leptos_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        // Inside the guard: a request is authorised before any cached page can answer it.
        .layer(axum::middleware::from_fn_with_state(
            super::page_cache::PageCacheLayer {
                cache: state.page_cache.clone(),
                registries: state.registries.clone(),
            },
            super::page_cache::serve,
        ));

    // The full answers are on the ops port (`ops::ops_router`); here only what a load
    // balancer or `scripts/start.sh --check` needs.
    let ops = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::ready_only))
        .route("/metrics", get(ops::metrics_moved));

    // Every route, the fallback included, passes the authorization guard.
    let guarded = ops
        .merge(crate::auth::routes::routes())
        .merge(crate::recovery::http::routes(state.recovery.clone()))
        .merge(crate::catalog::routes::routes(catalog))
        .merge(permission_downloads)
        .merge(crate::history::http::routes(history))
        .merge(pages)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::guard::guard,
        ));
    layers::apply(guarded, &state).with_state(state)
}
