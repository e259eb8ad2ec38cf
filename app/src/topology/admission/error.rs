//! Field errors worded as the API server words them (k8s.io/apimachinery `field.Error`):
//! `spec.feastProject: Invalid value: "x": spec.feastProject in body should match '…'`, and the
//! whole refusal: `FeatureStore.feast.dev "name" is invalid: …`.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldErrorKind {
    Required,
    Invalid,
    TypeInvalid,
    NotSupported,
    TooLong,
    TooMany,
    Duplicate,
    Forbidden,
}

impl FieldErrorKind {
    fn words(self) -> &'static str {
        match self {
            FieldErrorKind::Required => "Required value",
            FieldErrorKind::Invalid | FieldErrorKind::TypeInvalid => "Invalid value",
            FieldErrorKind::NotSupported => "Unsupported value",
            FieldErrorKind::TooLong => "Too long",
            FieldErrorKind::TooMany => "Too many",
            FieldErrorKind::Duplicate => "Duplicate value",
            FieldErrorKind::Forbidden => "Forbidden",
        }
    }

    /// Errors after which the API server does not evaluate CEL rules (their input is not what
    /// the rules were compiled for).
    pub fn blocks_rules(self) -> bool {
        matches!(
            self,
            FieldErrorKind::TypeInvalid | FieldErrorKind::NotSupported
        )
    }
}

/// One reason the API server would refuse the object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// `spec.services.registry`; empty for the object itself.
    pub field: String,
    pub kind: FieldErrorKind,
    /// Everything after `field: `, as the API server prints it.
    pub body: String,
}

impl FieldError {
    pub fn new(path: &str, kind: FieldErrorKind, bad_value: Option<Value>, detail: String) -> Self {
        let mut body = kind.words().to_string();
        if let Some(value) = bad_value {
            body.push_str(": ");
            body.push_str(&go_value(&value));
        }
        if !detail.is_empty() {
            body.push_str(": ");
            body.push_str(&detail);
        }
        FieldError {
            field: path.to_string(),
            kind,
            body,
        }
    }

    pub fn invalid(path: &str, bad_value: Value, detail: String) -> Self {
        FieldError::new(path, FieldErrorKind::Invalid, Some(bad_value), detail)
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // field.Path prints an empty path as `<nil>`.
        let field = if self.field.is_empty() {
            "<nil>"
        } else {
            &self.field
        };
        write!(f, "{field}: {}", self.body)
    }
}

/// The API server's refusal of a whole object: one error bare, several in brackets.
pub fn refusal(qualified_kind: &str, name: &str, errors: &[FieldError]) -> String {
    let listed: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let detail = match listed.as_slice() {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    };
    format!("{qualified_kind} {} is invalid: {detail}", go_quote(name))
}

/// Go's `%q` for the strings a manifest holds (JSON escaping agrees with it on printable text).
pub fn go_quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{text}\""))
}

/// A bad value as `field.Error` prints it: strings quoted, numbers and booleans bare, the rest
/// as JSON.
fn go_value(value: &Value) -> String {
    match value {
        Value::String(s) => go_quote(s),
        other => other.to_string(),
    }
}
