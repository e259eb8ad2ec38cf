//! `catalog export` output: JSON `{"projects": [...], "objects": [...]}` or CSV. Pure.

use app::catalog::model::{CatalogObject, Detail};
use app::util::csv;
use serde_json::{json, Value};

pub fn to_json(
    projects: &[&CatalogObject],
    objects: &[&CatalogObject],
) -> Result<String, serde_json::Error> {
    let mut text =
        serde_json::to_string_pretty(&json!({ "projects": projects, "objects": objects }))?;
    text.push('\n');
    Ok(text)
}

/// Common columns, then the kind-specific fields as one compact JSON column.
pub const CSV_HEADER: &str = "kind,project,name,description,owner,tags,created,updated,detail";

pub fn to_csv<'a>(objects: impl IntoIterator<Item = &'a CatalogObject>) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for o in objects {
        out.push_str(&csv::line(csv_cells(o)));
    }
    out
}

/// A catalog list as CSV: the `catalog export` columns after a `registry` column.
pub fn list_csv<'a>(rows: impl IntoIterator<Item = (&'a str, &'a CatalogObject)>) -> String {
    let mut out = format!("registry,{CSV_HEADER}\n");
    for (registry, o) in rows {
        let mut cells = vec![registry.to_string()];
        cells.extend(csv_cells(o));
        out.push_str(&csv::line(cells));
    }
    out
}

/// A catalog list as a JSON array: each object with its `registry`.
pub fn list_json<'a>(
    rows: impl IntoIterator<Item = (&'a str, &'a CatalogObject)>,
) -> Result<String, serde_json::Error> {
    let mut items = Vec::new();
    for (registry, o) in rows {
        let mut value = serde_json::to_value(o)?;
        if let Value::Object(map) = &mut value {
            map.insert("registry".into(), Value::String(registry.to_string()));
        }
        items.push(value);
    }
    let mut text = serde_json::to_string_pretty(&Value::Array(items))?;
    text.push('\n');
    Ok(text)
}

fn csv_cells(o: &CatalogObject) -> [String; 9] {
    let tags = o
        .tags
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(";");
    [
        o.kind.as_str().to_string(),
        o.project.to_string(),
        o.name.to_string(),
        o.description.to_string(),
        o.owner.to_string(),
        tags,
        o.created.map(|t| t.to_rfc3339()).unwrap_or_default(),
        o.updated.map(|t| t.to_rfc3339()).unwrap_or_default(),
        detail_json(&o.detail),
    ]
}

fn detail_json(detail: &Detail) -> String {
    match serde_json::to_value(detail) {
        Ok(Value::Object(mut map)) => {
            map.remove("detail");
            if map.is_empty() {
                String::new()
            } else {
                Value::Object(map).to_string()
            }
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::catalog::model::ObjectKind;

    fn entity() -> CatalogObject {
        let mut o = CatalogObject::unreadable(ObjectKind::Entity, "p", "driver", String::new());
        o.detail = Detail::Entity {
            join_key: "driver_id".into(),
            value_type: "INT64".into(),
        };
        o.description = "A \"driver\", on the platform".into();
        o.tags = [
            ("a".to_string(), "1".to_string()),
            ("b".to_string(), "2".to_string()),
        ]
        .into();
        o
    }

    #[test]
    fn csv_quotes_and_flattens() {
        let csv = to_csv([&entity()]);
        let line = csv.lines().nth(1).unwrap();
        assert_eq!(
            line,
            r#"entity,p,driver,"A ""driver"", on the platform",,a=1;b=2,,,"{""join_key"":""driver_id"",""value_type"":""INT64""}""#
        );
        assert_eq!(csv::cell("=cmd()"), "'=cmd()");
    }

    /// Names, descriptions, owners and tags are registry text: neither the `catalog export`
    /// CSV nor a list's CSV may hand a spreadsheet a formula.
    #[test]
    fn csv_exports_neutralise_formulas() {
        let hostile = [
            "=HYPERLINK(\"http://evil.example\",\"x\")",
            "+cmd",
            "@SUM(1+1)",
            "\tX",
            "\rX",
        ];
        let objects: Vec<CatalogObject> = hostile
            .iter()
            .map(|h| {
                let mut o = entity();
                o.project = (*h).into();
                o.name = (*h).into();
                o.description = (*h).into();
                o.owner = (*h).into();
                o.tags = [(h.to_string(), h.to_string())].into();
                o
            })
            .collect();
        let export = to_csv(&objects);
        let list = list_csv(hostile.iter().copied().zip(&objects));
        for text in [&export, &list] {
            assert!(csv::formula_cells(text).is_empty(), "{text}");
            for h in hostile {
                assert!(text.contains(&csv::cell(h)), "{h:?} not guarded: {text}");
            }
        }
    }

    #[test]
    fn json_has_projects_and_objects() {
        let e = entity();
        let v: Value = serde_json::from_str(&to_json(&[], &[&e]).unwrap()).unwrap();
        assert_eq!(v["projects"], json!([]));
        assert_eq!(v["objects"][0]["kind"], "entity");
        assert_eq!(v["objects"][0]["join_key"], "driver_id");
    }
}
