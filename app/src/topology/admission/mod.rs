//! "The API server would refuse this": a custom resource checked against its CRD exactly as
//! the API server checks it on create: unknown fields pruned (reported as warnings), defaults
//! filled in, the structural schema validated, then the CRD's CEL rules evaluated. Pure: the
//! CRD comes in as JSON (bundled with the console, or read from the cluster by the server).
//! The guide's advice is elsewhere (`topology::rules`).

pub mod error;
mod name;
pub mod schema;
pub mod structural;

#[cfg(feature = "ssr")]
pub mod cel_rules;

use serde::Serialize;
use serde_json::Value;

pub use error::{refusal, FieldError, FieldErrorKind};
pub use schema::{Crd, CrdError, CrdVersion};

/// What the API server would do with one object on create.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Admission {
    /// Why it would refuse the object; empty: it would accept it.
    pub errors: Vec<FieldError>,
    /// Fields it would silently drop (`spec.services.onlineStore.persistance`).
    pub pruned: Vec<String>,
    /// CEL rules the console could not evaluate (so it cannot say whether they hold).
    pub unevaluated: Vec<String>,
}

impl Admission {
    pub fn refused(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The warning the API server gives for each pruned field (with `fieldValidation=Warn`).
    pub fn pruning_warnings(&self) -> Vec<String> {
        self.pruned
            .iter()
            .map(|f| {
                format!(
                    "unknown field {}: the API server would prune it",
                    error::go_quote(f)
                )
            })
            .collect()
    }
}

/// The error the API server adds when schema errors kept it from running the CEL rules.
pub const RULES_NOT_CHECKED: &str = "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation";

/// Validates objects against one CRD, keeping compiled patterns and rules between objects.
pub struct Validator {
    crd: Crd,
    patterns: structural::Patterns,
    #[cfg(feature = "ssr")]
    rules: cel_rules::RuleEngine,
}

impl Validator {
    pub fn new(crd: Crd) -> Validator {
        Validator {
            crd,
            patterns: structural::Patterns::default(),
            #[cfg(feature = "ssr")]
            rules: cel_rules::RuleEngine::default(),
        }
    }

    pub fn crd(&self) -> &Crd {
        &self.crd
    }

    /// What the API server would say to creating `object`; `Err` with its message when the
    /// object's apiVersion is not one the CRD serves.
    pub fn admit(&mut self, object: &Value) -> Result<Admission, String> {
        let api_version = object
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(version) = self.crd.served(api_version) else {
            return Err(format!(
                "no matches for kind {} in version {} (the CRD serves {})",
                error::go_quote(&self.crd.kind),
                error::go_quote(api_version),
                self.crd.served_names()
            ));
        };
        let schema = &version.schema;
        let mut admission = Admission::default();
        let mut object = object.clone();
        // With the status subresource, status is ignored on create.
        if let Some(map) = object.as_object_mut() {
            map.remove("status");
        }
        structural::prune_and_default(schema, &mut object, "", true, &mut admission.pruned);
        let meta = object.get("metadata");
        let named = ["name", "generateName"].iter().any(|k| {
            meta.and_then(|m| m.get(*k))
                .and_then(Value::as_str)
                .is_some_and(|n| !n.is_empty())
        });
        if !named {
            admission.errors.push(FieldError::new(
                "metadata.name",
                FieldErrorKind::Required,
                None,
                "name or generateName is required".to_string(),
            ));
        }
        if let Some(name) = meta
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        {
            for problem in name::dns1123_subdomain_problems(name) {
                admission.errors.push(FieldError::invalid(
                    "metadata.name",
                    Value::String(name.to_string()),
                    problem.to_string(),
                ));
            }
        }
        let mut schema_errors = Vec::new();
        for (key, value) in object.as_object().into_iter().flatten() {
            if let Some(s) = schema.properties.get(key).filter(|_| key != "metadata") {
                structural::validate(s, value, key, &mut self.patterns, &mut schema_errors);
            }
        }
        let blocked = schema_errors.iter().any(|e| e.kind.blocks_rules());
        admission.errors.extend(schema_errors);
        if blocked {
            admission.errors.push(FieldError::invalid(
                "",
                Value::Null,
                RULES_NOT_CHECKED.to_string(),
            ));
            return Ok(admission);
        }
        #[cfg(feature = "ssr")]
        {
            let mut unevaluated = Vec::new();
            self.rules
                .check(schema, &object, "", &mut admission.errors, &mut unevaluated);
            admission.unevaluated = unevaluated
                .into_iter()
                .map(|u| format!("{}: rule `{}`: {}", u.field, u.rule, u.reason))
                .collect();
        }
        #[cfg(not(feature = "ssr"))]
        if has_rules(schema) {
            admission
                .unevaluated
                .push("CEL rules are evaluated on the server only".to_string());
        }
        Ok(admission)
    }
}

#[cfg(not(feature = "ssr"))]
fn has_rules(schema: &Schema) -> bool {
    !schema.rules.is_empty()
        || schema.properties.values().any(has_rules)
        || schema.items.as_deref().is_some_and(has_rules)
        || schema
            .additional_properties
            .as_deref()
            .is_some_and(has_rules)
}

#[cfg(not(feature = "ssr"))]
use schema::Schema;

#[cfg(test)]
mod tests;
