//! On `/permissions` (for console admins, who may read the audit log): the console saves of
//! this project that a later change outside the console undid, probably `feast apply`.

use leptos::prelude::*;

use crate::permissions::reverted::{permission_reverted_edits, reverted_text};
use crate::util::percent::query_value;
use crate::util::time::utc_from_millis;

#[component]
pub fn RevertedEdits(registry: String, project: String) -> impl IntoView {
    let records = Resource::new(
        move || (registry.clone(), project.clone()),
        |(registry, project)| permission_reverted_edits(registry, project),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                // The audit log unavailable: the page says nothing rather than fail.
                let reverted = records.await.unwrap_or_default();
                (!reverted.is_empty()).then(|| {
                    let rows = reverted.into_iter().map(|r| {
                        let href = format!(
                            "/permissions/audit?registry={}&project={}&permission={}",
                            query_value(&r.registry), query_value(&r.project), query_value(&r.permission)
                        );
                        let text = r.reverted.as_ref().map(reverted_text).unwrap_or_default();
                        view! {
                            <li>
                                <a href=href>{r.permission.clone()}</a>
                                {format!(": saved in the console by {} at {}; ", r.actor, utc_from_millis(r.at_ms))}
                                <strong class="perm-reverted">{text}</strong>
                            </li>
                        }
                    }).collect_view();
                    view! {
                        <section class="perm-reverted-edits" aria-labelledby="perm-reverted">
                            <h2 id="perm-reverted">"Console edits undone outside the console"</h2>
                            <p class="muted">"`feast apply` of a repository without a permission deletes it or writes the repository's definition back: add the permission's Python (in the editor or the audit entry) to the feature repository."</p>
                            <ul>{rows}</ul>
                        </section>
                    }
                })
            })}
        </Suspense>
    }
}
