//! A timeline filter's CSV and JSON downloads: every matching entry the viewer may see, newest
//! first, up to [`MAX_EXPORT_ROWS`]; past that the file ends with a note saying where it was cut.
//! CSV cells go through the project's writer (`util::csv`), with its formula guard.

use serde::Serialize;

use super::timeline::TimelineEntry;
use crate::util::csv::line;

/// Rows in one export at most.
pub const MAX_EXPORT_ROWS: usize = 10_000;

pub const CSV_HEADER: [&str; 14] = [
    "id",
    "observed_at",
    "not_before",
    "registry",
    "project",
    "kind",
    "name",
    "change",
    "who",
    "audit_id",
    "reverts_audit",
    "row_updated",
    "fields",
    "field_count",
];

/// "truncated at N rows: ...", the note both formats carry when rows were left out.
pub fn truncated_note(rows: usize) -> String {
    format!(
        "truncated at {rows} rows: narrow the filter (since, until, kind, project) for the rest"
    )
}

/// The CSV file; `truncated` adds the note as its last line.
pub fn history_csv(entries: &[TimelineEntry], truncated: bool) -> String {
    let mut out = line(CSV_HEADER);
    let time =
        |t: Option<crate::util::time::Instant>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
    let id = |i: Option<i64>| i.map(|i| i.to_string()).unwrap_or_default();
    for e in entries {
        let fields = e
            .fields
            .iter()
            .map(|f| {
                format!(
                    "{}: {} → {}",
                    f.path,
                    f.before.as_deref().unwrap_or("(none)"),
                    f.after.as_deref().unwrap_or("(none)")
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        out.push_str(&line([
            e.id.to_string(),
            e.observed_at.to_rfc3339(),
            time(e.not_before),
            e.registry.clone(),
            e.project.clone(),
            e.kind.as_str().to_string(),
            e.name.clone(),
            e.change.as_str().to_string(),
            e.who(),
            id(e.audit_id),
            id(e.reverts_audit),
            time(e.row_updated),
            fields,
            e.fields.len().to_string(),
        ]));
    }
    if truncated {
        out.push_str(&line([truncated_note(entries.len())]));
    }
    out
}

#[derive(Serialize)]
struct JsonExport<'a> {
    entries: &'a [TimelineEntry],
    truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

/// The JSON file: `{"entries": [...], "truncated": bool, "note": "..."}`.
pub fn history_json(entries: &[TimelineEntry], truncated: bool) -> Result<String, String> {
    serde_json::to_string_pretty(&JsonExport {
        entries,
        truncated,
        note: truncated.then(|| truncated_note(entries.len())),
    })
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::model::ObjectKind;
    use crate::history::model::{ChangeType, FieldChange};
    use crate::util::csv::formula_cells;
    use crate::util::time::Instant;

    fn entry(text: &str) -> TimelineEntry {
        TimelineEntry {
            id: 1,
            registry: text.into(),
            project: text.into(),
            kind: ObjectKind::Permission,
            name: text.into(),
            change: ChangeType::Changed,
            fields: vec![FieldChange {
                path: text.into(),
                before: Some(text.into()),
                after: None,
            }],
            observed_at: Instant {
                seconds: 0,
                nanos: 0,
            },
            not_before: None,
            row_updated: None,
            audit_id: None,
            actor: Some(text.into()),
            reverts_audit: None,
        }
    }

    #[test]
    fn the_csv_neutralises_formulas_and_says_where_it_was_cut() {
        let hostile = [
            "=HYPERLINK(\"http://evil.example\")",
            "+1",
            "-2",
            "@SUM(A1)",
            "\tx",
        ];
        let entries: Vec<TimelineEntry> = hostile.iter().map(|h| entry(h)).collect();
        let csv = history_csv(&entries, true);
        assert!(formula_cells(&csv).is_empty(), "{csv}");
        assert!(csv.starts_with("id,observed_at,not_before,registry"));
        assert!(csv.ends_with(&line([truncated_note(5)])), "{csv}");
        assert!(!history_csv(&entries, false).contains("truncated at"));
    }

    #[test]
    fn the_json_says_whether_it_was_cut() {
        let json: serde_json::Value =
            serde_json::from_str(&history_json(&[entry("a")], true).unwrap()).unwrap();
        assert_eq!(json["truncated"], true);
        assert_eq!(json["entries"][0]["name"], "a");
        assert!(json["note"]
            .as_str()
            .unwrap()
            .starts_with("truncated at 1 rows"));
        let whole: serde_json::Value =
            serde_json::from_str(&history_json(&[], false).unwrap()).unwrap();
        assert!(whole.get("note").is_none());
    }
}
