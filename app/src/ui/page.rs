//! The parts every area page is built from: its header and what it shows when it has nothing.

use leptos::prelude::*;

/// Heading and lead paragraph of an area page.
#[component]
pub fn PageHeader(title: &'static str, lead: &'static str) -> impl IntoView {
    view! {
        <leptos_meta::Title text=title/>
        <div class="page-header">
            <h1>{title}</h1>
            <p class="lead">{lead}</p>
        </div>
    }
}

/// What an area shows when it has nothing real to show: never fake data.
#[component]
pub fn EmptyState(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <section class="empty-state" aria-labelledby="empty-title">
            <h2 id="empty-title">{title}</h2>
            <div class="empty-body">{children()}</div>
        </section>
    }
}
