//! Small server-rendered pages of the sign-in flow (errors, 403, signed out). Plain HTML with
//! the site stylesheet and no script, so they work whatever state the app is in.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Response},
};

use app::auth::demo::DEMO_USERS;

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{t} · feast-console</title>\
         <link rel=\"stylesheet\" href=\"/pkg/{css}.css\"></head><body><main id=\"main\" class=\"auth-page\">\
         <h1>{t}</h1>{body}</main></body></html>",
        t = escape(title),
        css = app::shell::OUTPUT_NAME,
    )
}

pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let mut response = (status, Html(document(title, body))).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A refused sign-in: what happened, and a way to start again.
pub fn sign_in_failed(reason: &str) -> Response {
    let body = format!(
        "<p role=\"alert\" data-testid=\"auth-error\">Sign-in failed: {}.</p>\
         <p>You are not signed in. <a href=\"/auth/login\">Sign in again</a></p>",
        escape(reason)
    );
    page(StatusCode::BAD_REQUEST, "Sign-in failed", &body)
}

/// Signed in, but the role does not reach this page.
pub fn forbidden(username: &str, role: Option<&str>, needed: &str, dev_mode: bool) -> Response {
    let has = role
        .map(|r| format!("the {r} console role"))
        .unwrap_or_else(|| "no console role".into());
    let mut body = format!(
        "<p role=\"alert\">You are signed in as <strong>{}</strong> with {}; this page needs the {} role.</p>\
         <p><a href=\"/\">Go to the start page</a></p>",
        escape(username),
        escape(&has),
        escape(needed)
    );
    body.push_str(&if dev_mode {
        demo_picker()
    } else {
        sign_out_form()
    });
    page(StatusCode::FORBIDDEN, "Not allowed", &body)
}

pub fn sign_out_form() -> String {
    "<form method=\"post\" action=\"/auth/logout\"><button type=\"submit\">Sign out</button></form>"
        .into()
}

/// The demo-user switch, so a demo user without access can switch back.
pub fn demo_picker() -> String {
    let options: String = DEMO_USERS
        .iter()
        .map(|u| {
            format!(
                "<option value=\"{}\">{}</option>",
                escape(u.id),
                escape(&u.label())
            )
        })
        .collect();
    format!(
        "<form method=\"post\" action=\"/auth/dev/identity\"><label>Demo user <select name=\"user\">{options}</select></label> \
         <button type=\"submit\">Switch user</button></form>"
    )
}

/// After sign-out, continue to the provider's logout. A page rather than a redirect: the
/// sign-out form's CSP (`form-action 'self'`) would block a redirect to another origin.
pub fn continue_to(url: &str) -> Response {
    let body = format!(
        "<p>You are signed out of the console. Ending the session at the identity provider…</p>\
         <p><a href=\"{}\" data-testid=\"continue-logout\">Continue</a></p>",
        escape(url)
    );
    let mut response = page(StatusCode::OK, "Signing out", &body);
    if let Ok(refresh) = HeaderValue::from_str(&format!("0; url={url}")) {
        response.headers_mut().insert("refresh", refresh);
    }
    response
}

/// One client holds `pending_logins_per_client` sign-ins in progress: a page that says so,
/// with when to try again (the oldest expires within the login lifetime).
pub fn too_many_sign_ins() -> Response {
    let body = format!(
        "<p role=\"alert\" data-testid=\"too-many-sign-ins\">Too many sign-ins are in progress from your address.</p>\
         <p>Finish one at the identity provider, or try again in {} minutes. <a href=\"/auth/login\">Sign in</a></p>",
        super::cookie::LOGIN_MAX_AGE_SECONDS / 60
    );
    let mut response = page(StatusCode::TOO_MANY_REQUESTS, "Too many sign-ins", &body);
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from(super::cookie::LOGIN_MAX_AGE_SECONDS),
    );
    response
}

pub fn signed_out() -> Response {
    page(
        StatusCode::OK,
        "Signed out",
        "<p data-testid=\"signed-out\">You are signed out.</p><p><a href=\"/auth/login\">Sign in</a></p>",
    )
}
