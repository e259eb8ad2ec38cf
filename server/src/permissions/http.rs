//! `GET /permissions/matrix.csv`: the whole access matrix of the page's query as a download,
//! so the page itself does not carry it (#20).

use std::sync::Arc;

use axum::extract::{Query, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use app::auth::ConsoleRole;
use app::catalog::query::{EveryObject, Visibility};
use app::permissions::api::PermissionsBackend;
use app::permissions::page_model::csv::matrix_csv;
use app::permissions::page_model::ViewQuery;

use crate::state::AppState;

pub const MATRIX_CSV_PATH: &str = "/permissions/matrix.csv";

pub fn routes(permissions: Arc<dyn PermissionsBackend>) -> Router<AppState> {
    Router::new().route(
        MATRIX_CSV_PATH,
        get(
            move |State(state): State<AppState>,
                  Query(pairs): Query<Vec<(String, String)>>,
                  request: Request| async move {
                let (parts, _) = request.into_parts();
                matrix_download(&state, permissions.as_ref(), &pairs, &parts).await
            },
        ),
    )
}

/// The page's query from its query string (unknown keys ignored).
fn view_query(pairs: &[(String, String)]) -> ViewQuery {
    let mut query = ViewQuery::default();
    for (k, v) in pairs {
        let field = match k.as_str() {
            "registry" => &mut query.registry,
            "project" => &mut query.project,
            "principals" => &mut query.principals,
            "who" => &mut query.who,
            "type" => &mut query.r#type,
            "action" => &mut query.action,
            "object" => &mut query.object,
            _ => continue,
        };
        *field = v.clone();
    }
    query
}

async fn matrix_download(
    state: &AppState,
    permissions: &dyn PermissionsBackend,
    pairs: &[(String, String)],
    request: &axum::http::request::Parts,
) -> Response {
    let session = match crate::catalog::routes::viewer_session(request) {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    // The same objects as the page (`permissions_view`), decided as the catalog's exports do.
    let visibility: Box<dyn Visibility> = if session.role >= Some(ConsoleRole::Admin) {
        Box::new(EveryObject)
    } else {
        Box::new(crate::catalog::routes::visibility_of(state).for_session(&session))
    };
    let query = view_query(pairs);
    match permissions.project_view(&query, visibility.as_ref()).await {
        Ok(Some(view)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"permissions-matrix.csv\"",
                ),
            ],
            matrix_csv(&view.matrix),
        )
            .into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "no such registry or project").into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response(),
    }
}
