//! Field-level diff of decoded registry objects, and the merge of two whole catalogs.
//!
//! The diff walks the objects' serde JSON form (the export and wire shape), so every kind and
//! every field the model gains is covered without a list to keep up to date. Paths are what a
//! person reads: `owner`, `tags.team`, `ttl_seconds`, `features[conv_rate].dtype`,
//! `features[+acc_rate]`, `entities[-driver]`. Lists whose members have names (features,
//! fields, projections, entities) are compared by name, other lists by index.

use std::{
    cmp::Ordering,
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
};

use serde_json::Value;

use crate::catalog::model::{CatalogObject, Detail, ViewDetail};
use crate::history::model::{ChangeType, FieldChange, ObjectChange};

/// Top-level fields that differ between two registries, or two reads, of the same definition:
/// Feast's created and updated timestamps and the intervals `feast materialize` recorded.
/// Never reported as changes; pages show "ignored: created, updated, materialization_intervals".
pub const IGNORED_FIELDS: [&str; 3] = ["created", "updated", "materialization_intervals"];

/// Deeper than this, a value is reported whole instead of walked (the model is 4 levels deep;
/// the limit is for hostile or corrupt objects).
pub const MAX_DEPTH: usize = 12;
/// At most this many field changes per object; the rest is summed up in one last entry.
pub const MAX_FIELD_CHANGES: usize = 200;
/// Display values are cut to this many characters (with `…`).
pub const MAX_VALUE_CHARS: usize = 160;
/// The path of the summary entry when an object has more than [`MAX_FIELD_CHANGES`] changes.
pub const MORE_CHANGES_PATH: &str = "(more changes)";

/// "ignored: created, updated, materialization_intervals", as pages and the CLI say it.
pub fn ignored_note() -> String {
    format!("ignored: {}", IGNORED_FIELDS.join(", "))
}

/// What differs between two states of one object, ignoring [`IGNORED_FIELDS`]. Empty when
/// they are the same definition.
pub fn diff_objects(before: &CatalogObject, after: &CatalogObject) -> Vec<FieldChange> {
    if same_definition(before, after) {
        return Vec::new();
    }
    match (serde_json::to_value(before), serde_json::to_value(after)) {
        (Ok(b), Ok(a)) => diff_values(&b, &a),
        // The model serializes to JSON by construction; say so rather than hide a change.
        _ => vec![FieldChange {
            path: "(object)".to_string(),
            before: Some("not comparable".to_string()),
            after: Some("not comparable".to_string()),
        }],
    }
}

/// The field-level diff of two JSON objects (top-level [`IGNORED_FIELDS`] skipped).
pub fn diff_values(before: &Value, after: &Value) -> Vec<FieldChange> {
    let mut walk = Walk::default();
    walk.value("", before, after, 0);
    if walk.more > 0 {
        walk.out.push(FieldChange {
            path: MORE_CHANGES_PATH.to_string(),
            before: None,
            after: Some(format!("{} more", walk.more)),
        });
    }
    walk.out
}

/// What differs between two catalogs, each sorted by [`CatalogObject::sort_key`] as
/// snapshots keep them (an unsorted list is sorted first). Projects are objects of kind
/// `Project`: pass them in the same list, or diff them as a second pair. Feast's internal
/// `__dummy` entities are left out. Objects shared by both lists (`Arc::ptr_eq`, as the SQL
/// reader shares unchanged rows between snapshots) are skipped without a look.
pub fn diff_catalogs(
    before: &[Arc<CatalogObject>],
    after: &[Arc<CatalogObject>],
) -> Vec<ObjectChange> {
    let before = sorted(before);
    let after = sorted(after);
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < before.len() || j < after.len() {
        let order = match (before.get(i), after.get(j)) {
            (Some(b), Some(a)) => b.sort_key().cmp(&a.sort_key()),
            (Some(_), None) => Ordering::Less,
            _ => Ordering::Greater,
        };
        match order {
            Ordering::Less => {
                push_whole(&mut out, &before[i], ChangeType::Removed);
                i += 1;
            }
            Ordering::Greater => {
                push_whole(&mut out, &after[j], ChangeType::Added);
                j += 1;
            }
            Ordering::Equal => {
                let (b, a) = (&before[i], &after[j]);
                if !Arc::ptr_eq(b, a) && !b.is_internal() {
                    let fields = diff_objects(b, a);
                    if !fields.is_empty() {
                        out.push(change_of(a, ChangeType::Changed, fields));
                    }
                }
                i += 1;
                j += 1;
            }
        }
    }
    out
}

fn sorted(list: &[Arc<CatalogObject>]) -> Vec<&Arc<CatalogObject>> {
    let mut refs: Vec<&Arc<CatalogObject>> = list.iter().collect();
    if !refs.is_sorted_by(|a, b| a.sort_key() <= b.sort_key()) {
        refs.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
    refs
}

fn push_whole(out: &mut Vec<ObjectChange>, object: &CatalogObject, change: ChangeType) {
    if !object.is_internal() {
        out.push(change_of(object, change, Vec::new()));
    }
}

fn change_of(object: &CatalogObject, change: ChangeType, fields: Vec<FieldChange>) -> ObjectChange {
    ObjectChange {
        kind: object.kind,
        project: object.project.to_string(),
        name: object.name.to_string(),
        change,
        fields,
    }
}

/// Equal apart from [`IGNORED_FIELDS`], without serializing: the fast path of the catalog
/// merge when a reader built fresh objects for unchanged rows. Destructured field by field so
/// a field added to the model is compared (or the compiler asks).
fn same_definition(a: &CatalogObject, b: &CatalogObject) -> bool {
    let CatalogObject {
        kind,
        project,
        name,
        description,
        owner,
        tags,
        created: _,
        updated: _,
        detail,
    } = a;
    *kind == b.kind
        && *project == b.project
        && *name == b.name
        && *description == b.description
        && *owner == b.owner
        && *tags == b.tags
        && match (detail, &b.detail) {
            (Detail::View(x), Detail::View(y)) => same_view(x, y),
            (x, y) => x == y,
        }
}

fn same_view(a: &ViewDetail, b: &ViewDetail) -> bool {
    let ViewDetail {
        entities,
        features,
        entity_columns,
        ttl_seconds,
        online,
        batch_source,
        stream_source,
        materialization_intervals: _,
        mode,
    } = a;
    *entities == b.entities
        && *features == b.features
        && *entity_columns == b.entity_columns
        && *ttl_seconds == b.ttl_seconds
        && *online == b.online
        && *batch_source == b.batch_source
        && *stream_source == b.stream_source
        && *mode == b.mode
}

#[derive(Default)]
struct Walk {
    out: Vec<FieldChange>,
    /// Changes past [`MAX_FIELD_CHANGES`], counted, not kept.
    more: usize,
}

impl Walk {
    fn push(&mut self, path: String, before: Option<&Value>, after: Option<&Value>) {
        if self.out.len() >= MAX_FIELD_CHANGES {
            self.more += 1;
            return;
        }
        self.out.push(FieldChange {
            path,
            before: before.map(display),
            after: after.map(display),
        });
    }

    fn value(&mut self, path: &str, before: &Value, after: &Value, depth: usize) {
        if before == after {
            return;
        }
        if depth >= MAX_DEPTH {
            self.push(path.to_string(), Some(before), Some(after));
            return;
        }
        match (before, after) {
            (Value::Object(b), Value::Object(a)) => {
                let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
                for key in keys {
                    if depth == 0 && IGNORED_FIELDS.contains(&key.as_str()) {
                        continue;
                    }
                    let child = member_path(path, key);
                    match (b.get(key), a.get(key)) {
                        (Some(bv), Some(av)) => self.value(&child, bv, av, depth + 1),
                        (bv, av) => self.push(child, bv, av),
                    }
                }
            }
            (Value::Array(b), Value::Array(a)) => self.list(path, b, a, depth),
            _ => self.push(path.to_string(), Some(before), Some(after)),
        }
    }

    fn list(&mut self, path: &str, before: &[Value], after: &[Value], depth: usize) {
        if let (Some(b), Some(a)) = (Keyed::of(before), Keyed::of(after)) {
            let pushed = (self.out.len(), self.more);
            for (key, bv) in b.iter() {
                if a.get(key).is_none() {
                    self.push(format!("{path}[-{key}]"), Some(bv), None);
                }
            }
            for (key, av) in a.iter() {
                match b.get(key) {
                    Some(bv) => self.value(&format!("{path}[{key}]"), bv, av, depth + 1),
                    None => self.push(format!("{path}[+{key}]"), None, Some(av)),
                }
            }
            // The lists differ but no member did: the same members in another order.
            if pushed == (self.out.len(), self.more) {
                let (b, a) = (Value::Array(before.to_vec()), Value::Array(after.to_vec()));
                self.push(path.to_string(), Some(&b), Some(&a));
            }
            return;
        }
        for index in 0..before.len().max(after.len()) {
            let child = format!("{path}[{index}]");
            match (before.get(index), after.get(index)) {
                (Some(bv), Some(av)) => self.value(&child, bv, av, depth + 1),
                (bv, av) => self.push(child, bv, av),
            }
        }
    }
}

/// A list's members by name, in the list's order, when every member has a name and no two
/// share one: strings by themselves, objects by `name`, feature-service projections by their
/// alias or else their view. Lists are short, so a vector and a map of positions do.
struct Keyed<'a> {
    order: Vec<(String, &'a Value)>,
    index: BTreeMap<String, usize>,
}

impl<'a> Keyed<'a> {
    fn of(list: &'a [Value]) -> Option<Keyed<'a>> {
        let mut keyed = Keyed {
            order: Vec::with_capacity(list.len()),
            index: BTreeMap::new(),
        };
        for member in list {
            let key = match member {
                Value::String(s) => s.clone(),
                Value::Object(o) => match (o.get("name"), o.get("alias"), o.get("view")) {
                    (Some(Value::String(name)), _, _) => name.clone(),
                    (None, Some(Value::String(alias)), _) if !alias.is_empty() => alias.clone(),
                    (None, _, Some(Value::String(view))) => view.clone(),
                    _ => return None,
                },
                _ => return None,
            };
            if keyed.index.insert(key.clone(), keyed.order.len()).is_some() {
                return None;
            }
            keyed.order.push((key, member));
        }
        Some(keyed)
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.index.get(key).map(|&i| self.order[i].1)
    }

    fn iter(&self) -> impl Iterator<Item = (&str, &'a Value)> + '_ {
        self.order.iter().map(|(k, v)| (k.as_str(), *v))
    }
}

/// `parent.key`, or `parent["key"]` when the key holds a dot, bracket or quote (tag keys may).
fn member_path(parent: &str, key: &str) -> String {
    let plain = !key.is_empty() && !key.contains(['.', '[', ']', '"']);
    match (parent.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{parent}.{key}"),
        (_, false) => format!("{parent}[{key:?}]"),
    }
}

/// A value as a short string: text as itself, `none` for null, lists as `[a, b]`, objects as
/// `key: value, ...` (the `name` first); cut at [`MAX_VALUE_CHARS`].
pub fn display(value: &Value) -> String {
    let mut text = String::new();
    write_display(&mut text, value, 0);
    cut(text)
}

fn write_display(out: &mut String, value: &Value, depth: usize) {
    if out.len() > MAX_VALUE_CHARS * 4 {
        return;
    }
    match value {
        Value::Null => out.push_str("none"),
        Value::String(s) => out.push_str(s),
        Value::Bool(_) | Value::Number(_) => out.push_str(&value.to_string()),
        Value::Array(items) if depth < MAX_DEPTH => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_display(out, item, depth + 1);
            }
            out.push(']');
        }
        Value::Object(map) if depth < MAX_DEPTH => {
            if depth > 0 {
                out.push('{');
            }
            let fields: BTreeMap<&str, &Value> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
            let named = map.get("name").into_iter().map(|v| ("name", v));
            let rest = fields.into_iter().filter(|(k, _)| *k != "name");
            for (i, (key, item)) in named.chain(rest).enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(key);
                out.push_str(": ");
                write_display(out, item, depth + 1);
            }
            if depth > 0 {
                out.push('}');
            }
        }
        _ => out.push('…'),
    }
}

fn cut(text: String) -> String {
    match text.char_indices().nth(MAX_VALUE_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}
