//! The Python a team adds to its feature repository so `feast apply` keeps a permission saved
//! in the console (see `permissions::python_snippet`): a `<pre>` block that reads and selects
//! without JavaScript, and, once hydrated, a Copy button.

use leptos::prelude::*;

use crate::permissions::model::PermissionSpec;
use crate::permissions::python_snippet::{python_snippet, WHY};

/// Copies `text` with the browser's clipboard API (through `Reflect`, so no extra web-sys
/// features); false when the browser has none or refuses.
fn copy_to_clipboard(text: &str) -> bool {
    use leptos::wasm_bindgen::{JsCast, JsValue};
    use leptos::web_sys::js_sys::{Function, Reflect};
    let Some(window) = leptos::web_sys::window() else {
        return false;
    };
    let get = |on: &JsValue, key: &str| Reflect::get(on, &JsValue::from_str(key)).ok();
    let Some(clipboard) = get(&window.into(), "navigator").and_then(|n| get(&n, "clipboard"))
    else {
        return false;
    };
    let Some(write) = get(&clipboard, "writeText").and_then(|f| f.dyn_into::<Function>().ok())
    else {
        return false;
    };
    write.call1(&clipboard, &JsValue::from_str(text)).is_ok()
}

#[component]
pub fn PythonSnippet(spec: PermissionSpec) -> impl IntoView {
    let code = python_snippet(&spec);
    // The button appears once hydrated: without JavaScript the block is selected by hand.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let copied = RwSignal::new(None::<&'static str>);
    let text = code.clone();
    let copy = move |_| {
        copied.set(Some(if copy_to_clipboard(&text) {
            "Copied."
        } else {
            "This browser did not allow copying: select the text instead."
        }))
    };
    view! {
        <section class="perm-snippet" aria-label="Python for your feature repository">
            <p class="muted perm-snippet-why">{WHY}</p>
            <pre class="perm-snippet-code"><code>{code}</code></pre>
            {move || hydrated.get().then(|| view! {
                <button type="button" class="perm-snippet-copy" on:click=copy.clone()>"Copy Python"</button>
                <span class="muted perm-snippet-copied" aria-live="polite">{move || copied.get()}</span>
            })}
        </section>
    }
}
