//! Authorization code flow with PKCE, state and nonce; refresh; RP-initiated logout.

use std::str::FromStr;

use openidconnect::{
    core::{CoreAuthenticationFlow, CoreIdToken},
    AuthorizationCode, ClaimsVerificationError, CsrfToken, LogoutRequest, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl,
    ProviderMetadataWithLogout, RedirectUrl, RefreshToken, RequestTokenError, Scope,
    SignatureVerificationError, TokenResponse,
};
use serde_json::Value;

use super::{claims::identity_claims, http::ProviderHttp, provider::Provider};
use crate::{
    auth::{
        random::constant_time_eq,
        session::{PendingLogin, Tokens},
    },
    clock::unix_now,
    config::auth::OidcConfig,
};

/// Why a sign-in was refused; each message is shown to the user on the error page.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("no sign-in was started in this browser, or it took longer than 10 minutes; please sign in again")]
    NoLoginInProgress,
    #[error("the answer from the identity provider does not belong to the sign-in this browser started (state mismatch)")]
    StateMismatch,
    #[error(
        "the answer names another identity provider as its issuer ({0}): possibly a mix-up attack"
    )]
    IssuerMismatch(String),
    #[error("the identity provider did not send an authorization code")]
    MissingCode,
    #[error("the identity provider refused the sign-in: {0}")]
    Provider(String),
    /// From several sources (provider metadata, token requests, the session store).
    #[error("the identity provider is not reachable or misconfigured")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("the identity provider's token endpoint refused the code: {0}")]
    CodeExchange(String),
    #[error("the identity provider sent no ID token")]
    NoIdToken,
    #[error("the ID token was refused: {0}")]
    IdToken(String),
    #[error("the token names no user")]
    NoUser(#[source] app::auth::identity::IdentityError),
}

/// Where to send the browser and what the callback must match.
pub struct AuthorizationStart {
    pub url: String,
    pub pending: PendingLogin,
}

/// The outcome of a successful code exchange or refresh.
pub struct SignedIn {
    pub subject: String,
    pub claims: Value,
    pub tokens: Tokens,
}

/// Why sign-in cannot be set up; the console does not start.
#[derive(Debug, thiserror::Error)]
pub enum OidcSetupError {
    #[error("bad redirect URL {url}")]
    RedirectUrl {
        url: String,
        source: openidconnect::url::ParseError,
    },
    #[error("cannot build the HTTP client")]
    HttpClient(#[source] reqwest::Error),
}

pub struct Oidc {
    provider: Provider,
    public_url: String,
}

impl Oidc {
    pub fn new(
        config: OidcConfig,
        public_url: &str,
        redirect_url: &str,
    ) -> Result<Oidc, OidcSetupError> {
        let redirect = RedirectUrl::new(redirect_url.to_string()).map_err(|source| {
            OidcSetupError::RedirectUrl {
                url: redirect_url.to_string(),
                source,
            }
        })?;
        let http = ProviderHttp::new().map_err(OidcSetupError::HttpClient)?;
        Ok(Oidc {
            provider: Provider::new(config, redirect, http),
            public_url: public_url.to_string(),
        })
    }

    pub fn config(&self) -> &OidcConfig {
        &self.provider.config
    }

    pub async fn start(&self, return_to: String) -> Result<AuthorizationStart, LoginError> {
        let client = self.provider.client(self.metadata().await?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in self
            .provider
            .config
            .scopes
            .iter()
            .filter(|s| *s != "openid")
        {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        Ok(AuthorizationStart {
            url: url.to_string(),
            pending: PendingLogin {
                csrf_state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
                return_to,
                created_at: unix_now(),
            },
        })
    }

    /// Checks the callback against the pending login, exchanges the code and checks the ID
    /// token. Nothing is stored here: the caller creates the session only on Ok.
    pub async fn finish(
        &self,
        pending: &PendingLogin,
        state: Option<&str>,
        code: Option<&str>,
    ) -> Result<SignedIn, LoginError> {
        match state {
            Some(s) if constant_time_eq(s, &pending.csrf_state) => {}
            _ => return Err(LoginError::StateMismatch),
        }
        let code = code
            .filter(|c| !c.is_empty())
            .ok_or(LoginError::MissingCode)?;
        let client = self.provider.client(self.metadata().await?);
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| LoginError::Unavailable(e.into()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.provider.http)
            .await
            .map_err(|e| LoginError::CodeExchange(describe_token_error(&e)))?;
        let id_token = response.id_token().ok_or(LoginError::NoIdToken)?.clone();
        let nonce = Nonce::new(pending.nonce.clone());
        let subject = self.verified_subject(&id_token, Some(&nonce)).await?;
        Ok(signed_in(subject, Some(id_token.to_string()), &response))
    }

    /// Uses the refresh token; the provider may rotate it (the new one replaces the old).
    pub async fn refresh(&self, refresh_token: &str) -> Result<SignedIn, LoginError> {
        let client = self.provider.client(self.metadata().await?);
        let response = client
            .exchange_refresh_token(&RefreshToken::new(refresh_token.to_string()))
            .map_err(|e| LoginError::Unavailable(e.into()))?
            .request_async(&self.provider.http)
            .await
            .map_err(|e| match e {
                // The provider answered no: the refresh token is dead.
                RequestTokenError::ServerResponse(_) => {
                    LoginError::CodeExchange(describe_token_error(&e))
                }
                _ => LoginError::Unavailable(e.into()),
            })?;
        let id_token = response.id_token().cloned();
        let subject = match &id_token {
            Some(t) => self.verified_subject(t, None).await?,
            None => String::new(),
        };
        Ok(signed_in(
            subject,
            id_token.map(|t| t.to_string()),
            &response,
        ))
    }

    /// The provider's metadata, fetched on first use.
    async fn metadata(&self) -> Result<ProviderMetadataWithLogout, LoginError> {
        self.provider
            .metadata()
            .await
            .map_err(|e| LoginError::Unavailable(e.into()))
    }

    /// Checks signature, iss, aud, exp and (at sign-in) the nonce; returns `sub`. An unknown
    /// key id triggers one refetch of the provider's keys (rotation), then a second attempt.
    async fn verified_subject(
        &self,
        id_token: &CoreIdToken,
        nonce: Option<&Nonce>,
    ) -> Result<String, LoginError> {
        let mut metadata = self.metadata().await?;
        for attempt in 0..2 {
            let client = self.provider.client(metadata.clone());
            let verifier = client.id_token_verifier();
            let result = match nonce {
                Some(n) => id_token
                    .claims(&verifier, n)
                    .map(|c| c.subject().to_string()),
                // Refreshed ID tokens carry no nonce (or the original one): nothing to compare.
                None => id_token
                    .claims(&verifier, |_: Option<&Nonce>| Ok(()))
                    .map(|c| c.subject().to_string()),
            };
            match result {
                Ok(sub) => return Ok(sub),
                Err(ClaimsVerificationError::SignatureVerification(
                    SignatureVerificationError::NoMatchingKey,
                )) if attempt == 0 => {
                    metadata = self
                        .provider
                        .refetch_keys()
                        .await
                        .map_err(|e| LoginError::Unavailable(e.into()))?;
                }
                Err(e) => return Err(LoginError::IdToken(describe_claims_error(&e))),
            }
        }
        Err(LoginError::IdToken(
            "it is signed with a key the identity provider does not publish".into(),
        ))
    }

    /// The provider's logout URL when it offers RP-initiated logout.
    pub async fn end_session_url(&self, id_token: Option<&str>) -> Option<String> {
        let metadata = self.provider.metadata().await.ok()?;
        let endpoint = metadata
            .additional_metadata()
            .end_session_endpoint
            .clone()?;
        let mut request = LogoutRequest::from(endpoint).set_client_id(
            openidconnect::ClientId::new(self.provider.config.client_id.clone()),
        );
        if let Ok(url) = PostLogoutRedirectUrl::new(format!("{}/auth/signed-out", self.public_url))
        {
            request = request.set_post_logout_redirect_uri(url);
        }
        if let Some(token) = id_token.and_then(|t| CoreIdToken::from_str(t).ok()) {
            request = request.set_id_token_hint(&token);
        }
        Some(request.http_get_url().to_string())
    }
}

/// The session's tokens and identity from a token response (sign-in or refresh), whose ID
/// token, if any, was already verified as `subject`.
fn signed_in(
    subject: String,
    id_token: Option<String>,
    response: &impl OAuth2TokenResponse,
) -> SignedIn {
    let tokens = Tokens {
        id_token,
        access_token: Some(response.access_token().secret().clone()),
        refresh_token: response.refresh_token().map(|t| t.secret().clone()),
        access_expires_at: response
            .expires_in()
            .map(|d| unix_now() + d.as_secs() as i64),
    };
    let claims = identity_claims(tokens.id_token.as_deref(), tokens.access_token.as_deref());
    SignedIn {
        subject,
        claims,
        tokens,
    }
}

fn describe_claims_error(e: &ClaimsVerificationError) -> String {
    match e {
        ClaimsVerificationError::Expired(_) => "it has expired".into(),
        ClaimsVerificationError::InvalidNonce(_) => {
            "its nonce does not match this sign-in (replayed or forged token)".into()
        }
        ClaimsVerificationError::InvalidIssuer(m) => format!("it was issued by someone else ({m})"),
        ClaimsVerificationError::InvalidAudience(m) => {
            format!("it was issued for another client ({m})")
        }
        ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey,
        ) => "it is signed with a key the identity provider does not publish".into(),
        ClaimsVerificationError::SignatureVerification(s) => {
            format!("its signature is not valid ({s})")
        }
        other => other.to_string(),
    }
}

fn describe_token_error<
    RE: std::error::Error + 'static,
    T: openidconnect::ErrorResponse + 'static,
>(
    e: &RequestTokenError<RE, T>,
) -> String {
    match e {
        RequestTokenError::ServerResponse(r) => r.to_string(),
        other => app::backend::error_chain(other),
    }
}
