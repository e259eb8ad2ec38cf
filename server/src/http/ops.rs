//! `/healthz`, `/readyz` and `/metrics`: for probes and Prometheus, not for people. The full
//! answers (registry sources, error texts, counts) are served on the ops port (`ops_listen`,
//! [`ops_router`]), which the Ingress does not route; the main port answers `/healthz` and a
//! bare `{"ready": bool}` on `/readyz`, so anyone who reaches the console learns nothing more.

use axum::{
    extract::State,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde_json::{json, Value};

use crate::state::AppState;

/// The ops port's router: the full `/readyz`, `/metrics`, `/healthz`. No sign-in: the port is
/// for the kubelet and Prometheus (deploy/ lets only those reach it).
pub fn ops_router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(state)
}

/// The process is alive and serving HTTP.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The main port's `/readyz`: whether this replica is ready, and nothing else.
pub async fn ready_only(State(state): State<AppState>) -> Response {
    let (ready, _) = readiness(&state).await;
    (status_of(ready), Json(json!({ "ready": ready }))).into_response()
}

/// The main port's `/metrics`: moved, said plainly.
pub async fn metrics_moved() -> Response {
    (
        StatusCode::NOT_FOUND,
        "metrics are served on the ops port (ops_listen), not here\n",
    )
        .into_response()
}

/// Ready for traffic: started, not draining, console database reachable, and every registry's
/// first read finished (within `registry_ready_seconds`). The body lists every check and
/// names what is not ready.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let (ready, body) = readiness(&state).await;
    (status_of(ready), Json(body)).into_response()
}

fn status_of(ready: bool) -> StatusCode {
    if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    }
}

async fn readiness(state: &AppState) -> (bool, Value) {
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

    // A replica that has not read its registries yet would answer with empty catalogs: it
    // waits for each first read (success or failure), within the limit.
    let limit = std::time::Duration::from_secs(state.config.registry_ready_seconds);
    let waiting = state.registries.awaiting_first_read(limit);
    checks.insert(
        "registries_first_read".into(),
        json!({ "ok": waiting.is_empty(), "waiting_for": waiting, "limit_seconds": limit.as_secs() }),
    );
    for name in &waiting {
        not_ready.push(format!("registry {name}: first read not finished"));
    }
    // After the first read, registries are reported, not gated on: a registry outage must not
    // take every console replica out of the load balancer, and the last good snapshot is
    // still served.
    checks.insert("registries".into(), registry_checks(state));
    // Reported, not gated on either: a restarted loop is working again.
    checks.insert("task_restarts".into(), json!(state.tasks.restarts()));

    let ready = not_ready.is_empty();
    (
        ready,
        json!({ "ready": ready, "not_ready": not_ready, "checks": checks }),
    )
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
                "first_read_done": h.first_read_done(),
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
            "{}{}{}{}{}",
            state.metrics.render(),
            leader_gauge(&state),
            state.tasks.render_metrics(),
            visibility_metrics(&state),
            registry_metrics(&state)
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

/// Per registry, its current snapshot's size and how long the read that made it took (the first
/// full load, until a refresh finds a change): what sizing the pod and the scale benchmark read.
fn registry_metrics(state: &AppState) -> String {
    let mut out = String::from(
        "# HELP feast_console_registry_load_seconds How long the read that made the registry's current snapshot took (a full load, or a refresh that re-read changed rows).\n\
         # TYPE feast_console_registry_load_seconds gauge\n",
    );
    let mut objects = String::from(
        "# HELP feast_console_registry_objects Objects in the registry's current snapshot.\n\
         # TYPE feast_console_registry_objects gauge\n",
    );
    for h in &state.registries.handles {
        if let Some(snapshot) = h.snapshot() {
            let registry = super::metrics::escape(&h.name);
            out.push_str(&format!(
                "feast_console_registry_load_seconds{{registry=\"{registry}\"}} {:.6}\n",
                snapshot.load_duration.as_secs_f64()
            ));
            objects.push_str(&format!(
                "feast_console_registry_objects{{registry=\"{registry}\"}} {}\n",
                snapshot.objects.len()
            ));
        }
    }
    out + &objects
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
