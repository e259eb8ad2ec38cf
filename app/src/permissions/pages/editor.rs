//! The editor form. Server-rendered from the stored permission; submitting runs the server
//! function (validation, preview, save or delete) and shows its answer beside the form.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::permissions::api::RegistryChoice;
use crate::permissions::api::{
    permission_editor_choices, permission_editor_load, PermissionEditorSubmit,
};
use crate::permissions::editor::form::{PermissionForm, POLICY_KINDS, SHORTCUTS};
use crate::permissions::editor::{EditorData, SubmitOutcome};
use crate::permissions::model::{Action, ProjectData, ResourceType};
use crate::ui::PageHeader;
use crate::util::percent::query_value;

#[component]
pub fn PermissionEditorPage() -> impl IntoView {
    let params = use_query_map();
    let key = move || {
        let p = params.read();
        (
            p.get("registry").unwrap_or_default(),
            p.get("project").unwrap_or_default(),
            p.get("name").unwrap_or_default(),
        )
    };
    let data = crate::ui::page_resource(key, |(r, p, n)| async move {
        // Opened without a place for the permission: ask for one instead of failing.
        if r.is_empty() || p.is_empty() {
            return Err(ServerFnError::new(
                "this address names no registry and project for the permission",
            ));
        }
        permission_editor_load(r, p, n).await
    });
    view! {
        <PageHeader title="Edit permission" lead="Change who may do what, see the effect before saving, and leave a reason in the audit log."/>
        <p><a href="/permissions">"← Permissions"</a>" · "<a href="/permissions/audit">"Audit log"</a></p>
        <Suspense fallback=|| view! { <p class="muted">"Loading the permission…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <Choose reason=crate::ui::error_text(&e)/> }.into_any(),
                    Ok(d) => view! { <Editor data=d/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Where a new permission can go: every registry's projects, each a link to the editor.
#[component]
fn Choose(reason: String) -> impl IntoView {
    let choices = crate::ui::page_resource(|| (), |_| permission_editor_choices());
    view! {
        <section class="empty-state" aria-labelledby="choose-title">
            <h2 id="choose-title">"Choose where the permission goes"</h2>
            <div class="empty-body">
                <p>{reason}</p>
                <p>"A permission belongs to one project of one registry. Start a new one below, or open an existing one from "<a href="/permissions">"the permissions matrix"</a>"."</p>
                <Suspense fallback=|| view! { <p class="muted">"Loading registries…"</p> }>
                    {move || Suspend::new(async move {
                        match choices.await {
                            Err(e) => view! { <p>{crate::ui::error_text(&e)}</p> }.into_any(),
                            Ok(list) if list.is_empty() => view! { <p>"No registry is connected."</p> }.into_any(),
                            Ok(list) => view! { <ul class="editor-choices">{list.into_iter().map(choice).collect_view()}</ul> }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </section>
    }
}

fn choice(r: RegistryChoice) -> impl IntoView {
    let status = match (&r.read_only, r.projects.is_empty()) {
        (Some(why), _) => Some(format!("read-only: {why}")),
        (None, true) => Some("not read yet, or no project".to_string()),
        (None, false) => None,
    };
    let links = r.read_only.is_none().then(|| {
        r.projects
            .iter()
            .map(|p| {
                let href = format!(
                    "/permissions/edit?registry={}&project={}",
                    query_value(&r.name),
                    query_value(p)
                );
                view! { <li><a href=href>"New permission in "{p.clone()}</a></li> }
            })
            .collect_view()
    });
    view! {
        <li>
            "Registry "<code>{r.name.clone()}</code>
            {r.demo.is_some().then(|| view! { " " <span class="badge">"demo"</span> })}
            {status.map(|s| view! { <span class="muted">" — "{s}</span> })}
            <ul>{links}</ul>
        </li>
    }
}

fn field_error(outcome: &Option<SubmitOutcome>, field: &str) -> Option<String> {
    let o = outcome.as_ref()?;
    let msgs: Vec<String> = o
        .errors
        .iter()
        .filter(|e| e.field == field)
        .map(|e| e.message.clone())
        .collect();
    (!msgs.is_empty()).then(|| msgs.join("; "))
}

#[component]
fn Editor(data: EditorData) -> impl IntoView {
    let EditorData {
        form,
        read_only,
        missing,
        write_note,
        project: project_data,
        demo,
    } = data;
    // Recomputed in the browser on every change of the form (the evaluator runs in wasm).
    let live = RwSignal::new(None::<SubmitOutcome>);
    let wrap = NodeRef::<leptos::html::Div>::new();
    let has_live = project_data.is_some();
    let project_data = project_data.map(std::sync::Arc::new);
    // Answers of the lazily loaded preview arrive asynchronously: only the latest edit's is shown.
    let edits = StoredValue::new(0u64);
    let on_change = move |_| {
        use leptos::form::FromFormData;
        use leptos::wasm_bindgen::JsCast;
        let (Some(data), Some(div)) = (project_data.as_ref(), wrap.get()) else {
            return;
        };
        let Ok(Some(el)) = div.query_selector("form") else {
            return;
        };
        let Ok(fd) = leptos::web_sys::FormData::new_with_form(el.unchecked_ref()) else {
            return;
        };
        if let Ok(args) = PermissionEditorSubmit::from_form_data(&fd) {
            let data = data.clone();
            let edit = edits.get_value() + 1;
            edits.set_value(edit);
            leptos::task::spawn_local(async move {
                let outcome = live_preview_loaded(args.form, data).await;
                if edits.get_value() == edit {
                    live.set(Some(outcome));
                }
            });
        }
    };
    let submit = ServerAction::<PermissionEditorSubmit>::new();
    let outcome = move || submit.value().get().and_then(Result::ok);
    let server_error = move || {
        submit
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| crate::ui::error_text(&e))
    };
    // After a save the next edit starts from what was written.
    let version = RwSignal::new(form.version.clone());
    let original = RwSignal::new(form.original_name.clone());
    Effect::new(move |_| {
        if let Some(o) = outcome() {
            if let (Some(v), Some(n)) = (o.version.clone(), o.name.clone()) {
                version.set(v);
                original.set(n);
            }
        }
    });
    let disabled = read_only.is_some();
    let err = move |field: &'static str| {
        move || {
            field_error(&outcome(), field)
                .map(|m| view! { <p class="field-error" role="alert">{m}</p> })
        }
    };
    let PermissionForm {
        registry,
        project,
        name,
        types,
        name_patterns,
        required_tags,
        actions,
        policy_kind,
        roles,
        groups,
        namespaces,
        tags,
        ..
    } = form;
    view! {
        {demo.map(|note| view! { <super::demo::DemoNotice note can_reset=true/> })}
        {read_only.map(|r| view! { <p class="registry-error" role="alert">"This registry cannot be edited: "{r}</p> })}
        {missing.map(|m| view! { <p class="muted">{m}</p> })}
        {write_note.map(|n| view! { <p class="muted perm-write-note">{n}</p> })}
        <p class="muted">"Registry "<code>{registry.clone()}</code>" · project "<code>{project.clone()}</code></p>
        <div node_ref=wrap on:input=on_change.clone() on:change=on_change>
        <ActionForm action=submit attr:class="perm-editor" attr:aria-label="Permission">
            <input type="hidden" name="form[registry]" value=registry/>
            <input type="hidden" name="form[project]" value=project/>
            <input type="hidden" name="form[original_name]" value=move || original.get()/>
            <input type="hidden" name="form[version]" value=move || version.get()/>
            <label>"Name" <input name="form[name]" value=name required/></label>
            {err("name")}
            <fieldset>
                <legend>"Types (none checked: every type)"</legend>
                {ResourceType::ALL.into_iter().map(|t| view! {
                    <label class="check"><input type="checkbox" name=format!("form[types][{}]", t.name()) checked=types.contains_key(t.name())/>{t.name()}</label>
                }).collect_view()}
            </fieldset>
            {err("types")}
            <label>"Name patterns (Python re.fullmatch, one per line)" <textarea name="form[name_patterns]" rows="3">{name_patterns}</textarea></label>
            {err("name_patterns")}
            <label>"Required tags (key=value per line; Feast applies them only to Permission objects)" <textarea name="form[required_tags]" rows="2">{required_tags}</textarea></label>
            {err("required_tags")}
            <fieldset>
                <legend>"Actions"</legend>
                {SHORTCUTS.into_iter().map(|(s, help)| view! {
                    <label class="check" title=help><input type="checkbox" name=format!("form[actions][{s}]") checked=false/>{s}</label>
                }).collect_view()}
                <br/>
                {Action::ALL.into_iter().map(|a| view! {
                    <label class="check"><input type="checkbox" name=format!("form[actions][{}]", a.name()) checked=actions.contains_key(a.name())/>{a.name()}</label>
                }).collect_view()}
            </fieldset>
            {err("actions")}
            <label>"Policy"
                <select name="form[policy_kind]">
                    {POLICY_KINDS.into_iter().map(|(k, label)| view! { <option value=k selected=policy_kind == k>{label}</option> }).collect_view()}
                    {(policy_kind == "allow_all").then(|| view! { <option value="allow_all" selected=true>"AllowAll (cannot be saved)"</option> })}
                </select>
            </label>
            {err("policy_kind")}
            <label>"Roles (comma-separated)" <input name="form[roles]" value=roles/></label>
            <label>"Groups" <input name="form[groups]" value=groups/></label>
            <label>"Namespaces" <input name="form[namespaces]" value=namespaces/></label>
            <label>"Tags (key=value per line)" <textarea name="form[tags]" rows="2">{tags}</textarea></label>
            {err("tags")}
            <label>"Reason (kept in the audit log; required to save or delete)" <input name="form[reason]"/></label>
            {err("reason")}
            <div class="perm-buttons">
                <button type="submit" name="form[intent]" value="preview" disabled=disabled>"Preview"</button>
                <button type="submit" name="form[intent]" value="save" disabled=disabled>"Save"</button>
                <button type="submit" name="form[intent]" value="delete" class="danger" disabled=disabled>"Delete"</button>
            </div>
        </ActionForm>
        </div>
        {has_live.then(|| view! {
            <section class="perm-outcome" aria-live="polite" aria-labelledby="perm-live">
                <h2 id="perm-live">"Live preview"</h2>
                {move || match live.get() {
                    None => view! { <p class="muted">"Change the form to see the effect here as you type (computed in your browser); Preview asks the server."</p> }.into_any(),
                    Some(o) => view! { <Outcome outcome=o/> }.into_any(),
                }}
            </section>
        })}
        <section class="perm-outcome" aria-live="polite" aria-labelledby="perm-preview">
            <h2 id="perm-preview">"Effect"</h2>
            {move || submit.pending().get().then(|| view! { <p class="muted">"Working…"</p> })}
            {move || server_error().map(|e| view! { <p class="registry-error" role="alert">{e}</p> })}
            {move || outcome().map(|o| view! { <Outcome outcome=o/> })}
        </section>
    }
}

/// The live preview's code (the pattern compiler with its regex engine and Unicode tables, the
/// evaluator) is a module of its own, fetched on the first edit: a first visit to the editor
/// does not download it.
#[leptos::lazy]
fn live_preview_loaded(form: PermissionForm, data: std::sync::Arc<ProjectData>) -> SubmitOutcome {
    crate::permissions::editor::live_preview(&form, &data)
}

#[component]
fn Outcome(outcome: SubmitOutcome) -> impl IntoView {
    let SubmitOutcome {
        errors,
        preview,
        preview_more,
        done,
        conflict,
        failure,
        spec,
        ..
    } = outcome;
    // The Python only for a definition that is valid and was not refused.
    let snippet = spec.filter(|_| errors.is_empty() && conflict.is_none() && failure.is_none());
    let no_change = preview.is_empty() && errors.is_empty();
    view! {
        {done.map(|d| view! { <p class="perm-done" role="status">{d}</p> })}
        {conflict.map(|c| view! { <p class="registry-error perm-conflict" role="alert">{c}</p> })}
        {failure.map(|f| view! { <p class="registry-error" role="alert">{f}</p> })}
        {(!errors.is_empty()).then(|| view! { <p class="registry-error" role="alert">"Fix the fields marked above."</p> })}
        {no_change.then(|| view! { <p class="muted">"No change in effective access."</p> })}
        {(!preview.is_empty()).then(|| view! {
            <div class="table-scroll">
                <table class="perm-table perm-preview">
                    <thead><tr><th>"Principal"</th><th>"Object"</th><th>"Request"</th><th>"Change"</th></tr></thead>
                    <tbody>
                        {preview.into_iter().map(|c| view! {
                            <tr class=if c.gains { "gain" } else { "loss" }>
                                <td>{c.principal}</td><td>{c.object}</td><td>{c.actions}</td>
                                <td>{if c.gains { "gains" } else { "loses" }}" ("{c.before}" → "{c.after}")"</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
        {(preview_more > 0).then(|| view! { <p class="muted">{format!("… and {preview_more} more changes.")}</p> })}
        {snippet.map(|spec| view! { <super::snippet::PythonSnippet spec/> })}
    }
}
