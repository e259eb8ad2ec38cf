//! `/recovery/{namespace}/{name}`: one deployment's priority table in recovery order, with its
//! readiness line; an unknown deployment gets a clear not-found state.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::parts::{PriorityTable, Waiting};
use crate::recovery::api::load_recovery;
use crate::recovery::assess::class_label;
use crate::recovery::deployment::find;
use crate::recovery::report::{RecoveryPageData, RecoveryState};
use crate::ui::{EmptyState, ErrorState, PageHeader};
use crate::util::percent::path_segment;

#[component]
pub fn RecoveryDeploymentPage() -> impl IntoView {
    let params = use_params_map();
    let key = Memo::new(move |_| {
        let p = params.read();
        (
            p.get("namespace").unwrap_or_default(),
            p.get("name").unwrap_or_default(),
        )
    });
    let data = crate::ui::page_resource(|| (), |_| load_recovery());
    view! {
        <PageHeader title="Recovery of a deployment" lead="This FeatureStore's components in the order you would restore them, against its spec and the probes that apply to it."/>
        <p><a href="/recovery">"← All deployments and the cluster"</a></p>
        <Suspense fallback=|| view! { <p class="muted">"Reading recovery evidence…"</p> }>
            {move || Suspend::new(async move {
                let (namespace, name) = key.get();
                match data.await {
                    Err(e) => view! {
                        <ErrorState title="Recovery status unavailable" error=e href="/recovery" label="All deployments and the cluster"/>
                    }.into_any(),
                    Ok(RecoveryState::Ready(d)) => view! { <DeploymentBody data=*d namespace=namespace name=name/> }.into_any(),
                    Ok(waiting) => view! { <Waiting state=waiting/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DeploymentBody(data: RecoveryPageData, namespace: String, name: String) -> impl IntoView {
    let probe_line = data.probe_line();
    let demo = data.report.demo.is_some();
    let Some(d) = find(&data.report.deployments, &namespace, &name).cloned() else {
        // A 404 for scripts and crawlers; people get the explanation below.
        #[cfg(feature = "ssr")]
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
        return view! {
            <EmptyState title="No such deployment">
                <p class="recovery-not-found">"No FeatureStore "<code>{format!("{namespace}/{name}")}</code>" in the topology source. The deployments it holds are listed on "<a href="/recovery">"the recovery page"</a>"."</p>
            </EmptyState>
        }
        .into_any();
    };
    let caption = format!("Components of {} in recovery order", d.key());
    let topology_href = format!(
        "/topology/{}/{}",
        path_segment(&d.namespace),
        path_segment(&d.name)
    );
    view! {
        {demo.then(|| view! { <p class="demo-note recovery-demo" role="note"><strong>"Demo. "</strong>"This console serves the bundled demo: the deployment comes from the demo manifests, and evidence lines starting with \"demo\" are demo evidence, not measurements of a running store."</p> })}
        <h2 class="recovery-deployment-title">{d.key()}</h2>
        <p class=format!("recovery-readiness status-{}", d.readiness.status.id()) role="status">
            <strong>{d.readiness.line.clone()}</strong>
        </p>
        <p class="muted">
            "Topology: "{class_label(d.topology)}
            {d.project.clone().map(|p| format!(" · Feast project {p}"))}
            " · "<span class="recovery-probed-by">{probe_line}</span>
            " · "<a href=topology_href>"topology of this deployment"</a>
        </p>
        <PriorityTable components=d.components caption=caption/>
    }
    .into_any()
}
