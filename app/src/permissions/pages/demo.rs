//! The demo registry's notice on the permission pages, and "Reset demo" (console admins):
//! with no registry configured the console serves a copy of the bundled demo registry, which
//! the editor writes; resetting puts the bundled rows back.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::permissions::api::PermissionsDemoReset;

/// "Demo data" with what the demo registry is, and the reset button for admins.
#[component]
pub fn DemoNotice(note: String, can_reset: bool) -> impl IntoView {
    let reset = ServerAction::<PermissionsDemoReset>::new();
    // Every part of the page (matrix, lints, the editor's form) reads the registry: show the
    // restored one by loading the page again.
    Effect::new(move |_| {
        if matches!(reset.value().get(), Some(Ok(_))) {
            let _ = window().location().reload();
        }
    });
    view! {
        <section class="demo-note" aria-label="Demo data">
            <p><strong>"Demo data. "</strong>{note}</p>
            {can_reset.then(|| view! {
                <ActionForm action=reset attr:class="demo-reset">
                    <button type="submit">"Reset demo"</button>
                    <span class="muted">" Undoes every permission edit made in this demo (the audit log keeps them)."</span>
                </ActionForm>
                {move || reset.value().get().map(|r| match r {
                    Ok(done) => view! { <p class="perm-done" role="status">{done}</p> }.into_any(),
                    Err(e) => view! { <p class="registry-error" role="alert">{crate::ui::error_text(&e)}</p> }.into_any(),
                })}
            })}
        </section>
    }
}
