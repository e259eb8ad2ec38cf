//! Same-origin checks for state-changing requests (CSRF protection on top of SameSite=Lax),
//! and the host check that keeps DNS rebinding away from a development-mode console.

use std::net::SocketAddr;

use axum::http::{header, HeaderMap};

/// Why a state-changing request was refused; the message is the refusal the caller sees.
#[derive(Debug, thiserror::Error)]
pub enum OriginRefused {
    #[error("cross-site request refused (Sec-Fetch-Site: {0})")]
    CrossSite(String),
    #[error("cross-origin request refused (Origin: {0})")]
    OtherOrigin(String),
    #[error(
        "request refused: no Origin or Sec-Fetch-Site header shows it comes from this console"
    )]
    Unproven,
}

/// Origins whose POSTs are accepted: the public URL, plus the loopback spellings of the
/// listen address when listening on loopback (`localhost` and `127.0.0.1` are both common).
#[derive(Clone, Debug)]
pub struct Origins {
    allowed: Vec<String>,
    loopback_hosts: Vec<String>,
}

impl Origins {
    pub fn new(public_url: &str, listen: SocketAddr) -> Origins {
        let mut allowed = vec![public_url.to_ascii_lowercase()];
        let mut loopback_hosts = Vec::new();
        if listen.ip().is_loopback() {
            let port = listen.port();
            for host in ["localhost", "127.0.0.1", "[::1]"] {
                allowed.push(format!("http://{host}:{port}"));
                loopback_hosts.push(format!("{host}:{port}"));
                loopback_hosts.push(host.to_string());
            }
        }
        if let Some(host) = public_url
            .split_once("://")
            .map(|(_, h)| h.to_ascii_lowercase())
        {
            loopback_hosts.push(host);
        }
        Origins {
            allowed,
            loopback_hosts,
        }
    }

    /// Ok when the browser says the request comes from this origin. Both headers must agree
    /// when both are present; a request with neither is refused (browsers send Origin on POST).
    pub fn check(&self, headers: &HeaderMap) -> Result<(), OriginRefused> {
        let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        if let Some(site) = fetch_site {
            if site != "same-origin" {
                return Err(OriginRefused::CrossSite(site.to_string()));
            }
        }
        match headers
            .get(header::ORIGIN)
            .map(|v| v.to_str().unwrap_or(""))
        {
            Some(origin) if self.allowed.iter().any(|a| a.eq_ignore_ascii_case(origin)) => Ok(()),
            Some(origin) => Err(OriginRefused::OtherOrigin(origin.to_string())),
            None if fetch_site.is_some() => Ok(()),
            None => Err(OriginRefused::Unproven),
        }
    }

    /// Development mode answers only loopback host names, so a DNS-rebinding page cannot use
    /// the browser to read or change an open console. (No Host header at all cannot come from
    /// a browser, so it is not a rebinding attempt.)
    pub fn host_is_local(&self, headers: &HeaderMap) -> bool {
        match headers.get(header::HOST).map(|v| v.to_str().unwrap_or("")) {
            None => true,
            Some(host) => self
                .loopback_hosts
                .iter()
                .any(|h| h.eq_ignore_ascii_case(host)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn same_origin_posts_pass_and_cross_site_ones_do_not() {
        let o = Origins::new(
            "https://console.example.com",
            "0.0.0.0:443".parse().unwrap(),
        );
        assert!(o
            .check(&headers(&[("origin", "https://console.example.com")]))
            .is_ok());
        assert!(o
            .check(&headers(&[("sec-fetch-site", "same-origin")]))
            .is_ok());
        assert!(o
            .check(&headers(&[("origin", "https://evil.example")]))
            .is_err());
        assert!(o
            .check(&headers(&[
                ("origin", "https://console.example.com"),
                ("sec-fetch-site", "cross-site")
            ]))
            .is_err());
        assert!(o
            .check(&headers(&[("sec-fetch-site", "same-site")]))
            .is_err());
        assert!(o.check(&headers(&[("origin", "null")])).is_err());
        assert!(o.check(&HeaderMap::new()).is_err());
    }

    #[test]
    fn loopback_spellings_are_one_origin() {
        let o = Origins::new("http://127.0.0.1:3000", "127.0.0.1:3000".parse().unwrap());
        assert!(o
            .check(&headers(&[("origin", "http://localhost:3000")]))
            .is_ok());
        assert!(o
            .check(&headers(&[("origin", "http://localhost:3001")]))
            .is_err());
        assert!(o.host_is_local(&headers(&[("host", "localhost:3000")])));
        assert!(!o.host_is_local(&headers(&[("host", "rebind.evil.example:3000")])));
    }
}
