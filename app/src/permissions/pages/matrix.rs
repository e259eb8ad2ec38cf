//! Rendering of `/permissions`. Works without JavaScript: the filters are GET forms, each
//! matrix cell explains itself in a `<details>`, CSV exports are `data:` links.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::permissions::api::{permissions_view, PermissionsPageData};
use crate::permissions::model::{Action, ResourceType};
use crate::permissions::page_model::csv::{matrix_csv, user_csv};
use crate::permissions::page_model::model::{MatrixView, ProjectView, UserView, ViewQuery};
use crate::ui::{EmptyState, ErrorState, PageHeader};
use crate::util::percent::{data_url, query_value};

fn query_from(params: &leptos_router::params::ParamsMap) -> ViewQuery {
    let get = |k: &str| params.get(k).unwrap_or_default();
    ViewQuery {
        registry: get("registry"),
        project: get("project"),
        principals: get("principals"),
        who: get("who"),
        r#type: get("type"),
        action: get("action"),
        object: get("object"),
        roles: get("roles"),
        groups: get("groups"),
        namespaces: get("namespaces"),
    }
}

#[component]
pub fn PermissionsPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| query_from(&params.read()));
    let data = Resource::new(move || query.get(), permissions_view);
    view! {
        <PageHeader title="Permissions" lead="See exactly who may do what on which object: the same decision Feast’s own server makes."/>
        <Suspense fallback=|| view! { <p class="muted">"Evaluating permissions…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! {
                        <ErrorState title="Permissions unavailable" error=e href="/catalog" label="Go to the catalog"/>
                    }.into_any(),
                    Ok(d) if d.registries.is_empty() => view! {
                        <EmptyState title="No registry connected">
                            <p>"Start the console with --registry SOURCE to see who may do what."</p>
                        </EmptyState>
                    }.into_any(),
                    Ok(d) => view! { <Loaded data=d query=query.get_untracked()/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Loaded(data: PermissionsPageData, query: ViewQuery) -> impl IntoView {
    let PermissionsPageData {
        registries,
        registry,
        project,
        view,
        can_edit,
    } = data;
    let read_only = registries
        .iter()
        .find(|r| r.name == registry)
        .and_then(|r| r.read_only.clone());
    let demo = registries
        .iter()
        .find(|r| r.name == registry)
        .and_then(|r| r.demo.clone());
    let choices = registries
        .iter()
        .flat_map(|r| r.projects.iter().map(move |p| (r.name.clone(), p.clone())))
        .collect::<Vec<_>>();
    let here = format!(
        "registry={}&project={}",
        query_value(&registry),
        query_value(&project)
    );
    let edit_links = can_edit && read_only.is_none();
    let header = view! {
        {demo.map(|note| view! { <super::demo::DemoNotice note can_reset=can_edit/> })}
        <nav class="perm-links" aria-label="Permission tools">
            {edit_links.then(|| view! { <a href=format!("/permissions/edit?{here}")>"New permission"</a> })}
            {can_edit.then(|| view! { <a href="/permissions/audit">"Audit log"</a> })}
        </nav>
        {(can_edit && read_only.is_some()).then(|| view! {
            <p class="muted">"Read-only: "{read_only.clone().unwrap_or_default()}</p>
        })}
    };
    let Some(view) = view else {
        return view! { {header} <EmptyState title="No such project">
            <p>"Pick a registry and project."</p>
            {(!can_edit).then(|| view! { <p>"A project is listed here when Feast would let you describe it and every one of its permissions."</p> })}
        </EmptyState> }.into_any();
    };
    view! {
        {header}
        <Filters choices registry=registry.clone() project=project.clone() query=query.clone()/>
        {(!view.notes.is_empty()).then(|| view! {
            <ul class="perm-notes">{view.notes.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view()}</ul>
        })}
        <div class="perm-layout">
            <section class="perm-main" aria-labelledby="perm-matrix">
                <h2 id="perm-matrix">"Access matrix — "{project.clone()}</h2>
                <Matrix matrix=view.matrix.clone()/>
            </section>
            <aside class="perm-lints" aria-labelledby="perm-lints">
                <h2 id="perm-lints">"Lints"</h2>
                <Lints view=view.clone()/>
            </aside>
        </div>
        <PermissionList view=view.clone() edit=edit_links here=here.clone()/>
        <AsUser view=view.clone() query=query.clone() registry=registry.clone() project=project.clone()/>
        <PerObject view=view/>
    }
    .into_any()
}

#[component]
fn Filters(
    choices: Vec<(String, String)>,
    registry: String,
    project: String,
    query: ViewQuery,
) -> impl IntoView {
    let mut registries: Vec<String> = choices.iter().map(|(r, _)| r.clone()).collect();
    registries.dedup();
    let projects: Vec<String> = choices
        .iter()
        .filter(|(r, _)| *r == registry)
        .map(|(_, p)| p.clone())
        .collect();
    let types = ResourceType::ALL.map(|t| t.name().to_string()).to_vec();
    let actions = Action::ALL.map(|a| a.name().to_string()).to_vec();
    view! {
        <form method="get" action="/permissions" class="perm-filters" aria-label="Filters">
            <FilterSelect label="Registry " name="registry" options=registries selected=registry/>
            <FilterSelect label="Project " name="project" options=projects selected=project/>
            <label>"Principal contains " <input name="who" value=query.who.clone()/></label>
            <FilterSelect label="Type " name="type" options=types selected=query.r#type.clone() any=true/>
            <FilterSelect label="Action " name="action" options=actions selected=query.action.clone() any=true/>
            <label>"Object name contains " <input name="object" value=query.object.clone()/></label>
            <label>"Add principals " <input name="principals" placeholder="role:x, group:y, namespace:z" value=query.principals.clone()/></label>
            <button type="submit">"Apply"</button>
        </form>
    }
}

/// A labelled select of `options` with `selected` chosen; `any` puts an empty "all" first.
#[component]
fn FilterSelect(
    label: &'static str,
    name: &'static str,
    options: Vec<String>,
    selected: String,
    #[prop(optional)] any: bool,
) -> impl IntoView {
    view! {
        <label>{label}
            <select name=name>
                {any.then(|| view! { <option value="">"all"</option> })}
                {options.into_iter().map(|o| {
                    let is_selected = o == selected;
                    view! { <option value=o.clone() selected=is_selected>{o.clone()}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

#[component]
fn Matrix(matrix: MatrixView) -> impl IntoView {
    if matrix.principals.is_empty() {
        return view! { <p class="muted">"No principal is named in any policy; add one above to see its access."</p> }.into_any();
    }
    let csv = data_url("text/csv", &matrix_csv(&matrix));
    let MatrixView {
        principals,
        columns,
        rows,
    } = matrix;
    view! {
        <p><a href=csv download="permissions-matrix.csv">"Export CSV"</a></p>
        <div class="perm-scroll">
            <table class="perm-matrix">
                <thead>
                    <tr>
                        <th scope="col">"Principal"</th>
                        {columns.iter().map(|(t, a)| view! { <th scope="col"><span class="perm-type">{t.clone()}</span><br/>{a.clone()}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {principals.into_iter().zip(rows).map(|(p, row)| view! {
                        <tr>
                            <th scope="row">{p}</th>
                            {row.into_iter().map(|c| {
                                let class = if c.total == 0 { "perm-cell none" } else if c.allowed == c.total { "perm-cell all" } else if c.allowed == 0 { "perm-cell deny" } else { "perm-cell some" };
                                view! {
                                    <td class=class>
                                        <details>
                                            <summary>{format!("{}/{}", c.allowed, c.total)}</summary>
                                            <ul>{c.explanation.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                                        </details>
                                    </td>
                                }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn Lints(view: ProjectView) -> impl IntoView {
    if view.lints.is_empty() {
        return view! { <p class="muted">"No lints."</p> }.into_any();
    }
    view! {
        <ul class="perm-lint-list">
            {view.lints.into_iter().map(|l| view! {
                <li class=format!("lint {}", l.severity)>
                    <strong>{l.severity.clone()}</strong>" "<code>{l.code}</code>
                    {(!l.permission.is_empty()).then(|| view! { " · "{l.permission.clone()} })}
                    <p>{l.message}</p>
                    {(!l.objects.is_empty()).then(|| view! { <p class="muted">"Objects: "{l.objects.clone()}</p> })}
                    {(!l.principals.is_empty()).then(|| view! { <p class="muted">"Principals: "{l.principals.clone()}</p> })}
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn PermissionList(view: ProjectView, edit: bool, here: String) -> impl IntoView {
    view! {
        <section aria-labelledby="perm-list">
            <h2 id="perm-list">"Permissions ("{view.permissions.len()}")"</h2>
            <div class="table-scroll">
                <table class="perm-table">
                    <thead><tr><th>"Name"</th><th>"Types"</th><th>"Name patterns"</th><th>"Required tags"</th><th>"Actions"</th><th>"Policy"</th></tr></thead>
                    <tbody>
                        {view.permissions.into_iter().map(|p| {
                            let link = format!("/permissions/edit?{here}&name={}", query_value(&p.name));
                            view! {
                                <tr>
                                    <td>{if edit { view! { <a href=link>{p.name.clone()}</a> }.into_any() } else { view! { {p.name.clone()} }.into_any() }}</td>
                                    <td>{p.types}</td><td><code>{p.name_patterns}</code></td><td>{p.required_tags}</td><td>{p.actions}</td><td>{p.policy}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn AsUser(view: ProjectView, query: ViewQuery, registry: String, project: String) -> impl IntoView {
    let roles = RwSignal::new(query.roles.clone());
    let groups = RwSignal::new(query.groups.clone());
    let namespaces = RwSignal::new(query.namespaces.clone());
    let token = RwSignal::new(String::new());
    let client_id = RwSignal::new(String::new());
    let token_note = RwSignal::new(None::<Result<String, String>>);
    // The token is decoded here in the browser and never sent: only the lists it yields are.
    let read_token = move || {
        let t = token.get_untracked();
        if t.trim().is_empty() {
            token_note.set(None);
            return;
        }
        match crate::permissions::page_model::token::user_from_token(&t, &client_id.get_untracked())
        {
            Ok((r, g, n, note)) => {
                roles.set(r);
                groups.set(g);
                namespaces.set(n);
                token_note.set(Some(Ok(note)));
            }
            Err(e) => token_note.set(Some(Err(e))),
        }
    };
    view! {
        <section aria-labelledby="perm-as-user">
            <h2 id="perm-as-user">"As a user"</h2>
            <form method="get" action="/permissions" class="perm-filters" aria-label="As a user">
                <input type="hidden" name="registry" value=registry/>
                <input type="hidden" name="project" value=project/>
                <label>"Roles " <input name="roles" value=query.roles.clone() prop:value=move || roles.get() on:input=move |ev| roles.set(event_target_value(&ev))/></label>
                <label>"Groups " <input name="groups" value=query.groups.clone() prop:value=move || groups.get() on:input=move |ev| groups.set(event_target_value(&ev))/></label>
                <label>"Namespaces " <input name="namespaces" value=query.namespaces.clone() prop:value=move || namespaces.get() on:input=move |ev| namespaces.set(event_target_value(&ev))/></label>
                <label>"Or paste a token (read in your browser, not sent) "
                    <textarea rows="1" aria-label="Token" on:input=move |ev| { token.set(event_target_value(&ev)); read_token(); }></textarea>
                </label>
                <label>"Feast auth client_id " <input aria-label="Feast client id" on:input=move |ev| { client_id.set(event_target_value(&ev)); read_token(); }/></label>
                <button type="submit">"Show access"</button>
            </form>
            {move || token_note.get().map(|n| match n {
                Ok(note) => view! { <p class="muted" role="status">"Token: "{note}</p> }.into_any(),
                Err(e) => view! { <p class="field-error" role="alert">"Token: "{e}</p> }.into_any(),
            })}
            {view.as_user.map(|u| view! { <UserTable user=u/> })}
        </section>
    }
}

#[component]
fn UserTable(user: UserView) -> impl IntoView {
    let csv = data_url("text/csv", &user_csv(&user));
    view! {
        <p>"A user with "{user.user.clone()}". "<a href=csv download="permissions-as-user.csv">"Export CSV"</a></p>
        <div class="perm-scroll">
            <table class="perm-table">
                <thead><tr><th>"Object"</th>{user.actions.iter().map(|a| view! { <th>{a.clone()}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {user.rows.into_iter().map(|r| view! {
                        <tr>
                            <th scope="row"><span class="perm-type">{r.object_type}</span>" "{r.name}</th>
                            {r.cells.into_iter().map(|c| view! {
                                <td class=if c.allowed { "perm-cell all" } else { "perm-cell deny" }>
                                    {if c.allowed { "allowed" } else { "denied" }}
                                    <span class="perm-why">{c.why}</span>
                                </td>
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn PerObject(view: ProjectView) -> impl IntoView {
    view! {
        <section aria-labelledby="perm-objects">
            <h2 id="perm-objects">"Who may do what, per object"</h2>
            {(view.objects_truncated > 0).then(|| view! {
                <p class="muted">{format!("{} more objects not shown; filter by name or type.", view.objects_truncated)}</p>
            })}
            <div class="perm-scroll">
                <table class="perm-table">
                    <thead><tr><th>"Object"</th><th>"Action"</th><th>"Allowed principals"</th></tr></thead>
                    <tbody>
                        {view.objects.into_iter().flat_map(|o| {
                            let label = format!("{} {}", o.object_type, o.name);
                            o.actions.into_iter().map(move |(a, who)| view! {
                                <tr>
                                    <th scope="row">{label.clone()}</th>
                                    <td>{a}</td>
                                    <td>{if who.is_empty() { "nobody".to_string() } else { who.join(", ") }}</td>
                                </tr>
                            })
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
