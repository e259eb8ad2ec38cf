//! What the history pages share: reading their query from the URL, and the field diff of one
//! changed object.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::history::model::FieldChange;

/// The changed fields as a table of path, before and after, inside a `<details>` (a native
/// disclosure: focusable, opened with Enter or Space). `open` shows it expanded.
#[component]
pub fn FieldDiff(fields: Vec<FieldChange>, #[prop(optional)] open: bool) -> impl IntoView {
    let count = fields.len();
    let label = if count == 1 {
        "1 field changed".to_string()
    } else {
        format!("{count} fields changed")
    };
    let value = |v: Option<String>| match v {
        Some(v) => view! { <code>{v}</code> }.into_any(),
        None => view! { <span class="muted">"(absent)"</span> }.into_any(),
    };
    (count > 0).then(|| {
        view! {
            <details class="history-diff" data-testid="field-diff" open=open>
                <summary>{label}</summary>
                <table class="history-diff-table">
                    <thead><tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                    <tbody>
                        {fields.into_iter().map(|f| view! {
                            <tr>
                                <th scope="row"><code>{f.path}</code></th>
                                <td class="history-before">{value(f.before)}</td>
                                <td class="history-after">{value(f.after)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        }
    })
}

/// The ignored fields, said once per page.
#[component]
pub fn IgnoredNote() -> impl IntoView {
    view! {
        <p class="muted small" data-testid="ignored-fields">
            "Fields that always differ between reads are not compared ("
            {crate::history::diff::ignored_note()}")."
        </p>
    }
}

/// The page's query, from the URL's query string (only `keys`; `parse` is the query's
/// `from_pairs`).
pub fn url_query<Q>(keys: &'static [&'static str], parse: fn(&[(&str, &str)]) -> Q) -> Memo<Q>
where
    Q: Clone + PartialEq + Send + Sync + 'static,
{
    let query_map = use_query_map();
    Memo::new(move |_| {
        let map = query_map.read();
        let values: Vec<(&str, String)> = keys
            .iter()
            .filter_map(|k| map.get(k).map(|v| (*k, v)))
            .collect();
        let pairs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        parse(&pairs)
    })
}
