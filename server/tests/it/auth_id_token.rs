//! ID token checks, against a scripted provider the test controls (discovery, JWKS and a token
//! endpoint served in-process): forged signature, expired, wrong nonce, wrong audience, wrong
//! issuer, unknown key id, `alg: none` are each refused with a clear error page and no
//! session; a rotated key is picked up by refetching the key set. Keys come from node's
//! crypto (the tests fail without node, like the real-provider tests).

use crate::auth_support;
use crate::common;

use std::sync::{Arc, Mutex};

use axum::{
    extract::State,
    routing::{get, post},
    Json, Router,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use openidconnect::{
    core::{CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey},
    JsonWebKeyId, PrivateSigningKey,
};
use serde_json::{json, Value};

use auth_support::{
    browser::{session_cookie_set, Browser},
    location, query_param,
};
use common::{Backend, TestApp};

#[derive(Default)]
struct Script {
    published: Vec<Value>,
    next_id_token: String,
    jwks_fetches: usize,
}

type Shared = Arc<Mutex<Script>>;

struct FakeProvider {
    issuer: String,
    script: Shared,
}

async fn start_fake() -> FakeProvider {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let script: Shared = Default::default();
    let discovery = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    });
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(move || async move { Json(discovery) }))
        .route("/jwks", get(|State(s): State<Shared>| async move {
            let mut s = s.lock().unwrap();
            s.jwks_fetches += 1;
            Json(json!({ "keys": s.published }))
        }))
        .route("/token", post(|State(s): State<Shared>| async move {
            let id_token = s.lock().unwrap().next_id_token.clone();
            Json(json!({ "access_token": "opaque-access", "token_type": "Bearer", "expires_in": 300, "id_token": id_token }))
        }))
        .with_state(script.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    FakeProvider { issuer, script }
}

/// RSA keys from node's crypto (PKCS#1 PEM). The test fails without node.
#[track_caller]
fn rsa_pem() -> String {
    common::required_program("node", "scripts/setup.sh installs it");
    let out = std::process::Command::new("node")
        .args(["-e", "const {generateKeyPairSync}=require('crypto');\
                      process.stdout.write(generateKeyPairSync('rsa',{modulusLength:2048}).privateKey.export({type:'pkcs1',format:'pem'}))"])
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "node could not make an RSA key: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn key(pem: &str, kid: &str) -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new(kid.into()))).unwrap()
}

fn public_jwk(key: &CoreRsaPrivateSigningKey) -> Value {
    serde_json::to_value(key.as_verification_key()).unwrap()
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

/// A compact JWS with these claims, signed by `key` and naming `kid` in its header.
fn sign(key: &CoreRsaPrivateSigningKey, kid: &str, claims: &Value) -> String {
    let input = format!(
        "{}.{}",
        b64(&json!({"alg": "RS256", "typ": "JWT", "kid": kid})),
        b64(claims)
    );
    let signature = key
        .sign(
            &CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            input.as_bytes(),
        )
        .unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn claims(issuer: &str, nonce: &str) -> Value {
    json!({
        "iss": issuer, "aud": "feast-console", "sub": "user-1", "iat": now(), "exp": now() + 300,
        "nonce": nonce, "preferred_username": "mallory",
        "resource_access": {"feast-console": {"roles": ["console-admin"]}}
    })
}

/// Starts a login, lets `make_token` build the ID token for its nonce, completes the callback.
async fn callback_with(
    app: &TestApp,
    fake: &FakeProvider,
    make_token: impl FnOnce(&str) -> String,
) -> common::TestResponse {
    let mut browser = Browser::new();
    let start = browser.console(app, "GET", "/auth/login").await;
    assert_eq!(start.status, 303, "{}", start.body);
    let url = location(&start.headers);
    let state = query_param(&url, "state").unwrap();
    let nonce = query_param(&url, "nonce").unwrap();
    assert!(
        query_param(&url, "code_challenge").is_some()
            && query_param(&url, "code_challenge_method").as_deref() == Some("S256")
    );
    fake.script.lock().unwrap().next_id_token = make_token(&nonce);
    browser
        .console(
            app,
            "GET",
            &format!("/auth/callback?code=any&state={state}"),
        )
        .await
}

async fn assert_refused(app: &TestApp, r: &common::TestResponse, reason: &str) {
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("Sign-in failed"), "{}", r.body);
    assert!(r.body.contains(reason), "expected `{reason}` in {}", r.body);
    assert!(session_cookie_set(r).is_none(), "no session cookie");
    assert_eq!(
        app.state.auth.sessions().count().await.unwrap(),
        0,
        "no session stored"
    );
}

#[tokio::test]
async fn id_tokens_are_checked() {
    let (pem_a, pem_b) = (rsa_pem(), rsa_pem());
    let fake = start_fake().await;
    let k1 = key(&pem_a, "k1");
    fake.script.lock().unwrap().published = vec![public_jwk(&k1)];
    let app = auth_support::console_for(&fake.issuer, Backend::Sqlite).await;
    let iss = fake.issuer.clone();

    // Forged: another key, claiming to be k1.
    let forger = key(&pem_b, "k1");
    let r = callback_with(&app, &fake, |n| sign(&forger, "k1", &claims(&iss, n))).await;
    assert_refused(&app, &r, "signature is not valid").await;

    let r = callback_with(&app, &fake, |n| {
        let mut c = claims(&iss, n);
        c["exp"] = json!(now() - 600);
        c["iat"] = json!(now() - 900);
        sign(&k1, "k1", &c)
    })
    .await;
    assert_refused(&app, &r, "it has expired").await;

    let r = callback_with(&app, &fake, |_| {
        sign(&k1, "k1", &claims(&iss, "a-nonce-from-another-login"))
    })
    .await;
    assert_refused(&app, &r, "nonce does not match").await;

    let r = callback_with(&app, &fake, |n| {
        let mut c = claims(&iss, n);
        c["aud"] = json!("some-other-client");
        sign(&k1, "k1", &c)
    })
    .await;
    assert_refused(&app, &r, "issued for another client").await;

    let r = callback_with(&app, &fake, |n| {
        sign(&k1, "k1", &claims("https://impostor.example", n))
    })
    .await;
    assert_refused(&app, &r, "issued by someone else").await;

    let r = callback_with(&app, &fake, |n| {
        format!(
            "{}.{}.",
            b64(&json!({"alg": "none"})),
            b64(&claims(&iss, n))
        )
    })
    .await;
    assert_refused(&app, &r, "ID token was refused").await;

    // Unknown key id: the console refetches the key set once, then refuses.
    let fetches = fake.script.lock().unwrap().jwks_fetches;
    let stranger = key(&pem_b, "k9");
    let r = callback_with(&app, &fake, |n| sign(&stranger, "k9", &claims(&iss, n))).await;
    assert_refused(&app, &r, "a key the identity provider does not publish").await;
    assert_eq!(
        fake.script.lock().unwrap().jwks_fetches,
        fetches + 1,
        "one refetch for an unknown kid"
    );

    // A valid token signs in.
    let r = callback_with(&app, &fake, |n| sign(&k1, "k1", &claims(&iss, n))).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(session_cookie_set(&r).is_some());
    assert_eq!(app.state.auth.sessions().count().await.unwrap(), 1);

    // Key rotation: the provider now publishes k2 and signs with it; the console picks it up.
    let k2 = key(&pem_b, "k2");
    fake.script.lock().unwrap().published.push(public_jwk(&k2));
    let r = callback_with(&app, &fake, |n| sign(&k2, "k2", &claims(&iss, n))).await;
    assert_eq!(r.status, 303, "rotated key accepted: {}", r.body);
    assert_eq!(app.state.auth.sessions().count().await.unwrap(), 2);
}

#[tokio::test]
async fn a_second_sign_in_rotates_the_session_id() {
    let pem = rsa_pem();
    let fake = start_fake().await;
    let k1 = key(&pem, "k1");
    fake.script.lock().unwrap().published = vec![public_jwk(&k1)];
    let app = auth_support::console_for(&fake.issuer, Backend::Sqlite).await;
    let iss = fake.issuer.clone();

    let mut browser = Browser::new();
    for round in 0..2 {
        let start = browser.console(&app, "GET", "/auth/login").await;
        let url = location(&start.headers);
        let (state, nonce) = (
            query_param(&url, "state").unwrap(),
            query_param(&url, "nonce").unwrap(),
        );
        fake.script.lock().unwrap().next_id_token = sign(&k1, "k1", &claims(&iss, &nonce));
        let session_id = |b: &Browser| {
            b.cookies
                .iter()
                .find(|(k, _)| k == "fc_session")
                .map(|(_, v)| v.clone())
        };
        let before = session_id(&browser);
        let r = browser
            .console(&app, "GET", &format!("/auth/callback?code=c&state={state}"))
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let after = session_id(&browser);
        assert!(after.is_some());
        if round == 1 {
            assert!(before.is_some());
            assert_ne!(before, after, "a new session id at every sign-in");
        }
        // The earlier session is ended, not left alive next to the new one.
        assert_eq!(app.state.auth.sessions().count().await.unwrap(), 1);
    }
}
