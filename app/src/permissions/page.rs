use leptos::prelude::*;

use crate::shell::{EmptyState, PageHeader};

#[component]
pub fn PermissionsPage() -> impl IntoView {
    view! {
        <PageHeader title="Permissions" lead="See exactly who may do what on which object: the same decision Feast’s own server makes."/>
        <EmptyState title="No permissions to show">
            <p>"This area shows a principals × actions matrix per project, lints where intent and Feast’s real decision differ, and safe editing with a preview and an audit trail."</p>
            <p>"It needs a connected registry, which is not configured yet."</p>
        </EmptyState>
    }
}
