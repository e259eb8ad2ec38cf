//! The one gate every request passes: public paths go through; everything else needs a user
//! whose console role reaches the path; state-changing requests must be same-origin POSTs.

use app::util::percent::query_value;
use axum::{
    extract::{Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
    Json,
};
use serde_json::json;

use super::{
    pages,
    policy::{rule_for, Rule},
};
use crate::state::AppState;

pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let https = state.auth.config().public_url.starts_with("https://");
    let mut response = decide(&state, request, next).await;
    if https {
        // Browsers only honour HSTS over TLS; the console sits behind a TLS terminator then.
        response.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            header::HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

async fn decide(state: &AppState, mut request: Request, next: Next) -> Response {
    let auth = &state.auth;
    let path = request.uri().path().to_string();
    let rule = rule_for(&path);
    if rule == Rule::Public {
        return next.run(request).await;
    }
    let is_api = matches!(rule, Rule::Api(_) | Rule::ApiDenied);
    let headers = request.headers();

    // Even with `insecure_no_auth` (which only lets it listen elsewhere, for a port-forward):
    // a request through an Ingress or proxy would otherwise be served as the demo admin.
    if auth.is_dev_mode() {
        if let Err(not_local) = super::origin::request_is_local(headers) {
            return refuse(StatusCode::FORBIDDEN, is_api, &not_local.to_string());
        }
    }
    let method = request.method().clone();
    // With an identity provider, a feed reader's key is checked by the feed itself.
    if !auth.is_dev_mode()
        && matches!(method, Method::GET | Method::HEAD)
        && super::policy::is_keyed_feed(&path, request.uri().query())
    {
        return next.run(request).await;
    }
    if !matches!(method, Method::GET | Method::HEAD) {
        if method != Method::POST {
            return refuse(
                StatusCode::METHOD_NOT_ALLOWED,
                is_api,
                "changes must be POST requests",
            );
        }
        if let Err(reason) = auth.origins().check(headers) {
            return refuse(StatusCode::FORBIDDEN, is_api, &reason.to_string());
        }
    }
    if rule == Rule::SignInAction {
        return next.run(request).await;
    }

    let Some(user) = auth.current_user(headers).await else {
        if is_api || method != Method::GET {
            return refuse(StatusCode::UNAUTHORIZED, true, "not signed in");
        }
        let wanted = request
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let target = format!("/auth/login?return_to={}", query_value(wanted));
        return Redirect::to(&target).into_response();
    };

    let needed = match rule {
        Rule::Page(role) | Rule::Api(role) => role,
        Rule::ApiDenied => {
            return refuse(
                StatusCode::FORBIDDEN,
                true,
                "no server function declares this path",
            )
        }
        // Both returned earlier; kept total without a panic path.
        Rule::Public | Rule::SignInAction => return next.run(request).await,
    };
    if user.view.role.is_none_or(|r| r < needed) {
        if is_api {
            return refuse(
                StatusCode::FORBIDDEN,
                true,
                &format!("this needs the {} console role", needed.name()),
            );
        }
        let username = user
            .view
            .identity
            .as_ref()
            .map(|i| i.username.as_str())
            .unwrap_or("");
        return pages::forbidden(
            username,
            user.view.role.map(|r| r.name()),
            needed.name(),
            user.view.auth_off,
        );
    }
    request.extensions_mut().insert(user.view);
    if let Some(bearer) = user.bearer {
        request.extensions_mut().insert(bearer);
    }
    let mut response = next.run(request).await;
    // Pages show who is signed in: never let a shared cache keep them.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

fn refuse(status: StatusCode, json_body: bool, reason: &str) -> Response {
    if json_body {
        (status, Json(json!({ "error": reason }))).into_response()
    } else {
        let title = if status == StatusCode::FORBIDDEN {
            "Not allowed"
        } else {
            "Request refused"
        };
        pages::page(
            status,
            title,
            &format!("<p role=\"alert\">{}</p>", pages::escape(reason)),
        )
    }
}
