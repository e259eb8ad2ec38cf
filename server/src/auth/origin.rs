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
}

impl Origins {
    pub fn new(public_url: &str, listen: SocketAddr) -> Origins {
        let mut allowed = vec![public_url.to_ascii_lowercase()];
        if listen.ip().is_loopback() {
            let port = listen.port();
            for host in ["localhost", "127.0.0.1", "[::1]"] {
                allowed.push(format!("http://{host}:{port}"));
            }
        }
        Origins { allowed }
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
}

/// Why development mode refused a request: it names the header that was not loopback.
#[derive(Debug, thiserror::Error)]
#[error("development mode answers loopback only, and this request's {header} is `{value}`")]
pub struct NotLocal {
    pub header: &'static str,
    pub value: String,
}

/// Development mode serves everyone as a demo user, so it answers only requests that are
/// local from end to end: a loopback `Host` (a DNS-rebinding page uses its own host name), and
/// no proxy header naming another host or client (a proxy in front of a loopback console would
/// otherwise hand the demo admin to whoever reaches the proxy). No `Host` at all cannot come
/// from a browser, so it is not a rebinding attempt. Any port is fine: `kubectl port-forward`
/// and local proxies pick their own.
pub fn request_is_local(headers: &HeaderMap) -> Result<(), NotLocal> {
    let refuse = |header: &'static str, value: &str| NotLocal {
        header,
        value: value.chars().take(200).collect(),
    };
    for header in ["Host", "X-Forwarded-Host", "X-Forwarded-For", "X-Real-IP"] {
        for value in headers.get_all(header) {
            let text = value.to_str().map_err(|_| refuse(header, "(not text)"))?;
            // X-Forwarded-For lists every hop; chained proxies join the others with commas too.
            if let Some(bad) = text.split(',').find(|e| !is_loopback_host(e.trim())) {
                return Err(refuse(header, bad.trim()));
            }
        }
    }
    for value in headers.get_all(header::FORWARDED) {
        let text = value
            .to_str()
            .map_err(|_| refuse("Forwarded", "(not text)"))?;
        // RFC 7239: `for=...;host=...;proto=..., for=...`; `for` and `host` must be loopback
        // (an obfuscated `_node` or `unknown` is not known to be).
        for pair in text.split([',', ';']) {
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let name = name.trim().to_ascii_lowercase();
            if matches!(name.as_str(), "for" | "host")
                && !is_loopback_host(value.trim().trim_matches('"'))
            {
                return Err(refuse("Forwarded", value.trim()));
            }
        }
    }
    Ok(())
}

/// `localhost` (and `*.localhost`, RFC 6761), `127.0.0.0/8` or `::1`, with or without a port.
pub fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        // [v6] or [v6]:port
        match rest.split_once(']') {
            Some((inside, _)) => inside,
            None => return false,
        }
    } else if host.matches(':').count() > 1 {
        host // a bare IPv6 address (X-Forwarded-For writes them so)
    } else {
        host.split(':').next().unwrap_or("")
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    name.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
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
    }

    #[test]
    fn only_requests_local_from_end_to_end_are_local() {
        let local = |pairs: &[(&'static str, &str)]| request_is_local(&headers(pairs)).is_ok();
        assert!(local(&[]));
        assert!(local(&[("host", "localhost:3000")]));
        assert!(local(&[("host", "127.0.0.1")]));
        assert!(local(&[("host", "[::1]:8080")]));
        assert!(local(&[("host", "app.localhost:3000")]));
        assert!(local(&[
            ("host", "localhost"),
            ("x-forwarded-for", "127.0.0.1, ::1")
        ]));
        assert!(local(&[(
            "forwarded",
            "for=127.0.0.1;host=localhost:3000;proto=http"
        )]));
        assert!(local(&[("forwarded", "for=\"[::1]:4711\"")]));

        assert!(!local(&[("host", "rebind.evil.example:3000")]));
        assert!(!local(&[("host", "console.example.com")]));
        assert!(!local(&[("host", "localhost.evil.example")]));
        assert!(!local(&[("host", "10.0.0.7:3000")]));
        // A proxy in front of a loopback console: Host rewritten, the outside named elsewhere.
        assert!(!local(&[
            ("host", "127.0.0.1:3000"),
            ("x-forwarded-host", "console.example.com")
        ]));
        assert!(!local(&[
            ("host", "127.0.0.1:3000"),
            ("x-forwarded-for", "127.0.0.1, 203.0.113.9")
        ]));
        assert!(!local(&[
            ("host", "127.0.0.1:3000"),
            ("x-real-ip", "203.0.113.9")
        ]));
        assert!(!local(&[
            ("host", "localhost"),
            ("forwarded", "for=203.0.113.9")
        ]));
        assert!(!local(&[
            ("host", "localhost"),
            ("forwarded", "for=unknown")
        ]));
        assert!(!local(&[
            ("host", "localhost"),
            ("forwarded", "for=127.0.0.1;host=console.example.com")
        ]));
        let why = request_is_local(&headers(&[
            ("host", "localhost"),
            ("x-forwarded-host", "console.example.com"),
        ]))
        .unwrap_err()
        .to_string();
        assert!(
            why.contains("X-Forwarded-Host") && why.contains("console.example.com"),
            "{why}"
        );
    }
}
