//! Field-for-field comparison of what the console decoded with what Feast's SDK reported
//! (`scripts/feast-fixtures/dump_registry.py`, run by `scripts/make-registries.sh`).

use std::collections::BTreeMap;

use app::catalog::model::{CatalogObject, Detail};
use serde_json::{json, Value};
use server::registry::RegistrySnapshot;

/// The console's object in the dump's shape.
pub fn console_view(o: &CatalogObject) -> Value {
    let mut v = json!({
        "kind": o.kind.as_str(), "project": o.project, "name": o.name, "description": o.description,
        "owner": o.owner, "tags": o.tags, "created": o.created.map(|t| t.to_rfc3339()),
        "updated": o.updated.map(|t| t.to_rfc3339()),
    });
    let extra = match &o.detail {
        Detail::Entity {
            join_key,
            value_type,
        } => json!({"join_key": join_key, "value_type": value_type}),
        Detail::DataSource(d) => {
            json!({"source_type": d.source_type, "timestamp_field": d.timestamp_field,
            "location": d.location, "batch_source": d.batch_source})
        }
        Detail::View(d) => json!({"entities": d.entities,
            "features": d.features.iter().map(|f| json!({"name": f.name, "dtype": f.dtype})).collect::<Vec<_>>(),
            "ttl_seconds": d.ttl_seconds, "online": d.online, "batch_source": d.batch_source,
            "stream_source": d.stream_source,
            "materialization_intervals": d.materialization_intervals.iter()
                .map(|i| json!({"start": i.start.map(|t| t.to_rfc3339()), "end": i.end.map(|t| t.to_rfc3339())}))
                .collect::<Vec<_>>()}),
        Detail::OnDemandView(d) => {
            json!({"features": d.features.iter().map(|f| json!({"name": f.name, "dtype": f.dtype})).collect::<Vec<_>>(),
            "sources": d.sources, "mode": d.mode})
        }
        Detail::FeatureService { projections } => json!({"projections": projections.iter()
            .map(|p| json!({"view": p.view, "alias": p.alias, "features": p.features})).collect::<Vec<_>>()}),
        Detail::SavedDataset {
            features,
            join_keys,
            ..
        } => json!({"features": features, "join_keys": join_keys}),
        Detail::Permission(p) => {
            json!({"types": p.types, "actions": p.actions, "name_patterns": p.name_patterns,
            "required_tags": p.required_tags, "policy": p.policy})
        }
        Detail::Project | Detail::ValidationReference { .. } | Detail::Unreadable { .. } => {
            json!({})
        }
    };
    if let (Value::Object(v), Value::Object(extra)) = (&mut v, extra) {
        v.extend(extra);
    }
    v
}

fn key(v: &Value) -> (String, String, String) {
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    (s("project"), s("kind"), s("name"))
}

/// Every object and field the SDK reports must match; returns the list of differences.
/// `unordered` names list fields compared as sets: the REST server re-serializes objects and
/// may reorder a view's features.
pub fn differences(sdk: &Value, snapshot: &RegistrySnapshot, unordered: &[&str]) -> Vec<String> {
    let mut console: BTreeMap<_, Value> = BTreeMap::new();
    for o in snapshot.projects.iter().chain(snapshot.objects.iter()) {
        let v = console_view(o);
        console.insert(key(&v), v);
    }
    let mut wanted: Vec<&Value> = sdk["projects"].as_array().into_iter().flatten().collect();
    wanted.extend(sdk["objects"].as_array().into_iter().flatten());
    let mut diffs = Vec::new();
    for expected in &wanted {
        let k = key(expected);
        let Some(got) = console.remove(&k) else {
            diffs.push(format!("{k:?}: reported by Feast, missing in the console"));
            continue;
        };
        for (field, want) in expected.as_object().into_iter().flatten() {
            // The SDK has no value for some timestamps (e.g. a saved dataset's last update).
            if want.is_null() && (field == "updated" || field == "created") {
                continue;
            }
            // The SDK's PushSource.from_proto drops the stored timestamp_field; the console
            // shows what the registry holds.
            if field == "timestamp_field" && expected["source_type"] == "PUSH_SOURCE" {
                continue;
            }
            let sorted = |v: Option<&Value>| -> Option<Value> {
                let mut items = v?.as_array()?.clone();
                items.sort_by_key(|i| i.to_string());
                Some(Value::Array(items))
            };
            let same = if unordered.contains(&field.as_str()) {
                sorted(got.get(field)) == sorted(Some(want))
            } else {
                got.get(field) == Some(want)
            };
            if !same {
                diffs.push(format!(
                    "{k:?}.{field}: Feast {want}, console {}",
                    got.get(field).unwrap_or(&Value::Null)
                ));
            }
        }
    }
    for k in console.keys() {
        diffs.push(format!("{k:?}: in the console, not reported by Feast"));
    }
    diffs
}
