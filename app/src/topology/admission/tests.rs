use serde_json::{json, Value};

use super::*;

/// A small CRD with one of everything the validator reads.
fn crd() -> Value {
    let authz = json!({"type": "object",
                                "x-kubernetes-validations": [
                                    {"rule": "[has(self.a), has(self.b)].exists_one(c, c)", "message": "One selection required between a or b."},
                                    {"rule": "!has(self.c)", "messageExpression": "'c is ' + self.c + ', and no longer supported'", "reason": "FieldValueForbidden", "fieldPath": ".c"}
                                ],
                                "properties": {"a": {"type": "object"}, "b": {"type": "object"}, "c": {"type": "string"}}});
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "spec": {"group": "example.dev", "names": {"kind": "Widget"}, "versions": [
            {"name": "v1", "served": true, "schema": {"openAPIV3Schema": {
                "type": "object",
                "properties": {
                    "apiVersion": {"type": "string"}, "kind": {"type": "string"},
                    "metadata": {"type": "object"},
                    "spec": {"type": "object", "required": ["project"],
                        "x-kubernetes-validations": [
                            {"rule": "self.replicas <= 1 || !has(self.scaling)", "message": "replicas > 1 and scaling are mutually exclusive."},
                            {"rule": "self == oldSelf", "message": "immutable"}
                        ],
                        "properties": {
                            "project": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_]*$", "maxLength": 10},
                            "replicas": {"type": "integer", "default": 1, "minimum": 0},
                            "mode": {"type": "string", "enum": ["none", "sync"]},
                            "roles": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2, "x-kubernetes-list-type": "set"},
                            "env": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                                "items": {"type": "object", "properties": {"name": {"type": "string"}, "value": {"type": "string"}}}},
                            "scaling": {"type": "object", "properties": {"max": {"type": "integer", "default": 3}}},
                            "budget": {"type": "object", "x-kubernetes-int-or-string": true},
                            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                            "authz": authz
                        }},
                    "status": {"type": "object", "properties": {"phase": {"type": "string"}}}
                }}}},
            {"name": "v0", "served": false, "schema": {"openAPIV3Schema": {"type": "object"}}}
        ]}
    })
}

fn admit(spec: Value) -> Admission {
    let crd = Crd::from_value(&crd()).unwrap_or_else(|e| panic!("{e}"));
    let object = json!({"apiVersion": "example.dev/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": spec});
    Validator::new(crd)
        .admit(&object)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn messages(a: &Admission) -> Vec<String> {
    a.errors.iter().map(ToString::to_string).collect()
}

#[test]
fn a_valid_object_is_admitted() {
    let a = admit(
        json!({"project": "p_1", "roles": ["x"], "labels": {"a": "b"}, "free": {"any": {"thing": 1}}}),
    );
    assert_eq!(messages(&a), Vec::<String>::new());
    assert!(a.pruned.is_empty());
}

#[test]
fn schema_errors_are_worded_as_the_api_server_words_them() {
    let a = admit(json!({"project": "-x", "replicas": -1, "roles": [], "labels": {"a": 1}}));
    assert_eq!(
        messages(&a),
        vec![
            r#"spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer""#,
            r#"spec.project: Invalid value: "-x": spec.project in body should match '^[A-Za-z0-9][A-Za-z0-9_]*$'"#,
            r#"spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0"#,
            r#"spec.roles: Invalid value: 0: spec.roles in body should have at least 1 items"#,
            format!("<nil>: Invalid value: null: {RULES_NOT_CHECKED}").as_str(),
        ]
    );
}

#[test]
fn required_enum_length_and_count() {
    let a = admit(json!({"mode": "bogus", "roles": ["a", "b", "c"]}));
    assert_eq!(
        messages(&a)[..3],
        [
            r#"spec.project: Required value"#,
            r#"spec.mode: Unsupported value: "bogus": supported values: "none", "sync""#,
            r#"spec.roles: Too many: 3: must have at most 2 items"#,
        ]
    );
    let a = admit(json!({"project": "abcdefghijk"}));
    assert_eq!(
        messages(&a),
        vec!["spec.project: Too long: may not be more than 10 bytes"]
    );
}

#[test]
fn unknown_fields_are_pruned_with_a_warning_and_defaults_filled() {
    let a = admit(
        json!({"project": "p", "persistance": {}, "scaling": {"mx": 1}, "free": {"kept": 1}}),
    );
    assert_eq!(a.pruned, vec!["spec.persistance", "spec.scaling.mx"]);
    assert_eq!(
        a.pruning_warnings()[0],
        r#"unknown field "spec.persistance": the API server would prune it"#
    );
}

#[test]
fn unserved_versions_and_missing_names_are_refused() {
    let crd = Crd::from_value(&crd()).unwrap_or_else(|e| panic!("{e}"));
    let mut v = Validator::new(crd);
    let err = v
        .admit(&json!({"apiVersion": "example.dev/v0", "kind": "Widget"}))
        .unwrap_err();
    assert!(err.starts_with(r#"no matches for kind "Widget" in version "example.dev/v0""#));
    let a = v
        .admit(&json!({"apiVersion": "example.dev/v1", "kind": "Widget", "spec": {"project": "p"}}))
        .unwrap_or_default();
    assert_eq!(
        messages(&a),
        vec!["metadata.name: Required value: name or generateName is required"]
    );
}

#[test]
fn a_name_that_is_not_an_rfc_1123_subdomain_is_refused() {
    let crd = Crd::from_value(&crd()).unwrap_or_else(|e| panic!("{e}"));
    let mut v = Validator::new(crd);
    let a = v
        .admit(&json!({"apiVersion": "example.dev/v1", "kind": "Widget",
            "metadata": {"name": "Feast_Store"}, "spec": {"project": "p"}}))
        .unwrap_or_default();
    assert_eq!(
        messages(&a),
        vec![
            r#"metadata.name: Invalid value: "Feast_Store": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#
        ]
    );
}

#[test]
fn the_refusal_reads_as_the_api_servers() {
    let a = admit(json!({"project": "-x"}));
    assert_eq!(
        refusal("Widget.example.dev", "w", &a.errors),
        r#"Widget.example.dev "w" is invalid: spec.project: Invalid value: "-x": spec.project in body should match '^[A-Za-z0-9][A-Za-z0-9_]*$'"#
    );
}

#[test]
fn hostile_schemas_are_bounded() {
    let mut deep = json!({"type": "string"});
    for _ in 0..200 {
        deep = json!({"type": "object", "properties": {"x": deep}});
    }
    let crd = json!({"kind": "CustomResourceDefinition", "spec": {"group": "g", "names": {"kind": "K"},
        "versions": [{"name": "v1", "served": true, "schema": {"openAPIV3Schema": deep}}]}});
    assert!(matches!(Crd::from_value(&crd), Err(CrdError::TooDeep(_))));
    assert_eq!(
        Crd::from_value(&json!({"kind": "ConfigMap"})),
        Err(CrdError::NotACrd("ConfigMap".into()))
    );
}

#[cfg(feature = "ssr")]
#[test]
fn cel_rules_are_evaluated_on_the_defaulted_object() {
    // replicas defaults to 1, so the rule holds without it; transition rules do not apply.
    let a = admit(json!({"project": "p", "scaling": {}}));
    assert_eq!(messages(&a), Vec::<String>::new());
    let a =
        admit(json!({"project": "p", "replicas": 2, "scaling": {}, "authz": {"a": {}, "b": {}}}));
    assert_eq!(
        messages(&a),
        vec![
            r#"spec: Invalid value: "object": replicas > 1 and scaling are mutually exclusive."#,
            r#"spec.authz: Invalid value: "object": One selection required between a or b."#,
        ]
    );
    assert!(a.unevaluated.is_empty(), "{:?}", a.unevaluated);
}

#[test]
fn set_and_map_lists_may_not_repeat() {
    let a = admit(json!({"project": "p", "roles": ["a", "a"],
        "env": [{"name": "X", "value": "1"}, {"name": "Y"}, {"name": "X", "value": "2"}]}));
    assert_eq!(
        messages(&a),
        vec![
            r#"spec.env[2]: Duplicate value: {"name":"X"}"#,
            r#"spec.roles[1]: Duplicate value: "a""#,
        ]
    );
}

#[test]
fn yaml_1_1_octal_modes_are_numbers_as_kubectl_reads_them() {
    // `replicas: 0644` unquoted: kubectl sends 420; our YAML parser gives "0644".
    let a = admit(json!({"project": "p", "replicas": "0644"}));
    assert_eq!(messages(&a), Vec::<String>::new());
    let a = admit(json!({"project": "p", "replicas": "0648"}));
    assert_eq!(
        messages(&a)[0],
        r#"spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string""#
    );
}

#[cfg(feature = "ssr")]
#[test]
fn message_expressions_reasons_and_field_paths_shape_the_error() {
    let a = admit(json!({"project": "p", "authz": {"a": {}, "c": "legacy"}}));
    assert_eq!(
        messages(&a),
        vec!["spec.authz.c: Forbidden: c is legacy, and no longer supported"]
    );
}
