use leptos::prelude::*;

use crate::ui::{EmptyState, PageHeader};

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http_status_not_found());
    }
    view! {
        <PageHeader title="Page not found" lead="There is no page at this address."/>
        <EmptyState title="Nothing here">
            <p>"Pick an area from the navigation, or go back to the " <a href="/">"catalog"</a> "."</p>
        </EmptyState>
    }
}

#[cfg(feature = "ssr")]
fn http_status_not_found() -> http::StatusCode {
    http::StatusCode::NOT_FOUND
}
