//! The header's source selector and the footer's data age, both read from the registries the
//! console really has (the catalog overview), never invented.

use leptos::prelude::*;

use crate::catalog::{catalog_overview, overview::RegistryOverview, time::human_age};

/// One line per registry: "demo read 7 s ago", or its error.
pub fn data_age_text(registries: &[RegistryOverview]) -> String {
    if registries.is_empty() {
        return "Data age: no registry source is connected".to_string();
    }
    let parts: Vec<String> = registries
        .iter()
        .map(|r| match (r.age_seconds, &r.error) {
            (Some(age), None) => format!("{} read {} ago", r.name, human_age(age)),
            (Some(age), Some(_)) => format!("{} stale: last good read {} ago", r.name, human_age(age)),
            (None, _) => format!("{} not read yet", r.name),
        })
        .collect();
    format!("Registry data: {}", parts.join(" · "))
}

fn registries() -> Resource<Result<Vec<RegistryOverview>, ServerFnError>> {
    // Shared by the header and the footer: one call per page load.
    match use_context::<Resource<Result<Vec<RegistryOverview>, ServerFnError>>>() {
        Some(r) => r,
        None => {
            let r = Resource::new(|| (), |_| catalog_overview());
            provide_context(r);
            r
        }
    }
}

#[component]
pub fn SourceSelect() -> impl IntoView {
    let list = registries();
    view! {
        <label class="source-select">
            <span class="visually-hidden">"Registries shown"</span>
            <select disabled title="Every page shows all registries; choosing one arrives with the catalog pages">
                <Suspense fallback=|| view! { <option>"Registries…"</option> }>
                    {move || Suspend::new(async move {
                        match list.await {
                            Ok(l) if !l.is_empty() => {
                                let names: Vec<String> = l.iter().map(|r| r.name.clone()).collect();
                                view! { <option>{format!("All registries: {}", names.join(", "))}</option> }.into_any()
                            }
                            Ok(_) => view! { <option>"No registry connected"</option> }.into_any(),
                            Err(_) => view! { <option>"Registries unavailable"</option> }.into_any(),
                        }
                    })}
                </Suspense>
            </select>
        </label>
    }
}

#[component]
pub fn DataAge() -> impl IntoView {
    let list = registries();
    view! {
        <span data-testid="data-age">
            <Suspense fallback=|| "Data age: …">
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(l) => data_age_text(&l),
                        Err(e) => format!("Data age unknown: {e}"),
                    }
                })}
            </Suspense>
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(name: &str, age: Option<u64>, error: Option<&str>) -> RegistryOverview {
        RegistryOverview {
            name: name.into(),
            source: "x".into(),
            age_seconds: age,
            error: error.map(Into::into),
            projects: vec![],
        }
    }

    #[test]
    fn data_age_says_what_is_true() {
        assert_eq!(data_age_text(&[]), "Data age: no registry source is connected");
        assert_eq!(
            data_age_text(&[registry("demo", Some(7), None), registry("prod", Some(120), Some("down"))]),
            "Registry data: demo read 7 s ago · prod stale: last good read 2 min ago"
        );
        assert_eq!(data_age_text(&[registry("new", None, None)]), "Registry data: new not read yet");
    }
}
