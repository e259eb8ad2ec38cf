//! Light and dark theme. Without a choice the page follows the system (a CSS media query);
//! the toggle stores the choice in a cookie so the server renders the same theme next time
//! (no flash) and it survives reloads.

use leptos::prelude::*;
use leptos_meta::Html;

const COOKIE: &str = "fc_theme";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    pub fn from_cookie_header(header: &str) -> Theme {
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == COOKIE)
            .map(|(_, value)| match value {
                "light" => Theme::Light,
                "dark" => Theme::Dark,
                _ => Theme::System,
            })
            .unwrap_or(Theme::System)
    }

    fn attribute(self) -> Option<&'static str> {
        match self {
            Theme::System => None,
            Theme::Light => Some("light"),
            Theme::Dark => Some("dark"),
        }
    }
}

#[derive(Clone, Copy)]
struct ThemeSignal(RwSignal<Theme>);

pub fn provide_theme() {
    provide_context(ThemeSignal(RwSignal::new(initial_theme())));
}

#[cfg(feature = "ssr")]
fn initial_theme() -> Theme {
    use_context::<http::request::Parts>()
        .and_then(|parts| {
            parts
                .headers
                .get(http::header::COOKIE)
                .and_then(|v| v.to_str().ok())
                .map(Theme::from_cookie_header)
        })
        .unwrap_or(Theme::System)
}

#[cfg(not(feature = "ssr"))]
fn initial_theme() -> Theme {
    // Read back what the server rendered so hydration starts from the same state.
    let attr = document()
        .document_element()
        .and_then(|e| e.get_attribute("data-theme"));
    match attr.as_deref() {
        Some("light") => Theme::Light,
        Some("dark") => Theme::Dark,
        _ => Theme::System,
    }
}

/// Puts the chosen theme on `<html data-theme>`.
#[component]
pub fn ThemeAttribute() -> impl IntoView {
    let theme = expect_context::<ThemeSignal>().0;
    view! { <Html {..} data-theme=move || theme.get().attribute()/> }
}

#[component]
pub fn ThemeToggle() -> impl IntoView {
    let theme = expect_context::<ThemeSignal>().0;
    let dark_now = move || match theme.get() {
        Theme::Dark => true,
        Theme::Light => false,
        Theme::System => system_prefers_dark(),
    };
    let toggle = move |_| {
        let next = if dark_now() {
            Theme::Light
        } else {
            Theme::Dark
        };
        theme.set(next);
        remember(next);
    };
    view! {
        <button
            type="button"
            class="theme-toggle"
            data-testid="theme-toggle"
            aria-pressed=move || if dark_now() { "true" } else { "false" }
            on:click=toggle
        >
            <span aria-hidden="true">{move || if dark_now() { "☾" } else { "☀" }}</span>
            " Dark theme"
        </button>
    }
}

#[cfg(feature = "hydrate")]
fn system_prefers_dark() -> bool {
    window()
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
        .map(|q| q.matches())
        .unwrap_or(false)
}

#[cfg(not(feature = "hydrate"))]
fn system_prefers_dark() -> bool {
    false
}

#[cfg(feature = "hydrate")]
fn remember(theme: Theme) {
    use wasm_bindgen::JsCast;
    if let (Some(value), Ok(doc)) = (
        theme.attribute(),
        document().dyn_into::<web_sys::HtmlDocument>(),
    ) {
        let _ = doc.set_cookie(&format!(
            "{COOKIE}={value}; Path=/; Max-Age=31536000; SameSite=Lax"
        ));
    }
}

#[cfg(not(feature = "hydrate"))]
fn remember(_: Theme) {}

#[cfg(test)]
mod tests {
    use super::Theme;

    #[test]
    fn cookie_header_picks_the_theme_cookie() {
        assert_eq!(Theme::from_cookie_header("a=b; fc_theme=dark"), Theme::Dark);
        assert_eq!(Theme::from_cookie_header("fc_theme=light"), Theme::Light);
        assert_eq!(Theme::from_cookie_header("fc_theme=purple"), Theme::System);
        assert_eq!(Theme::from_cookie_header(""), Theme::System);
        assert_eq!(Theme::from_cookie_header("xfc_theme=dark"), Theme::System);
    }
}
