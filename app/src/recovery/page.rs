use leptos::prelude::*;

use crate::shell::{EmptyState, PageHeader};

#[component]
pub fn RecoveryPage() -> impl IntoView {
    view! {
        <PageHeader title="Recovery" lead="Recovery objectives per component, in the order you would restore them, against measured evidence."/>
        <EmptyState title="No recovery evidence yet">
            <p>"Components appear in recovery order: registry database, online store, offline store, operator and CRDs, each with its RPO and RTO."</p>
            <p>"No probe is configured yet, so there is no evidence to judge them by."</p>
        </EmptyState>
    }
}
