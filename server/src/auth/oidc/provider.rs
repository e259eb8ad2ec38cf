//! Provider metadata from discovery, fetched on first use (the console starts even while the
//! provider is down) and kept; the key set is refetched when a token names an unknown key.

use openidconnect::{
    core::{CoreClient, CoreJsonWebKeySet},
    ClientId, ClientSecret, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl,
    JsonWebKeySet, ProviderMetadataWithLogout, RedirectUrl,
};
use tokio::sync::RwLock;

use super::http::ProviderHttp;
use crate::config::auth::OidcConfig;

pub type ConsoleClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

pub struct Provider {
    pub config: OidcConfig,
    pub redirect_url: RedirectUrl,
    pub http: ProviderHttp,
    metadata: RwLock<Option<ProviderMetadataWithLogout>>,
}

impl Provider {
    pub fn new(config: OidcConfig, redirect_url: RedirectUrl, http: ProviderHttp) -> Provider {
        Provider {
            config,
            redirect_url,
            http,
            metadata: RwLock::new(None),
        }
    }

    /// Discovered metadata (with its key set), discovering now if not yet done.
    pub async fn metadata(&self) -> Result<ProviderMetadataWithLogout, String> {
        if let Some(m) = self.metadata.read().await.as_ref() {
            return Ok(m.clone());
        }
        let issuer = IssuerUrl::new(self.config.issuer_url.clone())
            .map_err(|e| format!("bad issuer URL: {e}"))?;
        let discovered = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|e| {
                format!(
                    "discovery at {} failed: {}",
                    self.config.issuer_url,
                    chain(&e)
                )
            })?;
        *self.metadata.write().await = Some(discovered.clone());
        Ok(discovered)
    }

    /// Fetches the key set again (key rotation) and keeps it; returns the updated metadata.
    pub async fn refetch_keys(&self) -> Result<ProviderMetadataWithLogout, String> {
        let current = self.metadata().await?;
        let keys: CoreJsonWebKeySet = JsonWebKeySet::fetch_async(current.jwks_uri(), &self.http)
            .await
            .map_err(|e| format!("fetching the provider's keys failed: {}", chain(&e)))?;
        let updated = current.set_jwks(keys);
        *self.metadata.write().await = Some(updated.clone());
        Ok(updated)
    }

    pub fn client(&self, metadata: ProviderMetadataWithLogout) -> ConsoleClient {
        CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(
                self.config.client_secret.expose().to_string(),
            )),
        )
        .set_redirect_uri(self.redirect_url.clone())
    }
}

/// An error with its sources, on one line.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let next = s.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = s.source();
    }
    text
}
