//! The CRD's `x-kubernetes-validations` rules, evaluated by the `cel` crate on the pruned and
//! defaulted object, as the API server evaluates them on create: `self` is the value at the
//! rule's schema node, rules that read `oldSelf` (transition rules) do not apply. A rule the
//! interpreter cannot evaluate is reported as such, never taken as passed or failed.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::error::{FieldError, FieldErrorKind};
use super::schema::{Schema, ValidationRule};
use super::structural::{child, index};

/// Compiled rules, shared by every object validated against one CRD.
pub struct RuleEngine {
    env: Arc<cel::Env>,
    programs: BTreeMap<String, Result<cel::Program, String>>,
}

impl Default for RuleEngine {
    fn default() -> Self {
        // Kubernetes CEL has the strings and lists extension libraries too.
        let mut env = cel::Env::stdlib();
        let _ = env.add_extension(cel::extensions::strings);
        let _ = env.add_extension(cel::extensions::lists);
        RuleEngine {
            env: Arc::new(env),
            programs: BTreeMap::new(),
        }
    }
}

/// A rule that could not be evaluated, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Unevaluated {
    pub field: String,
    pub rule: String,
    pub reason: String,
}

impl RuleEngine {
    fn run(&mut self, expression: &str, value: &Value) -> Result<cel::Value, String> {
        let env = self.env.clone();
        let program = self
            .programs
            .entry(expression.to_string())
            .or_insert_with(|| env.compile(expression).map_err(|e| e.to_string()));
        let program = program.as_ref().map_err(Clone::clone)?;
        let mut context = cel::Context::with_env(self.env.clone());
        context.add_variable_from_value("self", to_cel(value));
        program.execute(&context).map_err(|e| e.to_string())
    }

    fn evaluate(&mut self, rule: &str, value: &Value) -> Result<bool, String> {
        match self.run(rule, value)? {
            cel::Value::Bool(result) => Ok(result),
            other => Err(format!("the rule gave {other:?}, not a boolean")),
        }
    }

    /// The message of a false rule: its `messageExpression` when that gives a non-empty
    /// string, else its `message`, else `failed rule: ...` (as the API server chooses).
    fn message(&mut self, rule: &ValidationRule, value: &Value) -> String {
        if let Some(expression) = &rule.message_expression {
            if let Ok(cel::Value::String(text)) = self.run(expression, value) {
                if !text.trim().is_empty() {
                    return text.to_string();
                }
            }
        }
        rule.failure_message()
    }

    /// Evaluates every rule at and below `schema` on `value`.
    pub fn check(
        &mut self,
        schema: &Schema,
        value: &Value,
        path: &str,
        errors: &mut Vec<FieldError>,
        unevaluated: &mut Vec<Unevaluated>,
    ) {
        if value.is_null() {
            return;
        }
        for rule in schema.rules.iter().filter(|r| !r.is_transition_rule()) {
            match self.evaluate(&rule.rule, value) {
                Ok(true) => {}
                Ok(false) => {
                    let message = self.message(rule, value);
                    errors.push(failure(schema, rule, path, message));
                }
                Err(reason) => unevaluated.push(Unevaluated {
                    field: path.to_string(),
                    rule: rule.rule.clone(),
                    reason,
                }),
            }
        }
        match value {
            Value::Object(map) => {
                for (key, child_value) in map {
                    let child_schema = schema.child(key);
                    if let Some(s) = child_schema {
                        self.check(s, child_value, &child(path, key), errors, unevaluated);
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item_schema) = &schema.items {
                    for (i, item) in items.iter().enumerate() {
                        self.check(item_schema, item, &index(path, i), errors, unevaluated);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The API server reports a false rule as an invalid value whose "value" is the schema's type.
fn failure(schema: &Schema, rule: &ValidationRule, path: &str, message: String) -> FieldError {
    let field = match rule
        .field_path
        .as_deref()
        .map(|p| p.trim_start_matches('.'))
    {
        Some(relative) if !relative.is_empty() => child(path, relative),
        _ => path.to_string(),
    };
    let type_name = Value::String(schema.type_name.clone().unwrap_or_default());
    // The rule's `reason` picks the kind of field error, as the API server does.
    match rule.reason.as_deref() {
        Some("FieldValueForbidden") => {
            FieldError::new(&field, FieldErrorKind::Forbidden, None, message)
        }
        Some("FieldValueRequired") => {
            FieldError::new(&field, FieldErrorKind::Required, None, message)
        }
        Some("FieldValueDuplicate") => FieldError::new(
            &field,
            FieldErrorKind::Duplicate,
            Some(type_name),
            String::new(),
        ),
        _ => FieldError::invalid(&field, type_name, message),
    }
}

/// JSON as CEL sees it: integers as `int`, other numbers as `double`, objects as maps.
fn to_cel(value: &Value) -> cel::Value {
    match value {
        Value::Null => cel::Value::Null,
        Value::Bool(b) => cel::Value::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => cel::Value::Int(i),
            None => match n.as_u64() {
                Some(u) => cel::Value::UInt(u),
                None => cel::Value::Float(n.as_f64().unwrap_or_default()),
            },
        },
        Value::String(s) => cel::Value::String(Arc::new(s.clone())),
        Value::Array(items) => cel::Value::List(Arc::new(items.iter().map(to_cel).collect())),
        Value::Object(map) => {
            let entries: std::collections::HashMap<String, cel::Value> =
                map.iter().map(|(k, v)| (k.clone(), to_cel(v))).collect();
            cel::Value::Map(entries.into())
        }
    }
}
