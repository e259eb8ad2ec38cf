use leptos::prelude::*;

use crate::shell::{EmptyState, PageHeader};

#[component]
pub fn CatalogPage() -> impl IntoView {
    view! {
        <PageHeader title="Catalog" lead="Discover projects, entities, feature views, feature services and data sources across every registry."/>
        <EmptyState title="No registry connected">
            <p>"The catalog lists what your Feast registries hold: who owns each object, how fresh it is and how it connects."</p>
            <p>"No registry source is configured, so there is nothing to list yet."</p>
        </EmptyState>
    }
}
