//! A CustomResourceDefinition as the API server uses it for validation: per served version, the
//! structural OpenAPI v3 schema with its `x-kubernetes-*` extensions and CEL rules. Parsed from
//! the CRD's JSON (bundled, or read from the cluster), so a newer operator's rules apply as
//! they are. The parser is bounded: a hostile CRD cannot nest or grow without limit.

use std::collections::BTreeMap;

use serde_json::Value;

/// Deeper than any real CRD (the FeatureStore's is ~25 levels), far below stack trouble.
pub const MAX_SCHEMA_DEPTH: usize = 96;
/// Schema nodes per CRD (the FeatureStore CRD has ~20,000 across both versions).
pub const MAX_SCHEMA_NODES: usize = 500_000;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CrdError {
    #[error("not a CustomResourceDefinition (kind {0:?})")]
    NotACrd(String),
    #[error("the CRD has no spec.group or spec.names.kind")]
    MissingNames,
    #[error("version {0} has no schema.openAPIV3Schema")]
    NoSchema(String),
    #[error("the schema nests deeper than {MAX_SCHEMA_DEPTH} levels at {0}")]
    TooDeep(String),
    #[error("the schema has more than {MAX_SCHEMA_NODES} nodes")]
    TooLarge,
}

/// The CRD: its group and kind, and the versions the API server serves.
#[derive(Clone, Debug, PartialEq)]
pub struct Crd {
    pub group: String,
    pub kind: String,
    pub versions: Vec<CrdVersion>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CrdVersion {
    pub name: String,
    pub served: bool,
    pub schema: Schema,
}

/// One node of a structural schema: what the API server checks at this place in an object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    /// `object`, `array`, `string`, `integer`, `number`, `boolean`; `None` only with
    /// `x-kubernetes-int-or-string` or `x-kubernetes-preserve-unknown-fields`.
    pub type_name: Option<String>,
    pub properties: BTreeMap<String, Schema>,
    /// A map's values (`additionalProperties`).
    pub additional_properties: Option<Box<Schema>>,
    pub items: Option<Box<Schema>>,
    pub required: Vec<String>,
    pub enum_values: Vec<Value>,
    pub pattern: Option<String>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub exclusive_minimum: bool,
    pub exclusive_maximum: bool,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,
    pub nullable: bool,
    pub default: Option<Value>,
    pub preserve_unknown_fields: bool,
    pub int_or_string: bool,
    /// `x-kubernetes-embedded-resource`: apiVersion, kind and metadata are kept.
    pub embedded_resource: bool,
    /// `x-kubernetes-list-type`: `set` and `map` lists may not repeat an item (a map's keys).
    pub list_type: Option<String>,
    /// `x-kubernetes-list-map-keys` of a `map` list.
    pub list_map_keys: Vec<String>,
    pub rules: Vec<ValidationRule>,
}

/// One `x-kubernetes-validations` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidationRule {
    pub rule: String,
    pub message: Option<String>,
    /// A CEL expression giving the message (used when it evaluates to a non-empty string).
    pub message_expression: Option<String>,
    /// A relative path (`.spec.x`) the error is reported at instead of the schema node.
    pub field_path: Option<String>,
    pub reason: Option<String>,
}

impl Schema {
    /// The schema of a field of this object: a declared property, else a map's values.
    pub fn child(&self, key: &str) -> Option<&Schema> {
        self.properties
            .get(key)
            .or(self.additional_properties.as_deref())
    }
}

impl ValidationRule {
    /// Transition rules compare with the stored object; there is none on create.
    pub fn is_transition_rule(&self) -> bool {
        self.rule.contains("oldSelf")
    }

    /// The message the API server reports when the rule is false.
    pub fn failure_message(&self) -> String {
        match &self.message {
            Some(m) if !m.trim().is_empty() => m.clone(),
            _ => format!("failed rule: {}", self.rule),
        }
    }
}

impl Crd {
    pub fn from_value(crd: &Value) -> Result<Crd, CrdError> {
        let kind = crd.get("kind").and_then(Value::as_str).unwrap_or_default();
        if kind != "CustomResourceDefinition" {
            return Err(CrdError::NotACrd(kind.to_string()));
        }
        let text = |pointer: &str| {
            crd.pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let (Some(group), Some(names_kind)) = (text("/spec/group"), text("/spec/names/kind"))
        else {
            return Err(CrdError::MissingNames);
        };
        let mut nodes = 0;
        let mut versions = Vec::new();
        for version in crd
            .pointer("/spec/versions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = version
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let Some(schema) = version.pointer("/schema/openAPIV3Schema") else {
                return Err(CrdError::NoSchema(name));
            };
            versions.push(CrdVersion {
                served: version.get("served").and_then(Value::as_bool) == Some(true),
                schema: parse(schema, "", 0, &mut nodes)?,
                name,
            });
        }
        Ok(Crd {
            group,
            kind: names_kind,
            versions,
        })
    }

    /// The served version an `apiVersion` (`feast.dev/v1`) names.
    pub fn served(&self, api_version: &str) -> Option<&CrdVersion> {
        let (group, version) = api_version.split_once('/')?;
        if group != self.group {
            return None;
        }
        self.versions.iter().find(|v| v.served && v.name == version)
    }

    /// `feast.dev/v1, feast.dev/v1alpha1`, for messages.
    pub fn served_names(&self) -> String {
        self.versions
            .iter()
            .filter(|v| v.served)
            .map(|v| format!("{}/{}", self.group, v.name))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `FeatureStore.feast.dev`, as the API server names the kind in its errors.
    pub fn qualified_kind(&self) -> String {
        format!("{}.{}", self.kind, self.group)
    }
}

fn parse(node: &Value, path: &str, depth: usize, nodes: &mut usize) -> Result<Schema, CrdError> {
    if depth > MAX_SCHEMA_DEPTH {
        return Err(CrdError::TooDeep(path.to_string()));
    }
    *nodes += 1;
    if *nodes > MAX_SCHEMA_NODES {
        return Err(CrdError::TooLarge);
    }
    let get = |key: &str| node.get(key);
    let uint = |key: &str| get(key).and_then(Value::as_u64);
    let flag = |key: &str| get(key).and_then(Value::as_bool) == Some(true);
    let strings = |key: &str| -> Vec<String> {
        get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str().map(str::to_string))
            .collect()
    };
    let mut properties = BTreeMap::new();
    if let Some(map) = get("properties").and_then(Value::as_object) {
        for (name, child) in map {
            let child_path = format!("{path}.{name}");
            properties.insert(name.clone(), parse(child, &child_path, depth + 1, nodes)?);
        }
    }
    let additional_properties = match get("additionalProperties") {
        Some(child @ Value::Object(_)) => Some(Box::new(parse(
            child,
            &format!("{path}.*"),
            depth + 1,
            nodes,
        )?)),
        _ => None,
    };
    let items = match get("items") {
        Some(child @ Value::Object(_)) => Some(Box::new(parse(
            child,
            &format!("{path}[*]"),
            depth + 1,
            nodes,
        )?)),
        _ => None,
    };
    let rules = get("x-kubernetes-validations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| {
            let text = |key: &str| r.get(key).and_then(Value::as_str).map(str::to_string);
            Some(ValidationRule {
                rule: text("rule")?,
                message: text("message"),
                message_expression: text("messageExpression"),
                field_path: text("fieldPath"),
                reason: text("reason"),
            })
        })
        .collect();
    Ok(Schema {
        type_name: get("type").and_then(Value::as_str).map(str::to_string),
        properties,
        additional_properties,
        items,
        required: strings("required"),
        enum_values: get("enum")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        pattern: get("pattern").and_then(Value::as_str).map(str::to_string),
        min_length: uint("minLength"),
        max_length: uint("maxLength"),
        minimum: get("minimum").and_then(Value::as_f64),
        maximum: get("maximum").and_then(Value::as_f64),
        exclusive_minimum: flag("exclusiveMinimum"),
        exclusive_maximum: flag("exclusiveMaximum"),
        min_items: uint("minItems"),
        max_items: uint("maxItems"),
        min_properties: uint("minProperties"),
        max_properties: uint("maxProperties"),
        nullable: flag("nullable"),
        default: get("default").cloned(),
        preserve_unknown_fields: flag("x-kubernetes-preserve-unknown-fields"),
        int_or_string: flag("x-kubernetes-int-or-string"),
        embedded_resource: flag("x-kubernetes-embedded-resource"),
        list_type: get("x-kubernetes-list-type")
            .and_then(Value::as_str)
            .map(str::to_string),
        list_map_keys: strings("x-kubernetes-list-map-keys"),
        rules,
    })
}
