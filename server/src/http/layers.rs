//! tower-http layers every response passes through: request ids, tracing, metrics,
//! compression, a request timeout, a request body limit, panic recovery and baseline security
//! headers.

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};

use axum::{
    extract::{MatchedPath, Request, State},
    http::{header, HeaderName, HeaderValue, StatusCode},
    middleware::{self, Next},
    response::Response,
    Router,
};
use futures::StreamExt;
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
    request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

use crate::state::AppState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Pages set their own CSP with a per-response nonce; everything else gets this one.
pub const DEFAULT_CSP: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Request ids: a per-process random prefix and a counter, unless the caller sent one.
#[derive(Clone)]
struct SequentialRequestId {
    prefix: u32,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl MakeRequestId for SequentialRequestId {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{:08x}-{n}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

fn process_prefix() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    nanos ^ std::process::id().rotate_left(16)
}

pub fn apply(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    let timeout = Duration::from_secs(state.config.request_timeout_seconds);
    let headers = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_CSP),
        ));

    let outer = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID, SequentialRequestId { prefix: process_prefix() }))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    let id = request
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", id, method = %request.method(), path = %request.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(CatchPanicLayer::new())
        .layer(middleware::from_fn_with_state(state.clone(), track_request))
        .layer(headers)
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        // Inside the timeout: a body sent slowly counts against the request's time.
        .layer(middleware::from_fn_with_state(
            BodyLimit(state.config.request_body_kib as usize * 1024),
            limit_body,
        ));

    router.layer(outer)
}

/// The largest request body read, in bytes (`request_body_kib`).
#[derive(Clone, Copy)]
struct BodyLimit(usize);

/// Middleware: every request body is read here, up to the limit, before any handler sees it
/// (Leptos server functions read theirs whole, with no limit of their own). A body declared
/// larger is refused without reading it; one that turns out larger (chunked) is refused when
/// it crosses the limit. Either way the answer is 413 with the limit in words.
async fn limit_body(
    State(BodyLimit(limit)): State<BodyLimit>,
    request: Request,
    next: Next,
) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return too_large(limit);
    }
    // No handler reads the body of a GET; left unread, it is never buffered.
    if declared == Some(0) || request.method() == axum::http::Method::GET {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let mut stream = body.into_data_stream();
    let mut read = Vec::new();
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(chunk) if read.len() + chunk.len() > limit => return too_large(limit),
            Ok(chunk) => read.extend_from_slice(&chunk),
            Err(e) => {
                return plain(
                    StatusCode::BAD_REQUEST,
                    format!("the request body could not be read: {e}"),
                )
            }
        }
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(read)))
        .await
}

fn too_large(limit: usize) -> Response {
    plain(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the request body is larger than {} KiB, the most this console reads (request_body_kib)",
            limit / 1024
        ),
    )
}

fn plain(status: StatusCode, text: String) -> Response {
    let mut response = Response::new(axum::body::Body::from(text));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// Middleware recording every request under its route template. Both labels are bounded: the
/// route is the router's template (a finite set), "/pkg/*" or "unmatched", never the raw path;
/// `HttpMetrics::record` turns a method it does not know into "OTHER".
async fn track_request(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = match request.extensions().get::<MatchedPath>() {
        Some(p) => p.as_str().to_string(),
        None if request.uri().path().starts_with("/pkg/") => "/pkg/*".to_string(),
        None => "unmatched".to_string(),
    };
    let response = next.run(request).await;
    state.metrics.record(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}
