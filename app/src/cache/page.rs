use leptos::prelude::*;

use crate::shell::{EmptyState, PageHeader};

#[component]
pub fn CachePage() -> impl IntoView {
    view! {
        <PageHeader title="Registry cache" lead="How many registry copies each deployment holds, what their refreshes cost, and when they storm."/>
        <EmptyState title="No deployments to measure">
            <p>"Registry-cache health combines each deployment’s replicas, workers and cache settings with measured registry load times."</p>
            <p>"No registry or cluster source is configured yet, so there is nothing to measure."</p>
        </EmptyState>
    }
}
