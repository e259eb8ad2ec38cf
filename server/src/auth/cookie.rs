//! The console's cookies. The session and login cookies are HttpOnly and SameSite=Lax (the
//! provider's redirect back is a top-level GET, which Lax allows); with `cookie_secure` they
//! are Secure and use the `__Host-` prefix, which browsers pin to this exact origin.

use axum::http::{header, HeaderMap, HeaderValue};

use crate::config::auth::AuthConfig;

pub const SESSION: &str = "fc_session";
/// Binds a login in progress to the browser that started it (login CSRF protection).
pub const LOGIN: &str = "fc_login";
/// Development mode only: which demo user the picker chose. Not a credential.
pub const DEMO_USER: &str = "fc_demo_user";

/// A login attempt has this long to come back from the provider.
pub const LOGIN_MAX_AGE_SECONDS: u64 = 600;

pub fn name(config: &AuthConfig, base: &str) -> String {
    if config.cookie_secure && base != DEMO_USER {
        format!("__Host-{base}")
    } else {
        base.to_string()
    }
}

/// The value of cookie `name` in the request, if any.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A Set-Cookie value. `max_age` None makes a browser-session cookie; Some(0) deletes it.
pub fn set(
    config: &AuthConfig,
    base: &str,
    value: &str,
    max_age: Option<u64>,
) -> Option<HeaderValue> {
    let mut text = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax",
        name(config, base)
    );
    if config.cookie_secure && base != DEMO_USER {
        text.push_str("; Secure");
    }
    if let Some(age) = max_age {
        text.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&text).ok()
}

pub fn clear(config: &AuthConfig, base: &str) -> Option<HeaderValue> {
    set(config, base, "", Some(0))
}
