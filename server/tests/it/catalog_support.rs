//! Shared helpers of the catalog tests: an app over chosen registries, and HTML link scraping.

use std::sync::Arc;

use server::registry::refresher::{Registries, RegistryHandle};
use server::registry::{RegistrySnapshot, RegistrySource, SourceKind};

use crate::common::{self, TestApp};

/// The real router over `registries` (SQLite console database; the catalog does not use it).
pub async fn app_with(registries: Registries) -> TestApp {
    let app = common::spawn_app(common::Backend::Sqlite).await;
    let mut state = app.state.clone();
    state.registries = registries;
    let router = server::http::router(state.clone());
    TestApp { state, router }
}

/// The committed demo registry, read once.
pub async fn demo_app() -> TestApp {
    let source = server::registry::demo::demo_source().expect("demo registry in the checkout");
    app_with(Registries::load_now(&[source]).await).await
}

/// One registry holding exactly `snapshot`.
pub fn registries_of(name: &str, snapshot: RegistrySnapshot) -> Registries {
    let handle = RegistryHandle::new(&RegistrySource {
        name: name.into(),
        kind: SourceKind::File("/nonexistent/registry.db".into()),
        token: None,
    });
    handle.record(Ok(Some(snapshot)));
    Registries {
        handles: vec![Arc::new(handle)],
    }
}

/// HTML without Leptos' hydration markers. Catalog pages render whole on the server (so they
/// work without JavaScript): a streamed placeholder is a failure.
pub fn clean(html: &str) -> String {
    assert!(
        !(0..10).any(|d| html.contains(&format!("__INCOMPLETE_CHUNKS=[{d}")))
            && !html.contains("class=\"muted\">Loading"),
        "the page was streamed or left a loading placeholder: {}",
        html.split("<main").nth(1).unwrap_or(html)
    );
    html.replace("<!>", "")
}

/// Every `<a href="...">text</a>` whose href contains `marker`, as (href, text).
pub fn links(html: &str, marker: &str) -> Vec<(String, String)> {
    let html = clean(html);
    let mut out = Vec::new();
    let mut rest = html.as_str();
    while let Some(at) = rest.find("<a ") {
        rest = &rest[at..];
        let Some(end_tag) = rest.find('>') else { break };
        let tag = &rest[..end_tag];
        let text_end = rest.find("</a>").unwrap_or(end_tag + 1);
        let text = rest[end_tag + 1..text_end.max(end_tag + 1)].to_string();
        if let Some(h) = tag.find("href=\"") {
            let href = &tag[h + 6..];
            let href = href[..href.find('"').unwrap_or(href.len())].replace("&amp;", "&");
            if href.contains(marker) {
                out.push((href, text));
            }
        }
        rest = &rest[end_tag..];
    }
    out
}

/// Fails when `needle` occurs inside a tag (between `<` and `>`) rather than in text.
pub fn assert_only_in_text(html: &str, needle: &str) {
    for (at, _) in html.match_indices(needle) {
        let before = &html[..at];
        let open = before.rfind('<');
        let close = before.rfind('>');
        assert!(
            open.is_none() || close > open,
            "`{needle}` inside a tag at {at}: …{}…",
            &html[open.unwrap_or(0)..(at + needle.len()).min(html.len())]
        );
    }
}
