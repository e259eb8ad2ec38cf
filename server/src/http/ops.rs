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
    let agreement = state.cross_check.figures();
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
                // REST registries: sampled visibility decisions Feast's server was asked about.
                "visibility_cross_check": agreement.get(&h.name).map(|a| json!({
                    "summary": format!("agrees with Feast: {} of {}", a.agreed, a.compared),
                    "agreed": a.agreed,
                    "compared": a.compared,
                    "errors": a.errors,
                })),
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
            "{}{}{}{}",
            state.metrics.render(),
            leader_gauge(&state),
            state.tasks.render_metrics(),
            visibility_metrics(&state)
        ),
    )
        .into_response()
}

/// The visibility cache's size, and how the cross-checks with Feast came out.
fn visibility_metrics(state: &AppState) -> String {
    let cache = state.visibility_cache.figures();
    let mut out = format!(
        "# HELP feast_console_visibility_cache_bytes Memory held by visibility decisions.\n\
         # TYPE feast_console_visibility_cache_bytes gauge\n\
         feast_console_visibility_cache_bytes {}\n\
         # HELP feast_console_visibility_cache_decisions Visibility decisions kept (snapshot x identity).\n\
         # TYPE feast_console_visibility_cache_decisions gauge\n\
         feast_console_visibility_cache_decisions {}\n\
         # HELP feast_console_visibility_cross_checks_total Visibility decisions compared with Feast's registry server.\n\
         # TYPE feast_console_visibility_cross_checks_total counter\n",
        cache.bytes, cache.decisions
    );
    let mut figures: Vec<_> = state.cross_check.figures().into_iter().collect();
    figures.sort_by(|a, b| a.0.cmp(&b.0));
    for (registry, a) in figures {
        let registry = super::metrics::escape(&registry);
        for (result, n) in [
            ("agreed", a.agreed),
            ("disagreed", a.compared - a.agreed),
            ("error", a.errors),
        ] {
            out.push_str(&format!(
                "feast_console_visibility_cross_checks_total{{registry=\"{registry}\",result=\"{result}\"}} {n}\n"
            ));
        }
    }
    out
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
