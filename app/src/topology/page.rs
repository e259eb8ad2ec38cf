use leptos::prelude::*;

use crate::shell::{EmptyState, PageHeader};

#[component]
pub fn TopologyPage() -> impl IntoView {
    view! {
        <PageHeader title="Topology" lead="Every Feast deployment in the cluster, classified as Minimal, Standard or Enterprise, checked and drawn."/>
        <EmptyState title="No cluster or manifests connected">
            <p>"The topology area reads FeatureStore resources from a Kubernetes cluster or a folder of manifests."</p>
            <p>"Neither source is configured yet, so no deployment is shown."</p>
        </EmptyState>
    }
}
