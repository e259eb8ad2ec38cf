//! feast-console's pages, rendered on the server (feature `ssr`) and hydrated in the browser
//! (feature `hydrate`). One folder per area; domain logic in those folders stays free of I/O and
//! of Leptos types so it can be unit-tested on its own and compiled for the browser.

pub mod auth;
pub mod backend;
pub mod cache;
pub mod catalog;
pub mod history;
pub mod permissions;
pub mod recovery;
pub mod shell;
pub mod topology;
pub mod ui;
pub mod util;

pub use shell::{shell, App};

/// Entry point of the wasm bundle: attaches the reactive system to the server-rendered DOM.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // What `hydrate_lazy` does (not `hydrate_body`: the current page's code may still be
    // loading, lazy routes), plus `<body data-hydrated="true">` once the whole page, its lazily
    // loaded route included, has taken over. The browser tests wait for that attribute.
    use leptos::prelude::document;
    wasm_bindgen_futures::spawn_local(async move {
        let Some(body) = document().body() else {
            return;
        };
        let handle = leptos::mount::hydrate_from_async(body.clone(), App).await;
        let _ = body.set_attribute("data-hydrated", "true");
        handle.forget();
    });
}
