//! ID and access tokens through the real claim reader (`auth::oidc::jwt_payload`, the claims
//! merge) and the identity Feast would see (`app::auth::Identity::from_claims`); cookies and
//! the sign-in return path from request headers. Tokens are JWT-shaped: three dot-separated
//! parts whose payload is base64url JSON with hostile claims (wrong types, deep nesting,
//! multi-byte names), or near-misses of that shape.

use app::auth::Identity;
use axum::http::{header, HeaderMap, HeaderValue};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use proptest::prelude::*;
use serde_json::{json, Value};
use server::auth::{cookie, oidc::jwt_payload, return_to};

use crate::support::{fuzz, hostile_text, mutate_text, text_mutations};

fn claim_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        hostile_text().prop_map(Value::String),
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    prop::sample::select(&["roles", "feast", "console", "x"][..])
                        .prop_map(str::to_string),
                    hostile_text(),
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn claims() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(
        prop_oneof![
            3 => prop::sample::select(&[
                "sub", "preferred_username", "upn", "azp", "appid", "groups", "roles",
                "resource_access", "realm_access", "email", "exp", "nonce",
            ][..]).prop_map(str::to_string),
            1 => hostile_text(),
        ],
        claim_value(),
        0..8,
    )
    .prop_map(|m| Value::Object(m.into_iter().collect()))
}

/// A compact JWT around `claims`, or a mutation of one (wrong part count, bad base64, padding).
fn token() -> impl Strategy<Value = String> {
    (claims(), text_mutations(), 0usize..300).prop_map(|(claims, changes, depth)| {
        let mut claims = claims;
        if depth > 0 {
            let mut deep = json!("r");
            for _ in 0..depth {
                deep = json!([deep]);
            }
            claims["groups"] = deep;
        }
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let jwt = format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln");
        mutate_text(&jwt, &changes)
    })
}

#[test]
fn id_and_access_tokens() {
    let strategy = (
        token(),
        prop::option::of(token()),
        prop::option::of(hostile_text()),
    );
    fuzz("tokens", strategy, |(id_token, access_token, client_id)| {
        let _ = jwt_payload(&id_token);
        let mut claims = jwt_payload(&id_token).unwrap_or_default();
        if let Some(access) = access_token.as_deref().and_then(jwt_payload) {
            claims.extend(access);
        }
        let claims = Value::Object(claims);
        let _ = Identity::from_claims(&claims, client_id.as_deref());
    });
}

#[test]
fn cookies_and_return_paths() {
    let strategy = (
        prop::collection::vec(hostile_text(), 0..4),
        prop::option::of(hostile_text()),
    );
    fuzz("cookies", strategy, |(cookie_headers, return_to_path)| {
        let mut headers = HeaderMap::new();
        for value in &cookie_headers {
            if let Ok(v) = HeaderValue::from_bytes(value.as_bytes()) {
                headers.append(header::COOKIE, v);
            }
        }
        for name in [cookie::SESSION, cookie::LOGIN, cookie::DEMO_USER] {
            let _ = cookie::read(&headers, name);
        }
        let path = return_to::sanitize(return_to_path.as_deref());
        assert!(path.starts_with('/'));
    });
}
