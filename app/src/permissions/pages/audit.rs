//! `/permissions/audit`: every permission change the console made or tried, newest first, with
//! whether it is in the registry (committed, failed, unknown, or still pending), filtered by
//! registry, project, permission and actor, exportable as CSV.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::permissions::api::{permission_audit_list, AuditFilter, AuditRecord};
use crate::permissions::audit_state::AuditState;
use crate::permissions::reverted::reverted_text;
use crate::ui::{EmptyState, ErrorState, PageHeader};
use crate::util::csv::line;
use crate::util::percent::data_url;
use crate::util::time::utc_from_millis;

pub fn audit_csv(records: &[AuditRecord]) -> String {
    let mut out = String::from("id,at,actor,registry,project,permission,operation,state,detail,reason,before_version,after_version,before,after,reverted\n");
    let json = |s: &Option<crate::permissions::model::PermissionSpec>| {
        s.as_ref()
            .and_then(|s| serde_json::to_string(s).ok())
            .unwrap_or_default()
    };
    for r in records {
        let fields = [
            r.id.to_string(),
            utc_from_millis(r.at_ms),
            r.actor.clone(),
            r.registry.clone(),
            r.project.clone(),
            r.permission.clone(),
            r.operation.clone(),
            r.state.as_str().to_string(),
            r.detail.clone(),
            r.reason.clone(),
            r.before_version.clone(),
            r.after_version.clone(),
            json(&r.before),
            json(&r.after),
            r.reverted.as_ref().map(reverted_text).unwrap_or_default(),
        ];
        out.push_str(&line(fields));
    }
    out
}

#[component]
pub fn PermissionAuditPage() -> impl IntoView {
    let params = use_query_map();
    let filter = Memo::new(move |_| {
        let p = params.read();
        let get = |k: &str| p.get(k).unwrap_or_default();
        AuditFilter {
            registry: get("registry"),
            project: get("project"),
            permission: get("permission"),
            actor: get("actor"),
            limit: 500,
        }
    });
    let records = crate::ui::page_resource(move || filter.get(), permission_audit_list);
    let f = filter.get_untracked();
    view! {
        <PageHeader title="Permission audit log" lead="Who changed which permission, when, why, what it was before and after, and whether the change is in the registry."/>
        <p><a href="/permissions">"← Permissions"</a></p>
        <form method="get" action="/permissions/audit" class="perm-filters" aria-label="Filter the audit log">
            <label>"Registry " <input name="registry" value=f.registry/></label>
            <label>"Project " <input name="project" value=f.project/></label>
            <label>"Permission " <input name="permission" value=f.permission/></label>
            <label>"Actor " <input name="actor" value=f.actor/></label>
            <button type="submit">"Filter"</button>
        </form>
        <Suspense fallback=|| view! { <p class="muted">"Reading the audit log…"</p> }>
            {move || Suspend::new(async move {
                match records.await {
                    Err(e) => view! { <ErrorState title="Audit log unavailable" error=e href="/permissions" label="Back to permissions"/> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <EmptyState title="No audit records"><p>"Nothing matches; changes made in the permission editor appear here."</p></EmptyState>
                    }.into_any(),
                    Ok(list) => view! { <AuditTable records=list/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AuditTable(records: Vec<AuditRecord>) -> impl IntoView {
    let csv = data_url("text/csv", &audit_csv(&records));
    let pretty = |s: &Option<crate::permissions::model::PermissionSpec>| {
        s.as_ref()
            .and_then(|s| serde_json::to_string_pretty(s).ok())
            .unwrap_or_else(|| "(none)".into())
    };
    view! {
        <p><a href=csv download="permission-audit.csv">"Export CSV"</a></p>
        <div class="table-scroll">
            <table class="perm-table perm-audit">
                <thead><tr><th>"When"</th><th>"Who"</th><th>"Where"</th><th>"Permission"</th><th>"Change"</th><th>"State"</th><th>"Reason"</th><th>"Before / after"</th></tr></thead>
                <tbody>
                    {records.into_iter().map(|r| {
                        let (before, after) = (pretty(&r.before), pretty(&r.after));
                        let saved = r.after.clone().filter(|_| r.state == AuditState::Committed);
                        view! {
                            // The history's timeline links here (`#audit-N`).
                            <tr id=format!("audit-{}", r.id)>
                                <td>{utc_from_millis(r.at_ms)}</td>
                                <td>{r.actor}</td>
                                <td>{r.registry}" / "{r.project}</td>
                                <td>{r.permission}</td>
                                <td>{r.operation}<br/><span class="muted">{r.before_version}" → "{r.after_version}</span></td>
                                <td class=format!("perm-audit-{}", r.state.as_str())>
                                    {r.state.as_str()}
                                    {(!r.detail.is_empty()).then(|| view! { <br/><span class="muted">{r.detail.clone()}</span> })}
                                    {r.reverted.as_ref().map(|v| view! { <br/><strong class="perm-reverted">{reverted_text(v)}</strong> })}
                                </td>
                                <td>{r.reason}</td>
                                <td>
                                    <details>
                                        <summary>"Show"</summary>
                                        <div class="perm-diff">
                                            <pre>{before}</pre>
                                            <pre>{after}</pre>
                                        </div>
                                        {saved.map(|spec| view! { <super::snippet::PythonSnippet spec/> })}
                                    </details>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::csv::{cell, formula_cells};

    #[test]
    fn the_audit_export_neutralises_formulas() {
        let hostile = [
            "=HYPERLINK(\"http://evil.example\",\"x\")",
            "+cmd",
            "@SUM(1+1)",
            "\tX",
            "\rX",
        ];
        let records: Vec<AuditRecord> = hostile
            .iter()
            .enumerate()
            .map(|(i, h)| AuditRecord {
                id: i as i64,
                at_ms: 0,
                actor: h.to_string(),
                registry: h.to_string(),
                project: h.to_string(),
                permission: h.to_string(),
                operation: "update".into(),
                reason: h.to_string(),
                before: None,
                after: None,
                before_version: h.to_string(),
                after_version: String::new(),
                state: AuditState::Failed,
                detail: h.to_string(),
                reverted: None,
            })
            .collect();
        let csv = audit_csv(&records);
        assert!(formula_cells(&csv).is_empty(), "{csv}");
        for h in hostile {
            assert!(csv.contains(&cell(h)), "{h:?} not guarded: {csv}");
        }
    }
}
