//! The sign-in endpoints: `/auth/login`, `/auth/callback`, `/auth/logout`, `/auth/signed-out`
//! and, in development mode, `/auth/dev/identity` (the demo-user picker).

use std::{collections::HashMap, net::SocketAddr};

use app::auth::{demo::DemoUser, Identity};
use app::backend::error_chain;
use axum::{
    extract::{ConnectInfo, Form, Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Extension, Router,
};

use super::{cookie, oidc::LoginError, pages, random::hash_token, return_to};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/login", get(login))
        .route("/auth/callback", get(callback))
        .route("/auth/logout", post(logout))
        .route("/auth/signed-out", get(signed_out))
        .route("/auth/dev/identity", post(dev_identity))
}

fn with_cookies(
    mut response: Response,
    cookies: impl IntoIterator<Item = Option<header::HeaderValue>>,
) -> Response {
    for value in cookies.into_iter().flatten() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

async fn login(
    State(state): State<AppState>,
    connection: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let return_to = return_to::sanitize(query.get("return_to").map(String::as_str));
    let auth = &state.auth;
    let Some(oidc) = auth.oidc() else {
        // Development mode: everyone is already "signed in" as a demo user.
        return Redirect::to(&return_to).into_response();
    };
    let start = match oidc.start(return_to).await {
        Ok(s) => s,
        Err(e) => {
            let reason = error_chain(&e);
            tracing::error!(error = %reason, "cannot start sign-in");
            return pages::page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Sign-in unavailable",
                &format!("<p role=\"alert\">{}</p>", pages::escape(&reason)),
            );
        }
    };
    let peer = connection.map(|Extension(ConnectInfo(addr))| addr.ip());
    let client = super::client::client_key(peer, &headers, &auth.config().trusted_proxies);
    let cap = auth.config().pending_logins_per_client;
    let login_cookie = match auth
        .sessions()
        .start_login(&start.pending, &client, cap)
        .await
    {
        Ok(Some(token)) => token,
        Ok(None) => {
            tracing::warn!(%client, cap, "too many sign-ins in progress from one client");
            return pages::too_many_sign_ins();
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot record the sign-in");
            return pages::page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Sign-in unavailable",
                "<p>The console database is not available.</p>",
            );
        }
    };
    let set = cookie::set(
        auth.config(),
        cookie::LOGIN,
        &login_cookie,
        Some(cookie::LOGIN_MAX_AGE_SECONDS),
    );
    with_cookies(Redirect::to(&start.url).into_response(), [set])
}

async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let auth = &state.auth;
    let Some(oidc) = auth.oidc() else {
        return pages::page(StatusCode::NOT_FOUND, "Not found", "<p>Sign-in is off.</p>");
    };
    let clear_login = cookie::clear(auth.config(), cookie::LOGIN);
    let fail = |e: LoginError| {
        let reason = error_chain(&e);
        tracing::warn!(%reason, "sign-in refused");
        with_cookies(pages::sign_in_failed(&reason), [clear_login.clone()])
    };

    let pending = match cookie::read(&headers, &cookie::name(auth.config(), cookie::LOGIN)) {
        Some(token) => match auth.sessions().take_login(&token).await {
            Ok(p) => p,
            Err(e) => return fail(LoginError::Unavailable(e.into())),
        },
        None => None,
    };
    let Some(pending) = pending else {
        return fail(LoginError::NoLoginInProgress);
    };
    if let Some(error) = query.get("error") {
        let detail = query
            .get("error_description")
            .map(|d| format!("{error}: {d}"))
            .unwrap_or_else(|| error.clone());
        return fail(LoginError::Provider(detail));
    }
    // RFC 9207: providers that name themselves in the answer must name the configured issuer.
    if let Some(iss) = query.get("iss") {
        if iss.trim_end_matches('/') != oidc.config().issuer_url.trim_end_matches('/') {
            return fail(LoginError::IssuerMismatch(iss.clone()));
        }
    }
    let signed_in = match oidc
        .finish(
            &pending,
            query.get("state").map(String::as_str),
            query.get("code").map(String::as_str),
        )
        .await
    {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let feast_client = oidc.config().feast_client_id.as_deref();
    let identity = match Identity::from_claims(&signed_in.claims, feast_client) {
        Ok(i) => i,
        Err(e) => return fail(LoginError::NoUser(e)),
    };

    // A new id at every sign-in: whatever session this browser had before is ended.
    let session_cookie_name = cookie::name(auth.config(), cookie::SESSION);
    if let Some(old) = cookie::read(&headers, &session_cookie_name) {
        let _ = auth.sessions().delete(&hash_token(&old)).await;
    }
    let token = match auth
        .sessions()
        .create(
            &signed_in.subject,
            &identity.username,
            &signed_in.claims,
            &signed_in.tokens,
        )
        .await
    {
        Ok(t) => t,
        Err(e) => return fail(LoginError::Unavailable(e.into())),
    };
    tracing::info!(user = %identity.username, "signed in");
    let set_session = cookie::set(auth.config(), cookie::SESSION, &token, None);
    with_cookies(
        Redirect::to(&return_to::sanitize(Some(&pending.return_to))).into_response(),
        [set_session, clear_login],
    )
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let auth = &state.auth;
    let Some(oidc) = auth.oidc() else {
        // Development mode: "signing out" goes back to the default demo user.
        let clear = cookie::clear(auth.config(), cookie::DEMO_USER);
        return with_cookies(Redirect::to("/").into_response(), [clear]);
    };
    let name = cookie::name(auth.config(), cookie::SESSION);
    let mut id_token = None;
    if let Some(token) = cookie::read(&headers, &name) {
        if let Ok(Some(session)) = auth.sessions().load(&token).await {
            id_token = session.id_token.clone();
            if let Err(e) = auth.sessions().delete(&session.id_hash).await {
                tracing::error!(error = %e, "cannot delete the session at sign-out");
            }
        }
    }
    let clear = cookie::clear(auth.config(), cookie::SESSION);
    let response = match oidc.end_session_url(id_token.as_deref()).await {
        Some(url) => pages::continue_to(&url),
        None => Redirect::to("/auth/signed-out").into_response(),
    };
    with_cookies(response, [clear])
}

async fn signed_out() -> Response {
    pages::signed_out()
}

async fn dev_identity(
    State(state): State<AppState>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let auth = &state.auth;
    if !auth.is_dev_mode() {
        return pages::page(
            StatusCode::NOT_FOUND,
            "Not found",
            "<p>Demo users exist only in development mode.</p>",
        );
    }
    let Some(user) = form.get("user").and_then(|id| DemoUser::find(id)) else {
        return pages::page(
            StatusCode::BAD_REQUEST,
            "Unknown demo user",
            "<p>Pick one of the listed demo users.</p>",
        );
    };
    let set = cookie::set(auth.config(), cookie::DEMO_USER, user.id, None);
    with_cookies(Redirect::to("/").into_response(), [set])
}
