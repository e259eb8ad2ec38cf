//! `GET /catalog/export.csv` and `/catalog/export.json`: any catalog list, filters applied,
//! every page. The same query parameters as the list pages, plus `list=` (the list slug).

use std::sync::Arc;

use app::auth::{ConsoleRole, SessionView};
use app::catalog::query::{filtered, ListQuery};
use axum::{
    extract::{Query, Request, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

use super::{backend::CatalogService, export, visibility::CatalogVisibility};
use crate::state::AppState;

/// The state's visibility rules, registries and shared cache: the pages (through the router)
/// and the exports decide with the same one.
pub fn visibility_of(state: &AppState) -> CatalogVisibility {
    CatalogVisibility::new(
        state.config.catalog_visibility,
        state.config.catalog_visibility_admins,
        state.registries.clone(),
        state.visibility_cache.clone(),
        state.cross_check.clone(),
    )
}

pub const CSV_PATH: &str = "/catalog/export.csv";
pub const JSON_PATH: &str = "/catalog/export.json";

pub fn routes(catalog: Arc<CatalogService>) -> Router<AppState> {
    let json = catalog.clone();
    Router::new()
        .route(
            CSV_PATH,
            get(
                move |State(state): State<AppState>,
                      Query(pairs): Query<Vec<(String, String)>>,
                      request: Request| async move {
                    let (parts, _) = request.into_parts();
                    export_list(&state, &catalog, &pairs, &parts, false).await
                },
            ),
        )
        .route(
            JSON_PATH,
            get(
                move |State(state): State<AppState>,
                      Query(pairs): Query<Vec<(String, String)>>,
                      request: Request| async move {
                    let (parts, _) = request.into_parts();
                    export_list(&state, &json, &pairs, &parts, true).await
                },
            ),
        )
}

/// The caller of a download route, who must have the viewer console role. The guard already
/// checked the page role; checked again here, as server functions do.
pub(crate) fn viewer_session(
    request: &axum::http::request::Parts,
) -> Result<SessionView, Response> {
    request
        .extensions
        .get::<SessionView>()
        .filter(|s| s.identity.is_some() && s.role.is_some_and(|r| r >= ConsoleRole::Viewer))
        .cloned()
        .ok_or_else(|| {
            (StatusCode::FORBIDDEN, "this needs the viewer console role").into_response()
        })
}

async fn export_list(
    state: &AppState,
    catalog: &CatalogService,
    pairs: &[(String, String)],
    request: &axum::http::request::Parts,
    json: bool,
) -> Response {
    let session = match viewer_session(request) {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    let query = ListQuery::from_pairs("", pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    // The same visibility as the pages.
    let visibility = visibility_of(state).for_session(&session);
    let snapshots = catalog.snapshots();
    let rows = match filtered(snapshots.objects(), &query, &visibility) {
        Ok(rows) => rows,
        Err(e) => return (StatusCode::BAD_REQUEST, e).into_response(),
    };
    let pairs = rows.iter().map(|s| (s.registry, s.object));
    let list = if query.list.is_empty() {
        "catalog"
    } else {
        query.list.as_str()
    };
    if json {
        match export::list_json(pairs) {
            Ok(text) => (
                [
                    (header::CONTENT_TYPE, "application/json".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{list}.json\""),
                    ),
                ],
                text,
            )
                .into_response(),
            Err(e) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("cannot write JSON: {e}"),
            )
                .into_response(),
        }
    } else {
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{list}.csv\""),
                ),
            ],
            export::list_csv(pairs),
        )
            .into_response()
    }
}
