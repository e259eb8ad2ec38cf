//! The history's downloads: `GET /history.csv` and `/history.json` (a timeline filter's
//! entries, the same query parameters as `/history`, at most `MAX_EXPORT_ROWS`), and the Atom
//! feeds `/history/{registry}.atom` and `/history/{registry}/{project}.atom` (the newest 50).
//! Same sign-in and visibility as the pages: the guard lets a viewer's session (cookie) through
//! and each handler checks the role again, as server functions do. A feed may instead be read
//! with a feed key (`?key=`, `feed_key.rs`), for feed readers that cannot sign in.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::{
    extract::{Path, Query, Request, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

use app::auth::SessionView;
use app::backend::BackendError;
use app::history::api::HistoryBackend;
use app::history::export::{history_csv, history_json, MAX_EXPORT_ROWS};
use app::history::feed::{atom, FeedLinks, FEED_ENTRIES};
use app::history::timeline::{feed_href, TimelinePage, TimelineQuery};
use app::util::time::Instant;

use super::backend::HistoryService;
use crate::catalog::routes::viewer_session;
use crate::state::AppState;

pub const CSV_PATH: &str = "/history.csv";
pub const JSON_PATH: &str = "/history.json";

pub fn routes(history: Arc<HistoryService>) -> Router<AppState> {
    let (json, feed, project_feed) = (history.clone(), history.clone(), history.clone());
    Router::new()
        .route(
            CSV_PATH,
            get(
                move |Query(pairs): Query<Vec<(String, String)>>, request: Request| async move {
                    export(&history, &pairs, &request.into_parts().0, false).await
                },
            ),
        )
        .route(
            JSON_PATH,
            get(
                move |Query(pairs): Query<Vec<(String, String)>>, request: Request| async move {
                    export(&json, &pairs, &request.into_parts().0, true).await
                },
            ),
        )
        .route(
            "/history/{file}",
            get(
                move |State(state): State<AppState>,
                      Path(file): Path<String>,
                      Query(pairs): Query<Vec<(String, String)>>,
                      request: Request| async move {
                    let parts = request.into_parts().0;
                    match file.strip_suffix(".atom") {
                        Some(registry) => {
                            let key = feed_key_of(&pairs);
                            atom_feed(&state, &feed, (registry, None), key, &parts).await
                        }
                        None => not_found(),
                    }
                },
            ),
        )
        .route(
            "/history/{registry}/{file}",
            get(
                move |State(state): State<AppState>,
                      Path((registry, file)): Path<(String, String)>,
                      Query(pairs): Query<Vec<(String, String)>>,
                      request: Request| async move {
                    let parts = request.into_parts().0;
                    match file.strip_suffix(".atom") {
                        Some(project) => {
                            let (feed, key) =
                                ((registry.as_str(), Some(project)), feed_key_of(&pairs));
                            atom_feed(&state, &project_feed, feed, key, &parts).await
                        }
                        None => not_found(),
                    }
                },
            ),
        )
}

/// The `key` query parameter of a feed request.
fn feed_key_of(pairs: &[(String, String)]) -> Option<&str> {
    pairs
        .iter()
        .find(|(k, _)| k == "key")
        .map(|(_, v)| v.as_str())
}

/// Whom a feed request stands for: the holder of its key, else the signed-in viewer.
fn feed_reader(
    history: &HistoryService,
    (registry, project): (&str, Option<&str>),
    key: Option<&str>,
    request: &axum::http::request::Parts,
) -> Result<SessionView, Response> {
    match (key, history.feed_keys()) {
        (Some(key), Some(keys)) => keys
            .verify(key, registry, project, SystemTime::now())
            .map_err(|e| (StatusCode::FORBIDDEN, e.to_string()).into_response()),
        _ => viewer_session(request),
    }
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "no such feed").into_response()
}

fn refused(error: BackendError) -> Response {
    let status = match error {
        BackendError::Invalid(_) => StatusCode::BAD_REQUEST,
        BackendError::Conflict(_) => StatusCode::CONFLICT,
        BackendError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
    };
    (status, error.to_string()).into_response()
}

/// A file name part from a registry name: letters, digits, `-` and `_` only.
fn file_part(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

async fn export(
    history: &HistoryService,
    pairs: &[(String, String)],
    request: &axum::http::request::Parts,
    json: bool,
) -> Response {
    let session = match viewer_session(request) {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    let query = TimelineQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    if query.registry.is_empty() {
        return (StatusCode::BAD_REQUEST, "choose a registry: ?registry=NAME").into_response();
    }
    let page = match history.timeline(&query, MAX_EXPORT_ROWS, &session).await {
        Ok(page) => page,
        Err(e) => return refused(e),
    };
    let truncated = page.next_before.is_some();
    let name = format!("history-{}", file_part(&query.registry));
    let (mime, ext, body) = if json {
        match history_json(&page.entries, truncated) {
            Ok(text) => ("application/json", "json", text),
            Err(e) => {
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("cannot write JSON: {e}"),
                )
                    .into_response()
            }
        }
    } else {
        (
            "text/csv; charset=utf-8",
            "csv",
            history_csv(&page.entries, truncated),
        )
    };
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.{ext}\""),
            ),
        ],
        body,
    )
        .into_response()
}

async fn atom_feed(
    state: &AppState,
    history: &HistoryService,
    (registry, project): (&str, Option<&str>),
    key: Option<&str>,
    request: &axum::http::request::Parts,
) -> Response {
    let session = match feed_reader(history, (registry, project), key, request) {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    let query = TimelineQuery {
        registry: registry.to_string(),
        project: project.unwrap_or_default().to_string(),
        ..TimelineQuery::default()
    };
    let page: TimelinePage = match history.timeline(&query, FEED_ENTRIES, &session).await {
        Ok(page) => page,
        // An unknown registry is a missing feed.
        Err(BackendError::Invalid(_)) => return not_found(),
        Err(e) => return refused(e),
    };
    let base = state
        .auth
        .config()
        .public_url
        .trim_end_matches('/')
        .to_string();
    let title = match project {
        Some(p) => format!("Changes in {registry} / {p}"),
        None => format!("Changes in {registry}"),
    };
    let links = FeedLinks {
        title,
        // A feed read with a key names itself with that key, so a reader's updates keep working.
        self_url: format!(
            "{base}{}{}",
            feed_href(registry, project),
            key.map(|k| format!("?key={k}")).unwrap_or_default()
        ),
        page_url: format!("{base}{}", query.page_href(None)),
        base,
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let updated = page.last_checked.unwrap_or(Instant {
        seconds: now,
        nanos: 0,
    });
    (
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        atom(&links, &page.entries, updated),
    )
        .into_response()
}
