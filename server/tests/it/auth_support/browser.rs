//! A browser stand-in: the console answers in-process (cookies kept by hand), the provider over
//! HTTP (reqwest's cookie jar), redirects followed one at a time.

use axum::{body::Body, http::Request};

use super::{location, pair, set_cookie, CONSOLE};
use crate::common::{TestApp, TestResponse};

pub struct Browser {
    pub provider: reqwest::Client,
    /// Console cookies by name.
    pub cookies: Vec<(String, String)>,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    pub fn new() -> Browser {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let provider = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Browser {
            provider,
            cookies: Vec::new(),
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn remember(&mut self, r: &TestResponse) {
        for line in r
            .headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            let Some((name, value)) = pair(line)
                .split_once('=')
                .map(|(a, b)| (a.to_string(), b.to_string()))
            else {
                continue;
            };
            self.cookies.retain(|(k, _)| *k != name);
            if !value.is_empty() && !line.contains("Max-Age=0") {
                self.cookies.push((name, value));
            }
        }
    }

    /// A request to the console carrying this browser's cookies.
    pub async fn console(
        &mut self,
        app: &TestApp,
        method: &str,
        path_and_query: &str,
    ) -> TestResponse {
        let mut request = Request::builder()
            .method(method)
            .uri(path_and_query)
            .header("cookie", self.cookie_header());
        if method == "POST" {
            request = request
                .header("origin", CONSOLE)
                .header("sec-fetch-site", "same-origin");
        }
        let r = app.request(request.body(Body::empty()).unwrap()).await;
        self.remember(&r);
        r
    }

    /// Follows provider redirects and submits its login form as `user`, until the provider
    /// sends the browser back to the console; returns that console URL (path and query).
    pub async fn sign_in_at_provider(&mut self, authorize_url: &str, user: &str) -> String {
        let mut url = authorize_url.to_string();
        for _ in 0..12 {
            if let Some(back) = url.strip_prefix(CONSOLE) {
                return back.to_string();
            }
            let response = self
                .provider
                .get(&url)
                .send()
                .await
                .expect("provider answers");
            let status = response.status();
            if status.is_redirection() {
                let next = response
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                url = absolute(&url, &next);
                continue;
            }
            let html = response.text().await.unwrap_or_default();
            assert!(
                status.is_success(),
                "provider answered {status} at {url}: {html}"
            );
            let action = html
                .split("action=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_else(|| panic!("no form at {url}: {html}"))
                .to_string();
            let prompt = if html.contains("name=\"login\"") {
                "login"
            } else {
                "consent"
            };
            let form: Vec<(&str, &str)> = if prompt == "login" {
                vec![("prompt", "login"), ("login", user), ("password", "any")]
            } else {
                vec![("prompt", "consent")]
            };
            let posted = self
                .provider
                .post(absolute(&url, &action))
                .form(&form)
                .send()
                .await
                .expect("form post");
            assert!(
                posted.status().is_redirection(),
                "login form answered {}",
                posted.status()
            );
            let next = posted
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            url = absolute(&url, &next);
        }
        panic!("the provider never redirected back to the console (last URL {url})");
    }

    /// Whole sign-in: console login → provider → console callback. Returns the callback's
    /// response (a redirect to the page asked for, with the session cookie).
    pub async fn sign_in(&mut self, app: &TestApp, user: &str, return_to: &str) -> TestResponse {
        let start = self
            .console(app, "GET", &format!("/auth/login?return_to={return_to}"))
            .await;
        assert_eq!(
            start.status, 303,
            "login starts with a redirect: {}",
            start.body
        );
        let back = self
            .sign_in_at_provider(&location(&start.headers), user)
            .await;
        self.console(app, "GET", &back).await
    }

    pub fn has_cookie(&self, name: &str) -> bool {
        self.cookies.iter().any(|(k, _)| k == name)
    }
}

fn absolute(base: &str, next: &str) -> String {
    reqwest::Url::parse(base)
        .and_then(|b| b.join(next))
        .map(|u| u.to_string())
        .unwrap_or_else(|_| next.to_string())
}

pub fn session_cookie_set(r: &TestResponse) -> Option<String> {
    set_cookie(&r.headers, "fc_session")
}
