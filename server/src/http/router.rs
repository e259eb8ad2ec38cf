use axum::{routing::get, Router};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};

use app::{shell, App};

use super::{layers, ops};
use crate::AppState;

/// The whole application: pages (SSR + hydration), static site files, operations endpoints,
/// wrapped in the tower-http layers. Tests drive this same router.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let leptos_options = state.leptos.clone();
    let context_state = state.clone();
    let overview = crate::catalog::overview::provider(state.registries.clone());
    let topology = crate::topology::provider::SnapshotTopology::from_manifests(
        &crate::topology::demo::manifest_paths(&state.config.manifests),
    )
    .into_provider();
    let pages = Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(context_state.clone());
                provide_context(overview.clone());
                provide_context(topology.clone());
                leptos::nonce::provide_nonce();
            },
            move || shell(leptos_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell));

    let ops = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics));

    // Every route, the fallback included, passes the authorization guard.
    let guarded = ops.merge(crate::auth::routes::routes()).merge(pages).layer(
        axum::middleware::from_fn_with_state(state.clone(), crate::auth::guard::guard),
    );
    layers::apply(guarded, &state).with_state(state)
}
