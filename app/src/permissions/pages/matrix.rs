//! Rendering of `/permissions`. Works without JavaScript: the filters are GET forms, each
//! matrix cell is a button of a GET form naming the cell (`?explain=KEY`, the explanation is
//! drawn below the matrix; once hydrated the button fetches it with
//! [`permission_cell_explanation`] instead), CSV exports are `data:` links, the per-object
//! list is paged by links.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::permissions::api::{permission_cell_explanation, permissions_view, PermissionsPageData};
use crate::permissions::model::{Action, ResourceType};
use crate::permissions::page_model::csv::user_csv;
use crate::permissions::page_model::explain::{cell_key, CellExplanation};
use crate::permissions::page_model::model::{MatrixView, ProjectView, UserView};
use crate::permissions::page_model::query::ViewQuery;
use crate::ui::{error_text, EmptyState, ErrorState, PageHeader};
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
        page: get("page"),
        explain: get("explain"),
    }
}

/// `query` with `change` applied, without a cell to explain, as a query string.
fn query_string(query: &ViewQuery, change: impl FnOnce(&mut ViewQuery)) -> String {
    let mut q = query.clone();
    q.explain.clear();
    change(&mut q);
    q.fields()
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", query_value(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[component]
pub fn PermissionsPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| query_from(&params.read()));
    let data = crate::ui::page_resource(move || query.get(), permissions_view);
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
    // The query as drawn (the registry and project actually chosen): what a cell's key means.
    let drawn = ViewQuery {
        registry: registry.clone(),
        project: project.clone(),
        ..query.clone()
    };
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
        {can_edit.then(|| view! { <super::reverted::RevertedEdits registry=registry.clone() project=project.clone()/> })}
        {(!view.notes.is_empty()).then(|| view! {
            <ul class="perm-notes">{view.notes.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view()}</ul>
        })}
        <div class="perm-layout">
            <section class="perm-main" aria-labelledby="perm-matrix">
                <h2 id="perm-matrix">"Access matrix — "{project.clone()}</h2>
                <Matrix matrix=view.matrix.clone() query=drawn.clone() explained=view.explained.clone()/>
            </section>
            <aside class="perm-lints" aria-labelledby="perm-lints">
                <h2 id="perm-lints">"Lints"</h2>
                <Lints view=view.clone()/>
            </aside>
        </div>
        <PermissionList view=view.clone() edit=edit_links here=here.clone()/>
        <AsUser view=view.clone() query=query.clone() registry=registry.clone() project=project.clone()/>
        <PerObject view=view query=drawn/>
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

/// What the panel under the matrix shows: an explanation, or why there is none.
type Shown = Option<Result<CellExplanation, String>>;

#[component]
fn Matrix(
    matrix: MatrixView,
    query: ViewQuery,
    explained: Option<CellExplanation>,
) -> impl IntoView {
    if matrix.principals.is_empty() {
        return view! { <p class="muted">"No principal is named in any policy; add one above to see its access."</p> }.into_any();
    }
    // A download from the server: the whole matrix, not carried by the page.
    let csv = format!(
        "/permissions/matrix.csv?{}",
        query_string(&query, |q| q.page.clear())
    );
    let MatrixView {
        principals,
        columns,
        rows,
    } = matrix;
    let asked = !query.explain.is_empty();
    let shown: RwSignal<Shown> = RwSignal::new(match explained {
        Some(e) => Some(Ok(e)),
        None if asked => Some(Err(STALE.to_string())),
        None => None,
    });
    let hidden: Vec<(&'static str, String)> = query
        .fields()
        .into_iter()
        .filter(|(k, v)| *k != "explain" && !v.is_empty())
        .map(|(k, v)| (k, v.to_string()))
        .collect();
    // One listener for every cell: hydrated, a cell's button fetches its explanation instead of
    // submitting the form (which is what it does before hydration or without JavaScript).
    let open = move |ev: leptos::ev::MouseEvent| {
        use wasm_bindgen::JsCast;
        let Some(button) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("button[name=explain]").ok().flatten())
        else {
            return;
        };
        let Some(key) = button.get_attribute("value") else {
            return;
        };
        ev.prevent_default();
        shown.set(Some(Err("Explaining…".to_string())));
        let query = query.clone();
        leptos::task::spawn_local(async move {
            let answer = permission_cell_explanation(query, key).await;
            shown.set(Some(match answer {
                Ok(Some(e)) => Ok(e),
                Ok(None) => Err(STALE.to_string()),
                Err(e) => Err(error_text(&e)),
            }));
        });
    };
    view! {
        <p><a href=csv download="permissions-matrix.csv">"Export CSV"</a></p>
        // The table sits in the form: each cell's button submits it with the cell's key.
        <form id="perm-explain" method="get" action="/permissions#perm-why" aria-label="Explain a cell">
            {hidden.into_iter().map(|(k, v)| view! { <input type="hidden" name=k value=v/> }).collect_view()}
        <div class="perm-scroll">
            <table class="perm-matrix" on:click=open>
                <thead>
                    <tr>
                        <th scope="col">"Principal"</th>
                        {columns.iter().map(|(t, a)| view! { <th scope="col"><span class="perm-type">{t.clone()}</span><br/>{a.clone()}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {principals.into_iter().zip(rows).enumerate().map(|(pi, (p, row))| view! {
                        <tr>
                            <th scope="row">{p}</th>
                            {row.into_iter().enumerate().map(|(ci, c)| {
                                let class = if c.total == 0 { "perm-cell none" } else if c.allowed == c.total { "perm-cell all" } else if c.allowed == 0 { "perm-cell deny" } else { "perm-cell some" };
                                view! {
                                    <td class=class><button name="explain" value=cell_key(pi, ci)>{format!("{}/{}", c.allowed, c.total)}</button></td>
                                }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        </form>
        <div id="perm-why" class="perm-explained" aria-live="polite">
            {move || shown.get().map(|s| match s {
                Ok(e) => view! {
                    <h3>{format!("{} · {} {}: {} of {} allowed", e.principal, e.object_type, e.action, e.allowed, e.total)}</h3>
                    <ul>{e.lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                }.into_any(),
                Err(note) => view! { <p class="muted">{note}</p> }.into_any(),
            })}
        </div>
    }
    .into_any()
}

/// A key that names no cell: the registry changed since the page was drawn, or it was typed.
const STALE: &str = "That cell is not in the matrix any more; reload the page and open it again.";

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
fn PerObject(view: ProjectView, query: ViewQuery) -> impl IntoView {
    let (page, pages) = (view.objects_page, view.objects_pages);
    let link = move |to: usize| {
        format!(
            "/permissions?{}#perm-objects",
            query_string(&query, |q| q.page = to.to_string())
        )
    };
    view! {
        <section aria-labelledby="perm-objects">
            <h2 id="perm-objects">"Who may do what, per object"</h2>
            {(pages > 1).then(|| view! {
                <nav class="pager" aria-label="Object pages">
                    <span>{format!("Page {page} of {pages} ({} objects; the list as a user shows the same page). ", view.objects_total)}</span>
                    {(page > 1).then(|| view! { <a rel="prev" href=link(page - 1)>"Previous"</a>" "})}
                    {(page < pages).then(|| view! { <a rel="next" href=link(page + 1)>"Next"</a> })}
                </nav>
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
