//! Feed links that chat and mail tools can read: `/history/{registry}.atom?key=KEY`.
//!
//! A feed reader cannot sign in through the identity provider, so the timeline page gives each
//! signed-in person a link with a key: the person's identity and console role (what decides
//! what they may see), the feed's registry and project, and an expiry, signed with HMAC-SHA256.
//! The signing secret is derived from the console's OIDC client secret, which every replica
//! shares: no new setting, and rotating the client secret ends every link. The feed read with a
//! key shows what the person could see when the link was made, until it expires
//! ([`FEED_KEY_DAYS`] days). Without an identity provider (development mode, loopback only) feeds
//! need no key.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use app::auth::identity::Identity;
use app::auth::roles::ConsoleRole;
use app::auth::SessionView;
use app::history::feed::FEED_KEY_DAYS;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::config::auth::Secret;

/// Longer keys are refused before any decoding (an identity with many roles fits well within).
const MAX_KEY_BYTES: usize = 8 * 1024;
/// Separates the feed keys' MAC from any other use of the client secret.
const CONTEXT: &[u8] = b"feast-console history feed key v1\0";

/// What a key carries.
#[derive(Serialize, Deserialize)]
struct Claims {
    identity: Identity,
    role: ConsoleRole,
    registry: String,
    /// Empty for the registry's feed.
    project: String,
    /// Unix seconds.
    expires: u64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FeedKeyError {
    #[error("this feed key is not one the console made (or its OIDC client secret changed since)")]
    Forged,
    #[error("this feed key expired; open the history page for a new feed link")]
    Expired,
    #[error("this feed key is for another feed")]
    OtherFeed,
}

/// Issues and checks feed keys. `Debug` shows no secret.
#[derive(Clone, Debug)]
pub struct FeedKeys {
    secret: Secret,
}

type HmacSha256 = Hmac<Sha256>;

fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl FeedKeys {
    pub fn new(client_secret: &Secret) -> FeedKeys {
        FeedKeys {
            secret: client_secret.clone(),
        }
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC takes keys of any length.
        let mut mac = HmacSha256::new_from_slice(self.secret.expose().as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(CONTEXT);
        mac
    }

    /// A key for `session`'s view of the feed of `registry` (and `project`), or None when the
    /// session has no identity or role.
    pub fn issue(
        &self,
        session: &SessionView,
        registry: &str,
        project: Option<&str>,
        now: SystemTime,
    ) -> Option<String> {
        let claims = Claims {
            identity: session.identity.clone()?,
            role: session.role?,
            registry: registry.to_string(),
            project: project.unwrap_or_default().to_string(),
            expires: unix_seconds(now + Duration::from_secs(FEED_KEY_DAYS * 86_400)),
        };
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).ok()?);
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        Some(format!("{payload}.{signature}"))
    }

    /// The session a key stands for, if it is genuine, current and for this feed.
    pub fn verify(
        &self,
        key: &str,
        registry: &str,
        project: Option<&str>,
        now: SystemTime,
    ) -> Result<SessionView, FeedKeyError> {
        if key.len() > MAX_KEY_BYTES {
            return Err(FeedKeyError::Forged);
        }
        let (payload, signature) = key.split_once('.').ok_or(FeedKeyError::Forged)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| FeedKeyError::Forged)?;
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        // Constant-time comparison.
        mac.verify_slice(&signature)
            .map_err(|_| FeedKeyError::Forged)?;
        let claims: Claims = URL_SAFE_NO_PAD
            .decode(payload)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or(FeedKeyError::Forged)?;
        if claims.expires <= unix_seconds(now) {
            return Err(FeedKeyError::Expired);
        }
        if claims.registry != registry || claims.project != project.unwrap_or_default() {
            return Err(FeedKeyError::OtherFeed);
        }
        Ok(SessionView {
            auth_off: false,
            identity: Some(claims.identity),
            role: Some(claims.role),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> SessionView {
        SessionView {
            auth_off: false,
            identity: Some(Identity {
                username: "rita".into(),
                feast_roles: vec!["ranking-reader".into()],
                ..Identity::default()
            }),
            role: Some(ConsoleRole::Viewer),
        }
    }

    fn keys(secret: &str) -> FeedKeys {
        FeedKeys::new(&Secret::new(secret))
    }

    #[test]
    fn a_key_stands_for_its_person_and_feed_until_it_expires() {
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let k = keys("s3cret");
        let key = k.issue(&session(), "prod", Some("shop"), now).unwrap();
        assert_eq!(k.verify(&key, "prod", Some("shop"), now), Ok(session()));
        let later = now + Duration::from_secs(FEED_KEY_DAYS * 86_400 - 1);
        assert!(k.verify(&key, "prod", Some("shop"), later).is_ok());
        let expired = now + Duration::from_secs(FEED_KEY_DAYS * 86_400);
        assert_eq!(
            k.verify(&key, "prod", Some("shop"), expired),
            Err(FeedKeyError::Expired)
        );
        assert_eq!(
            k.verify(&key, "prod", None, now),
            Err(FeedKeyError::OtherFeed)
        );
        assert_eq!(
            k.verify(&key, "staging", Some("shop"), now),
            Err(FeedKeyError::OtherFeed)
        );
    }

    #[test]
    fn forged_changed_or_foreign_keys_are_refused() {
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let key = keys("s3cret").issue(&session(), "prod", None, now).unwrap();
        assert_eq!(
            keys("rotated").verify(&key, "prod", None, now),
            Err(FeedKeyError::Forged),
            "another client secret"
        );
        // A payload made admin with the old signature.
        let (payload, signature) = key.split_once('.').unwrap();
        let mut claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        claims["role"] = serde_json::json!("Admin");
        let tampered = format!(
            "{}.{signature}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap())
        );
        let k = keys("s3cret");
        for bad in [
            tampered.as_str(),
            "",
            ".",
            "no-dot",
            "a.b",
            &"x".repeat(MAX_KEY_BYTES + 1),
        ] {
            assert_eq!(
                k.verify(bad, "prod", None, now),
                Err(FeedKeyError::Forged),
                "{bad:.40}"
            );
        }
        assert!(format!("{k:?}").contains("***") && !format!("{k:?}").contains("s3cret"));
    }

    #[test]
    fn no_identity_no_key() {
        let anonymous = SessionView::default();
        assert_eq!(
            keys("s").issue(&anonymous, "prod", None, SystemTime::now()),
            None
        );
    }
}
