//! Sign-in and authorization. Every request passes the guard ([`guard::guard`]), which finds
//! the user (a server-side session, or the demo user in development mode) and applies the
//! rules of [`policy`]; pages and server functions can check again with `app::auth::require`.

pub mod client;
pub mod cookie;
pub mod guard;
pub mod oidc;
pub mod origin;
pub mod pages;
pub mod policy;
pub mod random;
pub mod return_to;
pub mod routes;
pub mod session;

use std::{collections::HashMap, sync::Arc};

use app::auth::{demo::DemoUser, Identity, SessionView};
use axum::http::HeaderMap;

use crate::clock::unix_now;
use crate::{config::auth::AuthConfig, config::Config, db::ConsoleDb};
use oidc::{LoginError, Oidc};
use origin::Origins;
use session::{Session, SessionStore};

/// The signed-in user's access token, for forwarding to Feast's REST registry server so
/// Feast's own checks apply. Server-side only: never rendered or serialized.
#[derive(Clone)]
pub struct FeastBearer(pub crate::config::auth::Secret);

/// The user of one request, as the guard found them.
pub struct RequestUser {
    pub view: SessionView,
    pub bearer: Option<FeastBearer>,
}

#[derive(Clone)]
pub struct Auth(Arc<Inner>);

struct Inner {
    config: AuthConfig,
    sessions: SessionStore,
    oidc: Option<Oidc>,
    origins: Origins,
    /// One refresh at a time per session: with rotating refresh tokens, two parallel requests
    /// refreshing with the same token would look like token theft to the provider.
    refreshing: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Auth {
    pub fn new(config: &Config, db: ConsoleDb) -> Result<Auth, oidc::OidcSetupError> {
        let auth = &config.auth;
        let oidc = match &auth.oidc {
            Some(o) => Some(Oidc::new(
                o.clone(),
                &auth.public_url,
                &auth.redirect_url(),
            )?),
            None => None,
        };
        Ok(Auth(Arc::new(Inner {
            sessions: SessionStore::new(db, auth.session_idle, auth.session_absolute),
            origins: Origins::new(&auth.public_url, config.listen),
            config: auth.clone(),
            oidc,
            refreshing: Default::default(),
        })))
    }

    pub fn config(&self) -> &AuthConfig {
        &self.0.config
    }
    pub fn sessions(&self) -> &SessionStore {
        &self.0.sessions
    }
    pub fn oidc(&self) -> Option<&Oidc> {
        self.0.oidc.as_ref()
    }
    pub fn origins(&self) -> &Origins {
        &self.0.origins
    }
    /// No identity provider: demo users, loopback only (unless `insecure_no_auth`).
    pub fn is_dev_mode(&self) -> bool {
        self.0.oidc.is_none()
    }

    /// The user behind a request, or None when anonymous. With an identity provider, this
    /// loads the session (idle clock touched) and refreshes an expired access token.
    pub async fn current_user(&self, headers: &HeaderMap) -> Option<RequestUser> {
        let Some(oidc) = self.oidc() else {
            let demo = cookie::read(headers, cookie::DEMO_USER)
                .and_then(|id| DemoUser::find(&id))
                .unwrap_or_else(DemoUser::default_user);
            let view = SessionView {
                auth_off: true,
                identity: Some(demo.identity()),
                role: demo.role,
            };
            return Some(RequestUser { view, bearer: None });
        };
        let token = cookie::read(headers, &cookie::name(self.config(), cookie::SESSION))?;
        let session = match self.sessions().load(&token).await {
            Ok(s) => s?,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the session store; treating the request as anonymous");
                return None;
            }
        };
        let session = if refresh_due(&session) {
            self.refresh_serialized(oidc, &token).await?
        } else {
            session
        };
        self.user_of(&session)
    }

    /// Refreshes under the session's lock; whoever waited finds the work done on reload.
    async fn refresh_serialized(&self, oidc: &Oidc, token: &str) -> Option<Session> {
        let id_hash = random::hash_token(token);
        let lock = {
            let mut map = self.0.refreshing.lock().unwrap_or_else(|p| p.into_inner());
            map.entry(id_hash.clone()).or_default().clone()
        };
        let result = {
            let _held = lock.lock().await;
            match self.sessions().load(token).await {
                Ok(Some(fresh)) if refresh_due(&fresh) => self.refresh(oidc, fresh).await,
                Ok(fresh) => fresh,
                Err(e) => {
                    tracing::error!(error = %e, "cannot read the session store");
                    None
                }
            }
        };
        let mut map = self.0.refreshing.lock().unwrap_or_else(|p| p.into_inner());
        if Arc::strong_count(&lock) <= 2 {
            map.remove(&id_hash);
        }
        result
    }

    fn user_of(&self, session: &Session) -> Option<RequestUser> {
        let claims = session.claims();
        let feast_client = self
            .config()
            .oidc
            .as_ref()
            .and_then(|o| o.feast_client_id.as_deref());
        let console_client = self
            .config()
            .oidc
            .as_ref()
            .map(|o| o.client_id.as_str())
            .unwrap_or_default();
        let identity = Identity::from_claims(&claims, feast_client).ok()?;
        let role =
            self.config()
                .role_mapping
                .role_for(&claims, console_client, &identity.feast_roles);
        let bearer = session
            .access_token
            .clone()
            .map(|t| FeastBearer(crate::config::auth::Secret::new(t)));
        Some(RequestUser {
            view: SessionView {
                auth_off: false,
                identity: Some(identity),
                role,
            },
            bearer,
        })
    }

    /// Refreshes a session whose access token is about to expire. A refused refresh (the
    /// provider ended the user's session) ends the console session too; an unreachable
    /// provider keeps it until the access token's expiry plus `idp_outage_grace_seconds`, then
    /// ends it: the provider may have ended the user's session meanwhile, and the console
    /// cannot ask.
    async fn refresh(&self, oidc: &Oidc, session: Session) -> Option<Session> {
        let Some(refresh_token) = session.refresh_token.clone() else {
            return Some(session);
        };
        match oidc.refresh(&refresh_token).await {
            Ok(signed_in) => {
                if !signed_in.subject.is_empty() && signed_in.subject != session.subject {
                    tracing::warn!("refresh returned another subject; ending the session");
                    let _ = self.sessions().delete(&session.id_hash).await;
                    return None;
                }
                let claims = if signed_in.claims.as_object().is_some_and(|m| !m.is_empty()) {
                    signed_in.claims
                } else {
                    session.claims()
                };
                if let Err(e) = self
                    .sessions()
                    .update_tokens(&session.id_hash, &claims, &signed_in.tokens)
                    .await
                {
                    tracing::error!(error = %e, "cannot store refreshed tokens");
                }
                let mut updated = session;
                updated.claims = claims.to_string();
                updated.access_token = signed_in.tokens.access_token;
                updated.access_expires_at = signed_in.tokens.access_expires_at;
                if signed_in.tokens.refresh_token.is_some() {
                    updated.refresh_token = signed_in.tokens.refresh_token;
                }
                Some(updated)
            }
            Err(LoginError::Unavailable(reason)) => {
                let reason = app::backend::error_chain(&*reason);
                if outage_grace_over(&session, self.config().idp_outage_grace, unix_now()) {
                    tracing::warn!(%reason, "token refresh failed: provider unavailable past the outage grace; ending the session");
                    let _ = self.sessions().delete(&session.id_hash).await;
                    return None;
                }
                tracing::warn!(%reason, "token refresh failed: provider unavailable; keeping the session within the outage grace");
                Some(session)
            }
            Err(e) => {
                let reason = app::backend::error_chain(&e);
                tracing::info!(%reason, "token refresh refused; ending the session");
                let _ = self.sessions().delete(&session.id_hash).await;
                None
            }
        }
    }
}

/// Whether a session whose refresh cannot reach the provider is past its grace: its access
/// token expired more than `grace` before `now` (a session without an expiry never is).
fn outage_grace_over(session: &Session, grace: std::time::Duration, now: i64) -> bool {
    session
        .access_expires_at
        .is_some_and(|t| now > t.saturating_add(grace.as_secs() as i64))
}

/// The access token expires within 30 s and there is a refresh token to renew it with.
fn refresh_due(session: &Session) -> bool {
    session.refresh_token.is_some()
        && session
            .access_expires_at
            .is_some_and(|t| t <= unix_now() + 30)
}
