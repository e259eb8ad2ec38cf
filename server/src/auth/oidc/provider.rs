//! Provider metadata from discovery, fetched on first use (the console starts even while the
//! provider is down) and kept; the key set is refetched when a token names an unknown key.

use openidconnect::{
    core::{CoreClient, CoreJsonWebKeySet},
    ClientId, ClientSecret, DiscoveryError, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    IssuerUrl, JsonWebKeySet, ProviderMetadataWithLogout, RedirectUrl,
};
use tokio::sync::RwLock;

use super::http::{HttpError, ProviderHttp};
use crate::config::auth::OidcConfig;

pub type ConsoleClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why the provider's metadata or keys could not be had.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("bad issuer URL")]
    IssuerUrl(#[source] openidconnect::url::ParseError),
    #[error("discovery at {issuer} failed")]
    Discovery {
        issuer: String,
        source: DiscoveryError<HttpError>,
    },
    #[error("fetching the provider's keys failed")]
    Keys(#[source] DiscoveryError<HttpError>),
}

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
    pub async fn metadata(&self) -> Result<ProviderMetadataWithLogout, ProviderError> {
        if let Some(m) = self.metadata.read().await.as_ref() {
            return Ok(m.clone());
        }
        let issuer =
            IssuerUrl::new(self.config.issuer_url.clone()).map_err(ProviderError::IssuerUrl)?;
        let discovered = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|source| ProviderError::Discovery {
                issuer: self.config.issuer_url.clone(),
                source,
            })?;
        *self.metadata.write().await = Some(discovered.clone());
        Ok(discovered)
    }

    /// Fetches the key set again (key rotation) and keeps it; returns the updated metadata.
    pub async fn refetch_keys(&self) -> Result<ProviderMetadataWithLogout, ProviderError> {
        let current = self.metadata().await?;
        let keys: CoreJsonWebKeySet = JsonWebKeySet::fetch_async(current.jwks_uri(), &self.http)
            .await
            .map_err(ProviderError::Keys)?;
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
