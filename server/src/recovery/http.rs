//! `/recovery/export.csv` and `/recovery/export.json`: the latest report for spreadsheets and
//! scripts. Under `/recovery/`, so the guard asks for the sre role as for the page.

use std::sync::Arc;

use axum::{
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

use app::recovery::report::{to_csv, to_json};

use super::runner::RecoveryRunner;
use crate::state::AppState;

async fn export(runner: &RecoveryRunner, csv: bool) -> Response {
    let state = runner.state().await;
    let Some(data) = state.ready() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5")],
            format!("{}\n", state.waiting_text()),
        )
            .into_response();
    };
    let (body, mime, name) = if csv {
        (
            to_csv(&data.report),
            "text/csv; charset=utf-8",
            "recovery.csv",
        )
    } else {
        (to_json(&data.report), "application/json", "recovery.json")
    };
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

pub fn routes(runner: Arc<RecoveryRunner>) -> Router<AppState> {
    let csv = runner.clone();
    Router::new()
        .route(
            "/recovery/export.csv",
            get(move || async move { export(&csv, true).await }),
        )
        .route(
            "/recovery/export.json",
            get(move || async move { export(&runner, false).await }),
        )
}
