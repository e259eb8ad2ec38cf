//! What the API server does to a custom resource before its CEL rules: prune unknown fields,
//! fill in the schema's defaults, and validate the result against the structural schema
//! (types, required, enums, patterns, lengths, bounds, item and property counts). Errors are
//! worded as kube-openapi words them, converted to field errors as apiextensions-apiserver does.

use std::collections::BTreeMap;

use regex::Regex;
use serde_json::Value;

use super::error::{FieldError, FieldErrorKind};
use super::schema::Schema;

/// The fields every object keeps whatever its schema (`metadata` is checked by the API server's
/// own object-meta validation, not the CRD's schema).
const OBJECT_ENVELOPE: [&str; 3] = ["apiVersion", "kind", "metadata"];
/// Compiled regex size bound (the `regex` crate's own limit is 10 MiB).
const MAX_PATTERN_BYTES: usize = 1 << 20;

/// Child path as the API server prints it: `spec.services`, `spec.env[0]`.
pub fn child(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

pub fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// Removes fields the schema does not declare (their paths go to `pruned`) and nulls the schema
/// does not allow, then fills in defaults. `root`: the top of a resource, which keeps its
/// apiVersion, kind and metadata.
pub fn prune_and_default(
    schema: &Schema,
    value: &mut Value,
    path: &str,
    root: bool,
    pruned: &mut Vec<String>,
) {
    if let Some(number) = yaml11_octal(schema, value) {
        *value = Value::from(number);
    }
    match value {
        Value::Object(map) => {
            let keeps_envelope = root || schema.embedded_resource;
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                let child_path = child(path, &key);
                if keeps_envelope && OBJECT_ENVELOPE.contains(&key.as_str()) {
                    continue;
                }
                let child_schema = schema.child(&key);
                match (child_schema, map.get_mut(&key)) {
                    // A null where the schema does not allow one is dropped, so the default applies.
                    (Some(s), Some(Value::Null)) if !s.nullable => {
                        map.remove(&key);
                    }
                    (Some(s), Some(v)) => prune_and_default(s, v, &child_path, false, pruned),
                    (None, _) if schema.preserve_unknown_fields => {}
                    (None, _) => {
                        map.remove(&key);
                        pruned.push(child_path);
                    }
                    (Some(_), None) => {}
                }
            }
            for (key, property) in &schema.properties {
                if map.contains_key(key) {
                    continue;
                }
                if let Some(default) = &property.default {
                    let mut filled = default.clone();
                    // Defaults are pruned and defaulted like input (nested defaults apply).
                    prune_and_default(
                        property,
                        &mut filled,
                        &child(path, key),
                        false,
                        &mut Vec::new(),
                    );
                    map.insert(key.clone(), filled);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = &schema.items {
                for (i, item) in items.iter_mut().enumerate() {
                    prune_and_default(item_schema, item, &index(path, i), false, pruned);
                }
            }
        }
        _ => {}
    }
}

/// kubectl reads YAML 1.1, where an unquoted `0644` (a file mode) is the octal number 420; the
/// YAML 1.2 parser here gives the text. Where the schema wants an integer, read it as kubectl
/// does. (A quoted "0644", which kubectl would send as text, cannot be told apart once parsed.)
fn yaml11_octal(schema: &Schema, value: &Value) -> Option<i64> {
    let text = value.as_str()?;
    let digits = text.strip_prefix('0')?;
    let octal = !digits.is_empty()
        && digits.len() <= 21
        && digits.bytes().all(|b| (b'0'..=b'7').contains(&b));
    if schema.type_name.as_deref() != Some("integer") || !octal {
        return None;
    }
    i64::from_str_radix(digits, 8).ok()
}

/// JSON type names as kube-openapi reports them.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_matches(expected: &str, value: &Value) -> bool {
    match expected {
        "number" => value.is_number(),
        other => json_type(value) == other,
    }
}

/// Compiled schema patterns, shared by every object validated against one CRD.
#[derive(Default)]
pub struct Patterns {
    compiled: BTreeMap<String, Option<Regex>>,
}

impl Patterns {
    fn get(&mut self, pattern: &str) -> Option<&Regex> {
        self.compiled
            .entry(pattern.to_string())
            .or_insert_with(|| {
                regex::RegexBuilder::new(pattern)
                    .size_limit(MAX_PATTERN_BYTES)
                    .build()
                    .ok()
            })
            .as_ref()
    }
}

/// Validates a pruned and defaulted value against its schema.
pub fn validate(
    schema: &Schema,
    value: &Value,
    path: &str,
    patterns: &mut Patterns,
    out: &mut Vec<FieldError>,
) {
    if value.is_null() && schema.nullable {
        return;
    }
    let named = if path.is_empty() { "body" } else { path };
    if schema.int_or_string {
        if !(json_type(value) == "integer" || value.is_string()) {
            out.push(FieldError::new(
                path,
                FieldErrorKind::TypeInvalid,
                Some(Value::String(json_type(value).into())),
                format!(
                    "{named} in body must be of type integer,string: \"{}\"",
                    json_type(value)
                ),
            ));
        }
        return;
    }
    if let Some(expected) = &schema.type_name {
        if !type_matches(expected, value) {
            out.push(FieldError::new(
                path,
                FieldErrorKind::TypeInvalid,
                Some(Value::String(json_type(value).into())),
                format!(
                    "{named} in body must be of type {expected}: \"{}\"",
                    json_type(value)
                ),
            ));
            return;
        }
    }
    if !schema.enum_values.is_empty() && !schema.enum_values.contains(value) {
        let supported = schema
            .enum_values
            .iter()
            .map(|v| match v {
                Value::String(s) => super::error::go_quote(s),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        out.push(FieldError::new(
            path,
            FieldErrorKind::NotSupported,
            Some(value.clone()),
            format!("supported values: {supported}"),
        ));
    }
    match value {
        Value::String(text) => validate_string(schema, text, value, path, named, patterns, out),
        Value::Number(n) => validate_number(
            schema,
            n.as_f64().unwrap_or_default(),
            value,
            path,
            named,
            out,
        ),
        Value::Array(items) => {
            let count = items.len() as u64;
            if let Some(max) = schema.max_items.filter(|m| count > *m) {
                out.push(FieldError::new(
                    path,
                    FieldErrorKind::TooMany,
                    Some(Value::from(count)),
                    format!("must have at most {max} items"),
                ));
            }
            if let Some(min) = schema.min_items.filter(|m| count < *m) {
                out.push(FieldError::invalid(
                    path,
                    Value::from(count),
                    format!("{named} in body should have at least {min} items"),
                ));
            }
            if let Some(item_schema) = &schema.items {
                for (i, item) in items.iter().enumerate() {
                    validate(item_schema, item, &index(path, i), patterns, out);
                }
            }
            duplicates(schema, items, path, out);
        }
        Value::Object(map) => {
            for required in &schema.required {
                if !map.contains_key(required) {
                    out.push(FieldError::new(
                        &child(path, required),
                        FieldErrorKind::Required,
                        None,
                        String::new(),
                    ));
                }
            }
            let count = map.len() as u64;
            if let Some(max) = schema.max_properties.filter(|m| count > *m) {
                out.push(FieldError::new(
                    path,
                    FieldErrorKind::TooMany,
                    Some(Value::from(count)),
                    format!("must have at most {max} items"),
                ));
            }
            if let Some(min) = schema.min_properties.filter(|m| count < *m) {
                out.push(FieldError::invalid(
                    path,
                    Value::from(count),
                    format!("{named} in body should have at least {min} properties"),
                ));
            }
            for (key, child_value) in map {
                let child_schema = schema.child(key);
                if let Some(s) = child_schema {
                    validate(s, child_value, &child(path, key), patterns, out);
                }
            }
        }
        _ => {}
    }
}

fn validate_string(
    schema: &Schema,
    text: &str,
    value: &Value,
    path: &str,
    named: &str,
    patterns: &mut Patterns,
    out: &mut Vec<FieldError>,
) {
    let chars = text.chars().count() as u64;
    if let Some(max) = schema.max_length.filter(|m| chars > *m) {
        out.push(FieldError::new(
            path,
            FieldErrorKind::TooLong,
            None,
            format!("may not be more than {max} bytes"),
        ));
    }
    if let Some(min) = schema.min_length.filter(|m| chars < *m) {
        out.push(FieldError::invalid(
            path,
            value.clone(),
            format!("{named} in body should be at least {min} chars long"),
        ));
    }
    if let Some(pattern) = &schema.pattern {
        match patterns.get(pattern) {
            Some(re) if !re.is_match(text) => out.push(FieldError::invalid(
                path,
                value.clone(),
                format!("{named} in body should match '{pattern}'"),
            )),
            Some(_) => {}
            // Go's RE2 and the regex crate share their syntax; a pattern neither compiles is
            // the CRD's problem, said once per field rather than guessed.
            None => out.push(FieldError::invalid(
                path,
                value.clone(),
                format!("the console cannot compile the CRD's pattern '{pattern}'"),
            )),
        }
    }
}

fn validate_number(
    schema: &Schema,
    number: f64,
    value: &Value,
    path: &str,
    named: &str,
    out: &mut Vec<FieldError>,
) {
    if let Some(max) = schema.maximum {
        let (over, words) = if schema.exclusive_maximum {
            (number >= max, "less than")
        } else {
            (number > max, "less than or equal to")
        };
        if over {
            out.push(FieldError::invalid(
                path,
                value.clone(),
                format!("{named} in body should be {words} {max}"),
            ));
        }
    }
    if let Some(min) = schema.minimum {
        let (under, words) = if schema.exclusive_minimum {
            (number <= min, "greater than")
        } else {
            (number < min, "greater than or equal to")
        };
        if under {
            out.push(FieldError::invalid(
                path,
                value.clone(),
                format!("{named} in body should be {words} {min}"),
            ));
        }
    }
}

/// Items a `set` list repeats, or keys a `map` list repeats (checked after the items, as
/// apiextensions-apiserver's list-type validation runs after the schema's).
fn duplicates(schema: &Schema, items: &[Value], path: &str, out: &mut Vec<FieldError>) {
    let key_of = |item: &Value| -> Option<Value> {
        match schema.list_type.as_deref() {
            Some("set") => Some(item.clone()),
            Some("map") => Some(Value::Object(
                schema
                    .list_map_keys
                    .iter()
                    .filter_map(|k| item.get(k).map(|v| (k.clone(), v.clone())))
                    .collect(),
            )),
            _ => None,
        }
    };
    let mut seen: Vec<Value> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(key) = key_of(item) else { return };
        if seen.contains(&key) {
            out.push(FieldError::new(
                &index(path, i),
                FieldErrorKind::Duplicate,
                Some(key),
                String::new(),
            ));
        } else {
            seen.push(key);
        }
    }
}
