//! The HTTP client openidconnect talks to the provider with: the console's reqwest (rustls,
//! ring), no redirects followed (a redirect from a token or JWKS endpoint is refused rather
//! than chased), short timeouts.

use std::{future::Future, pin::Pin, time::Duration};

use openidconnect::{HttpRequest, HttpResponse};

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("{0}")]
    Request(#[from] reqwest::Error),
    /// Larger than `capped_read::PROVIDER_RESPONSE_MAX`.
    #[error("{0}")]
    Read(#[from] crate::capped_read::CappedReadError),
    #[error("malformed response: {0}")]
    Response(#[from] openidconnect::http::Error),
}

#[derive(Clone)]
pub struct ProviderHttp {
    client: reqwest::Client,
}

impl ProviderHttp {
    pub fn new() -> Result<ProviderHttp, reqwest::Error> {
        // reqwest is built without a bundled crypto provider; install ring once per process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .connect_timeout(Duration::from_secs(5))
            .build()?;
        Ok(ProviderHttp { client })
    }

    async fn send(
        client: reqwest::Client,
        request: HttpRequest,
    ) -> Result<HttpResponse, HttpError> {
        let (parts, body) = request.into_parts();
        let response = client
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .body(body)
            .send()
            .await?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes =
            crate::capped_read::read_capped(response, crate::capped_read::PROVIDER_RESPONSE_MAX)
                .await?;
        let mut out = openidconnect::http::Response::builder()
            .status(status)
            .body(bytes)?;
        *out.headers_mut() = headers;
        Ok(out)
    }
}

type SendFuture = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send>>;

impl<'c> openidconnect::AsyncHttpClient<'c> for ProviderHttp {
    type Error = HttpError;
    type Future = SendFuture;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(Self::send(self.client.clone(), request))
    }
}
