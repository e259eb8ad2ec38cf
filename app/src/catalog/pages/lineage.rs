//! A lineage graph three ways: the server-drawn SVG, an accessible list of links, and the
//! Mermaid source to copy.

use leptos::prelude::*;

use crate::catalog::lineage::{kind_label, LineageView};
use crate::catalog::query::detail_href;

#[component]
pub fn Lineage(view: LineageView, registry: String, project: String) -> impl IntoView {
    let nodes = view.graph.nodes.clone();
    let link = move |i: usize| {
        let n = &nodes[i];
        let href = detail_href(&registry, &project, n.kind, &n.name);
        view! { <a href=href>{n.name.clone()}</a>" "<small class="muted">{format!("({})", kind_label(n.kind))}</small> }
    };
    let edges = view.graph.edges.clone();
    let count = edges.len();
    view! {
        <section class="catalog-lineage" aria-labelledby="lineage-title">
            <h2 id="lineage-title">"Lineage"</h2>
            {match view.svg.clone() {
                // Drawn on the server from labels reduced to a safe alphabet, ids prefixed.
                Some(svg) => view! { <div class="diagram-svg" role="img" aria-label="Lineage diagram; the same links are listed below" inner_html=svg></div> }.into_any(),
                None => view! { <p class="muted">{view.note.clone().unwrap_or_default()}</p> }.into_any(),
            }}
            <details open=count <= 12>
                <summary>{format!("Links as a list ({count})")}</summary>
                <ul class="lineage-list">
                    {edges.into_iter().map(|(a, b)| view! { <li>{link(a)}" → "{link(b)}</li> }).collect_view()}
                </ul>
            </details>
            <details>
                <summary>"Mermaid source"</summary>
                <pre class="mermaid-source"><code>{view.mermaid.clone()}</code></pre>
            </details>
        </section>
    }
}
