//! Reading the claims of a token the console already trusts (an ID token whose signature was
//! checked, or an access token received directly from the token endpoint over TLS).

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::{Map, Value};

/// The JSON payload of a compact JWT, without checking anything; None if it is not one.
pub fn jwt_payload(token: &str) -> Option<Map<String, Value>> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// The claims the identity is computed from: the ID token's, overlaid with the access token's
/// when that is a JWT (Keycloak's is). Feast reads the access token, so its values win.
pub fn identity_claims(id_token: Option<&str>, access_token: Option<&str>) -> Value {
    let mut claims = id_token.and_then(jwt_payload).unwrap_or_default();
    if let Some(access) = access_token.and_then(jwt_payload) {
        claims.extend(access);
    }
    Value::Object(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        format!(
            "eyJhbGciOiJub25lIn0.{}.sig",
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn access_token_claims_win() {
        let id = jwt(r#"{"sub":"s","preferred_username":"alice","groups":["a"]}"#);
        let access =
            jwt(r#"{"sub":"s","groups":["b"],"resource_access":{"feast":{"roles":["r"]}}}"#);
        let claims = identity_claims(Some(&id), Some(&access));
        assert_eq!(claims["preferred_username"], "alice");
        assert_eq!(claims["groups"][0], "b");
        assert_eq!(claims["resource_access"]["feast"]["roles"][0], "r");
    }

    #[test]
    fn opaque_access_tokens_and_garbage_are_ignored() {
        let id = jwt(r#"{"sub":"s"}"#);
        assert_eq!(identity_claims(Some(&id), Some("opaque-token"))["sub"], "s");
        assert!(jwt_payload("a.!!!.c").is_none());
        assert!(jwt_payload("a.b").is_none());
        assert!(jwt_payload(&jwt("[1]")).is_none());
    }
}
