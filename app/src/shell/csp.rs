//! Content-Security-Policy for pages: scripts only from this origin or carrying this
//! response's nonce (the hydration scripts), no inline styles, no framing.

/// The policy for a page whose inline scripts carry `nonce`.
#[cfg_attr(not(feature = "ssr"), allow(dead_code))]
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Sets the page's CSP header during server rendering. The nonce comes from the request
/// context (the server calls `provide_nonce` per request); in the browser this does nothing.
pub fn set_page_policy() {
    #[cfg(feature = "ssr")]
    {
        use leptos::prelude::use_context;
        if let (Some(nonce), Some(response)) = (
            leptos::nonce::use_nonce(),
            use_context::<leptos_axum::ResponseOptions>(),
        ) {
            if let Ok(value) = http::HeaderValue::from_str(&page_policy(&nonce.to_string())) {
                response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn policy_has_nonce_and_no_unsafe_inline() {
        let p = super::page_policy("abc123");
        assert!(p.contains("'nonce-abc123'"));
        assert!(p.contains("frame-ancestors 'none'"));
        assert!(!p.contains("unsafe-inline"));
    }
}
