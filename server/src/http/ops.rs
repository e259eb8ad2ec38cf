//! `/healthz`, `/readyz` and `/metrics`: for probes and Prometheus, not for people.

use axum::{
    extract::State,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::{json, Value};

use crate::state::AppState;

/// The process is alive and serving HTTP.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Ready for traffic: started, not draining, console database reachable. The body lists
/// every check and names what is not ready.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let mut checks = serde_json::Map::new();
    let mut not_ready = Vec::new();

    let starting = !state.lifecycle.is_started();
    checks.insert("started".into(), json!({ "ok": !starting }));
    if starting {
        not_ready.push("starting".to_string());
    }
    let draining = state.lifecycle.is_draining();
    checks.insert("draining".into(), json!({ "ok": !draining }));
    if draining {
        not_ready.push("draining: shutting down".to_string());
    }
    match state.db.ping().await {
        Ok(()) => {
            checks.insert("console_db".into(), json!({ "ok": true }));
        }
        Err(e) => {
            checks.insert(
                "console_db".into(),
                json!({ "ok": false, "error": e.to_string() }),
            );
            not_ready.push(format!("console_db: {e}"));
        }
    }

    // Registries are reported, not gated on: a registry outage must not take every console
    // replica out of the load balancer, and the last good snapshot is still served.
    checks.insert("registries".into(), registry_checks(&state));
    // Reported, not gated on either: a restarted loop is working again.
    checks.insert("task_restarts".into(), json!(state.tasks.restarts()));

    let ready = not_ready.is_empty();
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({ "ready": ready, "not_ready": not_ready, "checks": checks })),
    )
        .into_response()
}

fn registry_checks(state: &AppState) -> Value {
    let now = std::time::SystemTime::now();
    let list: Vec<Value> = state
        .registries
        .handles
        .iter()
        .map(|h| {
            let status = h.status();
            let snapshot = h.snapshot();
            json!({
                "name": h.name,
                "source": h.source,
                "ok": status.last_error.is_none() && snapshot.is_some(),
                "loaded": snapshot.is_some(),
                "age_seconds": h.age(now).map(|a| a.as_secs()),
                "error": status.last_error,
                "consecutive_failures": status.consecutive_failures,
                "projects": snapshot.as_ref().map(|s| s.projects.len()),
                "objects": snapshot.as_ref().map(|s| s.objects.len()),
            })
        })
        .collect();
    Value::Array(list)
}

/// Prometheus text exposition.
pub async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        format!(
            "{}{}{}",
            state.metrics.render(),
            leader_gauge(&state),
            state.tasks.render_metrics()
        ),
    )
        .into_response()
}

/// 1 on the replica that runs the background probes, 0 on the others.
fn leader_gauge(state: &AppState) -> String {
    let leading = state.lease.leadership.is_leader();
    format!(
        "# HELP feast_console_probe_leader 1 when this replica holds the probe lease.\n\
         # TYPE feast_console_probe_leader gauge\n\
         feast_console_probe_leader {}\n",
        u8::from(leading)
    )
}
