//! The Kubernetes manifests in `deploy/kubernetes/`, the Containerfile and `scripts/package.sh`.
//!
//! - Every YAML document is parsed into the Kubernetes API types of k8s-openapi (v1_35) and must
//!   survive a round trip: k8s-openapi ignores unknown fields, so a field present in the input but
//!   missing after re-serialising the typed value is an unknown (misspelt, misplaced) field.
//! - kustomization.yaml files are checked on their own (known keys, referenced files exist, no file
//!   left out), and each overlay is resolved here (resources, strategic-merge and JSON 6902
//!   patches, namespace, labels, images): every patch must hit an existing object, and the result
//!   is parsed strictly again. `kubectl kustomize` must render the same objects (an ignored
//!   test: kubectl is not installable here; run it where kubectl is on PATH).
//! - RBAC: the console's roles grant get/list/watch on the listed resources only, never Secrets,
//!   never a wildcard.
//! - The Deployment: probes, resources, security context, volumes; the ConfigMap's configuration
//!   passes `feast-console config check`; the packaged folder starts and serves the site.
//!
//! Run: `cargo nextest run -p server --test it deploy_manifests`

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Container, PersistentVolumeClaim, PodSpec, Service};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

const OVERLAYS: [&str; 2] = ["single", "ha"];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn kube_dir() -> PathBuf {
    repo().join("deploy/kubernetes")
}

fn rel(p: &Path) -> String {
    p.strip_prefix(repo()).unwrap_or(p).display().to_string()
}

/// Every .yaml / .yml file under `dir`, sorted.
fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(yaml_files(&path));
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The YAML documents of one file as JSON trees (empty documents dropped).
fn documents(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    documents_of(&text).unwrap_or_else(|e| panic!("{}: {e}", rel(path)))
}

fn documents_of(text: &str) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for doc in serde_norway::Deserializer::from_str(text) {
        let v = Value::deserialize(doc).map_err(|e| format!("not YAML: {e}"))?;
        if !v.is_null() {
            out.push(v);
        }
    }
    Ok(out)
}

// ---- strict parsing --------------------------------------------------------------------------

/// Paths present in `input` but absent (or different) in `back`, the typed round trip of it.
/// A `null` in the input is a deletion directive of a strategic-merge patch and is skipped.
fn lost_fields(input: &Value, back: &Value, path: &str, out: &mut Vec<String>) {
    match (input, back) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let p = format!("{path}.{k}");
                match b.get(k) {
                    _ if v.is_null() => {}
                    Some(w) => lost_fields(v, w, &p, out),
                    None => out.push(format!("{p} (unknown field)")),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                out.push(format!("{path} (list of {} became {})", a.len(), b.len()));
            }
            for (i, (v, w)) in a.iter().zip(b).enumerate() {
                lost_fields(v, w, &format!("{path}[{i}]"), out);
            }
        }
        (a, b) if a == b => {}
        // Numbers may be re-spelt (1 vs 1.0) but not changed.
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
        (a, b) => out.push(format!("{path} ({a} read as {b})")),
    }
}

fn strict_as<T: DeserializeOwned + Serialize>(v: &Value) -> Result<T, String> {
    let typed: T = serde_json::from_value(v.clone()).map_err(|e| e.to_string())?;
    let back = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
    let mut lost = Vec::new();
    lost_fields(v, &back, "", &mut lost);
    if lost.is_empty() {
        Ok(typed)
    } else {
        Err(lost.join("; "))
    }
}

/// Parses one object strictly into its Kubernetes API type, chosen by apiVersion and kind.
fn strict(v: &Value) -> Result<(), String> {
    use k8s_openapi::api::core::v1 as core;
    let api = v["apiVersion"].as_str().unwrap_or("");
    let kind = v["kind"].as_str().unwrap_or("");
    match (api, kind) {
        ("v1", "Namespace") => strict_as::<core::Namespace>(v).map(drop),
        ("v1", "ServiceAccount") => strict_as::<core::ServiceAccount>(v).map(drop),
        ("v1", "ConfigMap") => strict_as::<ConfigMap>(v).map(drop),
        ("v1", "Service") => strict_as::<Service>(v).map(drop),
        ("v1", "PersistentVolumeClaim") => strict_as::<PersistentVolumeClaim>(v).map(drop),
        ("apps/v1", "Deployment") => strict_as::<Deployment>(v).map(drop),
        ("networking.k8s.io/v1", "Ingress") => strict_as::<Ingress>(v).map(drop),
        ("networking.k8s.io/v1", "NetworkPolicy") => strict_as::<NetworkPolicy>(v).map(drop),
        ("policy/v1", "PodDisruptionBudget") => strict_as::<PodDisruptionBudget>(v).map(drop),
        ("rbac.authorization.k8s.io/v1", "ClusterRole") => strict_as::<ClusterRole>(v).map(drop),
        ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding") => {
            strict_as::<ClusterRoleBinding>(v).map(drop)
        }
        ("rbac.authorization.k8s.io/v1", "Role") => strict_as::<Role>(v).map(drop),
        ("rbac.authorization.k8s.io/v1", "RoleBinding") => strict_as::<RoleBinding>(v).map(drop),
        // Secrets are never part of the manifests: they are created by the operator of the
        // cluster (deploy/README.md) and only referenced here.
        _ => Err(format!(
            "unexpected apiVersion/kind `{api}` / `{kind}` (not allowed in deploy/kubernetes)"
        )),
    }
}

fn typed<T: DeserializeOwned + Serialize>(v: &Value) -> T {
    strict_as(v).unwrap_or_else(|e| panic!("{} {}: {e}", v["kind"], v["metadata"]["name"]))
}

// ---- kustomize ---------------------------------------------------------------------------

/// Keys of kustomize.config.k8s.io/v1beta1 Kustomization used or usable here. The deprecated
/// ones (commonLabels, patchesStrategicMerge, patchesJson6902, bases, vars) are not listed.
const KUSTOMIZATION_KEYS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "namespace",
    "namePrefix",
    "nameSuffix",
    "labels",
    "commonAnnotations",
    "resources",
    "components",
    "patches",
    "images",
    "replicas",
    "configMapGenerator",
    "secretGenerator",
    "generatorOptions",
];
const PATCH_KEYS: &[&str] = &["path", "patch", "target", "options"];
const TARGET_KEYS: &[&str] = &[
    "group",
    "version",
    "kind",
    "name",
    "namespace",
    "labelSelector",
    "annotationSelector",
];
const IMAGE_KEYS: &[&str] = &["name", "newName", "newTag", "digest"];
const LABEL_KEYS: &[&str] = &["pairs", "includeSelectors", "includeTemplates", "fields"];

fn check_keys(v: &Value, allowed: &[&str], what: &str, errors: &mut Vec<String>) {
    match v.as_object() {
        Some(map) => {
            for k in map.keys() {
                if !allowed.contains(&k.as_str()) {
                    errors.push(format!("{what}: unknown key `{k}`"));
                }
            }
        }
        None => errors.push(format!("{what}: not a mapping")),
    }
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// Checks one kustomization.yaml: known keys, referenced files and folders exist. Returns the
/// files it references (resources and patch files), for the no-orphan check.
fn check_kustomization(path: &Path, errors: &mut Vec<String>) -> Vec<PathBuf> {
    let dir = path.parent().unwrap();
    let docs = documents(path);
    let what = rel(path);
    if docs.len() != 1 {
        errors.push(format!(
            "{what}: expected one document, found {}",
            docs.len()
        ));
        return Vec::new();
    }
    let k = &docs[0];
    check_keys(k, KUSTOMIZATION_KEYS, &what, errors);
    if k["apiVersion"] != "kustomize.config.k8s.io/v1beta1" || k["kind"] != "Kustomization" {
        errors.push(format!(
            "{what}: apiVersion/kind must be kustomize.config.k8s.io/v1beta1 Kustomization"
        ));
    }
    let mut referenced = Vec::new();
    for r in list(k, "resources") {
        let Some(r) = r.as_str() else {
            errors.push(format!("{what}: resource {r} is not a path"));
            continue;
        };
        let p = dir.join(r);
        if p.is_dir() {
            if !p.join("kustomization.yaml").is_file() {
                errors.push(format!(
                    "{what}: resource folder {r} has no kustomization.yaml"
                ));
            }
        } else if p.is_file() {
            referenced.push(p.canonicalize().unwrap());
        } else {
            errors.push(format!("{what}: resource {r} does not exist"));
        }
    }
    for (i, p) in list(k, "patches").iter().enumerate() {
        let pw = format!("{what}: patches[{i}]");
        check_keys(p, PATCH_KEYS, &pw, errors);
        if let Some(t) = p.get("target") {
            check_keys(t, TARGET_KEYS, &format!("{pw}.target"), errors);
        }
        match (p.get("path").and_then(Value::as_str), p.get("patch")) {
            (Some(f), None) => {
                let f = dir.join(f);
                if f.is_file() {
                    referenced.push(f.canonicalize().unwrap());
                } else {
                    errors.push(format!("{pw}: patch file {} does not exist", f.display()));
                }
            }
            (None, Some(_)) => {}
            _ => errors.push(format!("{pw}: needs exactly one of path and patch")),
        }
    }
    for (i, im) in list(k, "images").iter().enumerate() {
        check_keys(im, IMAGE_KEYS, &format!("{what}: images[{i}]"), errors);
    }
    for (i, l) in list(k, "labels").iter().enumerate() {
        check_keys(l, LABEL_KEYS, &format!("{what}: labels[{i}]"), errors);
    }
    referenced
}

/// Strategic-merge patch, the subset these manifests use: mappings merge, `null` deletes, lists
/// of named items (containers, env, volumes, volumeMounts, ports) merge by `name`, other lists are
/// replaced. `kubectl kustomize`, when present, cross-checks the result.
fn strategic_merge(base: &mut Value, patch: &Value) {
    const BY_NAME: &[&str] = &[
        "containers",
        "initContainers",
        "env",
        "volumes",
        "volumeMounts",
        "ports",
    ];
    let (Value::Object(b), Value::Object(p)) = (&mut *base, patch) else {
        *base = patch.clone();
        return;
    };
    for (k, pv) in p {
        if pv.is_null() {
            b.remove(k);
            continue;
        }
        match b.get_mut(k) {
            Some(bv @ Value::Object(_)) if pv.is_object() => strategic_merge(bv, pv),
            Some(Value::Array(items)) if BY_NAME.contains(&k.as_str()) && pv.is_array() => {
                for item in pv.as_array().unwrap() {
                    let name = &item["name"];
                    match items
                        .iter_mut()
                        .find(|i| !name.is_null() && &i["name"] == name)
                    {
                        Some(existing) => strategic_merge(existing, item),
                        None => items.push(without_nulls(item)),
                    }
                }
            }
            _ => {
                b.insert(k.clone(), without_nulls(pv));
            }
        }
    }
}

/// A patch value inserted where the target has nothing: its deletion directives drop out.
fn without_nulls(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, x)| !x.is_null())
                .map(|(k, x)| (k.clone(), without_nulls(x)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// JSON 6902 patch: add, replace, remove (what kustomize patches with a target need here).
fn json6902(base: &mut Value, ops: &Value) -> Result<(), String> {
    for op in ops
        .as_array()
        .ok_or("a JSON 6902 patch is a list of operations")?
    {
        let kind = op["op"].as_str().ok_or("operation without `op`")?;
        let path = op["path"].as_str().ok_or("operation without `path`")?;
        let (parent, last) = path
            .rsplit_once('/')
            .ok_or_else(|| format!("bad path {path}"))?;
        let parent_value = base
            .pointer_mut(parent)
            .ok_or_else(|| format!("{path}: {parent} does not exist"))?;
        match (kind, parent_value) {
            ("add", Value::Array(items)) if last == "-" => items.push(op["value"].clone()),
            ("add" | "replace", Value::Array(items)) => {
                let i: usize = last.parse().map_err(|_| format!("{path}: not an index"))?;
                if i > items.len() || (kind == "replace" && i == items.len()) {
                    return Err(format!("{path}: index out of range"));
                }
                if kind == "add" {
                    items.insert(i, op["value"].clone());
                } else {
                    items[i] = op["value"].clone();
                }
            }
            ("add" | "replace", Value::Object(map)) => {
                if kind == "replace" && !map.contains_key(last) {
                    return Err(format!("{path}: nothing to replace"));
                }
                map.insert(last.to_string(), op["value"].clone());
            }
            ("remove", Value::Object(map)) => {
                map.remove(last)
                    .ok_or_else(|| format!("{path}: nothing to remove"))?;
            }
            ("remove", Value::Array(items)) => {
                let i: usize = last.parse().map_err(|_| format!("{path}: not an index"))?;
                if i >= items.len() {
                    return Err(format!("{path}: index out of range"));
                }
                items.remove(i);
            }
            (other, _) => return Err(format!("{path}: unsupported operation `{other}`")),
        }
    }
    Ok(())
}

fn id(v: &Value) -> String {
    format!(
        "{}/{}",
        v["kind"].as_str().unwrap_or("?"),
        v["metadata"]["name"].as_str().unwrap_or("?")
    )
}

const CLUSTER_SCOPED: &[&str] = &["Namespace", "ClusterRole", "ClusterRoleBinding"];

fn set_label(obj: &mut Value, key: &str, value: &Value) {
    if obj["metadata"].get("labels").is_none() {
        obj["metadata"]["labels"] = json!({});
    }
    obj["metadata"]["labels"][key] = value.clone();
}

/// Builds a kustomization folder the way `kubectl kustomize` does, for the features used here.
fn resolve(dir: &Path) -> Result<Vec<Value>, String> {
    let kpath = dir.join("kustomization.yaml");
    let k = documents(&kpath).remove(0);
    let mut objects: Vec<Value> = Vec::new();
    for r in list(&k, "resources") {
        let p = dir.join(r.as_str().unwrap());
        if p.is_dir() {
            objects.extend(resolve(&p)?);
        } else {
            objects.extend(documents(&p));
        }
    }
    for (i, p) in list(&k, "patches").iter().enumerate() {
        let where_ = format!("{}: patches[{i}]", rel(&kpath));
        let body = match (
            p.get("path").and_then(Value::as_str),
            p.get("patch").and_then(Value::as_str),
        ) {
            (Some(f), _) => documents(&dir.join(f)),
            (None, Some(text)) => documents_of(text)?,
            _ => return Err(format!("{where_}: no patch")),
        };
        for patch in body {
            if patch.is_array() {
                let t = p
                    .get("target")
                    .ok_or_else(|| format!("{where_}: a JSON 6902 patch needs a target"))?;
                let matches: Vec<&mut Value> = objects
                    .iter_mut()
                    .filter(|o| {
                        o["kind"] == t["kind"]
                            && (t.get("name").is_none() || o["metadata"]["name"] == t["name"])
                            && t.get("group").is_none_or(|g| {
                                let api = o["apiVersion"].as_str().unwrap_or("");
                                let group = api.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
                                g == group
                            })
                            && t.get("version").is_none_or(|ver| {
                                o["apiVersion"].as_str().unwrap_or("").rsplit('/').next()
                                    == ver.as_str()
                            })
                    })
                    .collect();
                if matches.is_empty() {
                    return Err(format!("{where_}: target {t} matches no object"));
                }
                for o in matches {
                    json6902(o, &patch).map_err(|e| format!("{where_}: {e}"))?;
                }
            } else {
                let target = objects
                    .iter_mut()
                    .find(|o| {
                        o["kind"] == patch["kind"]
                            && o["metadata"]["name"] == patch["metadata"]["name"]
                    })
                    .ok_or_else(|| {
                        format!("{where_}: patch for {} matches no object", id(&patch))
                    })?;
                if target["apiVersion"] != patch["apiVersion"] {
                    return Err(format!(
                        "{where_}: apiVersion {} differs from the target's",
                        patch["apiVersion"]
                    ));
                }
                strategic_merge(target, &patch);
            }
        }
    }
    if let Some(ns) = k.get("namespace") {
        for o in &mut objects {
            let kind = o["kind"].as_str().unwrap_or("").to_string();
            if !CLUSTER_SCOPED.contains(&kind.as_str()) {
                o["metadata"]["namespace"] = ns.clone();
            }
            if kind == "ClusterRoleBinding" || kind == "RoleBinding" {
                for s in o
                    .pointer_mut("/subjects")
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    if s["kind"] == "ServiceAccount" {
                        s["namespace"] = ns.clone();
                    }
                }
            }
        }
    }
    for l in list(&k, "labels") {
        assert_ne!(
            l["includeSelectors"], true,
            "this resolver only knows labels without selectors"
        );
        for (key, value) in l["pairs"].as_object().into_iter().flatten() {
            for o in &mut objects {
                set_label(o, key, value);
                if l["includeTemplates"] == true && o["spec"]["template"].is_object() {
                    let t = &mut o["spec"]["template"];
                    set_label(t, key, value);
                }
            }
        }
    }
    for im in list(&k, "images") {
        for o in &mut objects {
            for c in o
                .pointer_mut("/spec/template/spec/containers")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                let image = c["image"].as_str().unwrap_or("");
                let (name, tag) = image.split_once(':').unwrap_or((image, ""));
                if name == im["name"] {
                    let name = im["newName"].as_str().unwrap_or(name);
                    let tag = im["newTag"].as_str().unwrap_or(tag);
                    c["image"] = json!(if tag.is_empty() {
                        name.to_string()
                    } else {
                        format!("{name}:{tag}")
                    });
                }
            }
        }
    }
    Ok(objects)
}

fn overlay(name: &str) -> Vec<Value> {
    resolve(&kube_dir().join("overlays").join(name))
        .unwrap_or_else(|e| panic!("overlay {name}: {e}"))
}

fn find<'a>(objects: &'a [Value], kind: &str, name: &str) -> Option<&'a Value> {
    objects
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
}

fn one<T: DeserializeOwned + Serialize>(objects: &[Value], kind: &str) -> T {
    let all: Vec<&Value> = objects.iter().filter(|o| o["kind"] == kind).collect();
    assert_eq!(all.len(), 1, "expected one {kind}, found {}", all.len());
    typed(all[0])
}

// ---- tests: parsing --------------------------------------------------------------------------

#[test]
fn every_manifest_parses_strictly_into_the_kubernetes_api_types() {
    // All of deploy/, not only kubernetes/: a YAML file anywhere there is a manifest.
    let files = yaml_files(&repo().join("deploy"));
    assert!(files.len() >= 10, "manifests found: {files:?}");
    let mut errors = Vec::new();
    let mut parsed = 0;
    for f in &files {
        if f.file_name().unwrap() == "kustomization.yaml" {
            continue; // checked by kustomizations_use_known_keys_and_existing_files
        }
        for (i, doc) in documents(f).iter().enumerate() {
            if doc.is_array() {
                // A JSON 6902 patch: checked by applying it (overlays_resolve...).
                let ok = doc.as_array().unwrap().iter().all(|op| {
                    op.as_object().is_some_and(|m| {
                        m.keys()
                            .all(|k| ["op", "path", "value", "from"].contains(&k.as_str()))
                    })
                });
                if !ok {
                    errors.push(format!("{} document {i}: not a JSON 6902 patch", rel(f)));
                }
                continue;
            }
            parsed += 1;
            if let Err(e) = strict(doc) {
                errors.push(format!("{} document {i} ({}): {e}", rel(f), id(doc)));
            }
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert!(parsed >= 12, "only {parsed} objects parsed");
}

#[test]
fn the_strict_check_catches_unknown_and_misplaced_fields() {
    let good = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
        "spec": {"ports": [{"port": 80, "targetPort": "http"}]}});
    assert_eq!(strict(&good), Ok(()));
    let typo = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
        "spec": {"port": [{"port": 80}]}});
    assert!(strict(&typo)
        .unwrap_err()
        .contains(".spec.port (unknown field)"));
    let misplaced = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
        "spec": {"selector": {}, "template": {"spec": {"containers": [{"name": "c", "readOnlyRootFilesystem": true}]}}}});
    assert!(strict(&misplaced)
        .unwrap_err()
        .contains("readOnlyRootFilesystem (unknown field)"));
    let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}});
    assert!(strict(&secret).is_err(), "Secret manifests are refused");
    let wrong_type = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
        "spec": {"ports": [{"port": "eighty"}]}});
    assert!(strict(&wrong_type).is_err());
}

#[test]
fn kustomizations_use_known_keys_and_existing_files() {
    let mut errors = Vec::new();
    let mut referenced = BTreeSet::new();
    let files = yaml_files(&kube_dir());
    let kustomizations: Vec<&PathBuf> = files
        .iter()
        .filter(|f| f.file_name().unwrap() == "kustomization.yaml")
        .collect();
    assert_eq!(
        kustomizations.len(),
        3,
        "base and two overlays: {kustomizations:?}"
    );
    for k in &kustomizations {
        referenced.extend(check_kustomization(k, &mut errors));
    }
    // Each overlay builds on the base.
    for o in OVERLAYS {
        let k = documents(
            &kube_dir()
                .join("overlays")
                .join(o)
                .join("kustomization.yaml"),
        )
        .remove(0);
        assert!(
            list(&k, "resources").iter().any(|r| r == "../../base"),
            "overlay {o} must use ../../base"
        );
    }
    // No manifest is left out of every kustomization.
    for f in files
        .iter()
        .filter(|f| f.file_name().unwrap() != "kustomization.yaml")
    {
        if !referenced.contains(&f.canonicalize().unwrap()) {
            errors.push(format!(
                "{} is not referenced by any kustomization.yaml",
                rel(f)
            ));
        }
    }
    // The checker itself refuses deprecated or misspelt keys.
    let dir = tempdir("kustomization");
    std::fs::write(dir.join("kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\ncommonLabels: {a: b}\nresources: [missing.yaml]\n").unwrap();
    let mut own = Vec::new();
    check_kustomization(&dir.join("kustomization.yaml"), &mut own);
    assert!(
        own.iter().any(|e| e.contains("unknown key `commonLabels`"))
            && own.iter().any(|e| e.contains("missing.yaml")),
        "{own:?}"
    );
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn overlays_resolve_patches_hit_existing_objects_and_results_parse_strictly() {
    for o in OVERLAYS {
        let objects = overlay(o);
        let mut seen = BTreeSet::new();
        for obj in &objects {
            strict(obj).unwrap_or_else(|e| panic!("overlay {o}, {}: {e}", id(obj)));
            assert!(seen.insert(id(obj)), "overlay {o}: {} twice", id(obj));
            if !CLUSTER_SCOPED.contains(&obj["kind"].as_str().unwrap()) {
                assert_eq!(obj["metadata"]["namespace"], "feast-console", "{}", id(obj));
            }
        }
        for kind in [
            "Namespace",
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "ConfigMap",
            "Deployment",
            "Service",
            "Ingress",
            "NetworkPolicy",
        ] {
            assert!(
                objects.iter().any(|x| x["kind"] == kind),
                "overlay {o} has no {kind}"
            );
        }
        let d: Deployment = one(&objects, "Deployment");
        let image = d.spec.unwrap().template.spec.unwrap().containers[0]
            .image
            .clone()
            .unwrap();
        assert_eq!(
            image, "registry.example.com/feast-console:0.1.0",
            "overlay {o}: images transform"
        );
    }
    // A patch aimed at nothing is an error, not a silent no-op.
    let dir = tempdir("bad-overlay");
    std::fs::write(dir.join("kustomization.yaml"), format!(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [{}]\npatches: [{{path: p.yaml}}]\n",
        kube_dir().join("base").display())).unwrap();
    std::fs::write(dir.join("p.yaml"), "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: feast-consol}\nspec: {replicas: 3}\n").unwrap();
    let err = resolve(&dir).unwrap_err();
    assert!(err.contains("matches no object"), "{err}");
}

/// Sorts lists of named items so orderings of strategic merges do not matter.
fn normalise(v: &mut Value) {
    match v {
        Value::Object(m) => m.values_mut().for_each(normalise),
        Value::Array(items) => {
            items.iter_mut().for_each(normalise);
            if items
                .iter()
                .all(|i| i.get("name").is_some_and(Value::is_string))
            {
                items.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
            }
        }
        _ => {}
    }
}

/// kubectl is not in the package registries this project installs from; run this where it is:
/// `cargo nextest run --run-ignored only -E 'test(kubectl)'`.
#[test]
#[ignore = "needs kubectl on PATH (not installable from this project's package registries)"]
fn kubectl_kustomize_renders_the_same_objects() {
    for o in OVERLAYS {
        let out = Command::new("kubectl")
            .args([
                "kustomize",
                kube_dir().join("overlays").join(o).to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "kubectl kustomize {o}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rendered = documents_of(&String::from_utf8(out.stdout).unwrap()).unwrap();
        let mut theirs: BTreeMap<String, Value> = BTreeMap::new();
        for mut r in rendered {
            strict(&r).unwrap_or_else(|e| panic!("kubectl kustomize {o}, {}: {e}", id(&r)));
            normalise(&mut r);
            theirs.insert(id(&r), r);
        }
        let mut ours: BTreeMap<String, Value> = BTreeMap::new();
        for mut r in overlay(o) {
            normalise(&mut r);
            ours.insert(id(&r), r);
        }
        assert_eq!(
            ours.keys().collect::<Vec<_>>(),
            theirs.keys().collect::<Vec<_>>(),
            "overlay {o}"
        );
        for (k, v) in &ours {
            assert_eq!(
                v, &theirs[k],
                "overlay {o}: {k} differs from kubectl kustomize"
            );
        }
    }
}

// ---- tests: RBAC -----------------------------------------------------------------------------

/// (apiGroup, resource) the console may read; the ConfigMap only by name.
const ALLOWED: &[(&str, &str)] = &[
    ("feast.dev", "featurestores"),
    ("apps", "deployments"),
    ("autoscaling", "horizontalpodautoscalers"),
    ("policy", "poddisruptionbudgets"),
    ("networking.k8s.io", "networkpolicies"),
    ("networking.k8s.io", "ingresses"),
    ("", "services"),
    ("batch", "cronjobs"),
    ("route.openshift.io", "routes"),
];
const OPERATOR_CONFIGMAP: &str = "feast-configs-registry";
const READ_VERBS: &[&str] = &["get", "list", "watch"];

/// What a rule grants beyond the allowed list; empty when it is fine.
fn excess(rule: &PolicyRule) -> Vec<String> {
    let mut out = Vec::new();
    for v in &rule.verbs {
        if !READ_VERBS.contains(&v.as_str()) {
            out.push(format!("verb `{v}`"));
        }
    }
    if rule
        .non_resource_urls
        .as_ref()
        .is_some_and(|u| !u.is_empty())
    {
        out.push("nonResourceURLs".into());
    }
    let groups = rule.api_groups.clone().unwrap_or_default();
    let resources = rule.resources.clone().unwrap_or_default();
    let names = rule.resource_names.clone().unwrap_or_default();
    if groups.is_empty() || resources.is_empty() {
        out.push("a rule without apiGroups or resources".into());
    }
    for g in &groups {
        for r in &resources {
            if g == "*" || r == "*" || r.contains('/') && r.ends_with("/*") {
                out.push(format!("wildcard `{g}` / `{r}`"));
            } else if r.starts_with("secrets") {
                out.push(format!("Secrets (`{r}`)"));
            } else if g.is_empty() && r == "configmaps" {
                if names != [OPERATOR_CONFIGMAP.to_string()] {
                    out.push(format!(
                        "configmaps other than {OPERATOR_CONFIGMAP}: {names:?}"
                    ));
                }
            } else if g == "apiextensions.k8s.io" && r == "customresourcedefinitions" {
                if names != ["featurestores.feast.dev".to_string()] {
                    out.push(format!(
                        "CRDs other than featurestores.feast.dev: {names:?}"
                    ));
                }
            } else if !ALLOWED.contains(&(g.as_str(), r.as_str())) {
                out.push(format!("`{r}` in group `{g}`"));
            }
        }
    }
    out
}

fn rules_of(obj: &Value) -> Option<Vec<PolicyRule>> {
    match obj["kind"].as_str()? {
        "ClusterRole" => {
            let r: ClusterRole = typed(obj);
            assert!(
                r.aggregation_rule.is_none(),
                "aggregated ClusterRoles can grow without review"
            );
            Some(r.rules.unwrap_or_default())
        }
        "Role" => Some(typed::<Role>(obj).rules.unwrap_or_default()),
        _ => None,
    }
}

#[test]
fn roles_grant_only_read_access_to_the_listed_resources_and_never_secrets() {
    let mut all_objects: Vec<Value> = Vec::new();
    for f in yaml_files(&kube_dir()) {
        all_objects.extend(documents(&f).into_iter().filter(|d| d.is_object()));
    }
    for o in OVERLAYS {
        all_objects.extend(overlay(o));
    }
    let mut errors = Vec::new();
    let mut granted: BTreeSet<(String, String, String)> = BTreeSet::new();
    let mut roles = 0;
    for obj in &all_objects {
        let Some(rules) = rules_of(obj) else { continue };
        roles += 1;
        for (i, rule) in rules.iter().enumerate() {
            for e in excess(rule) {
                errors.push(format!("{} rule {i}: {e}", id(obj)));
            }
            for g in rule.api_groups.iter().flatten() {
                for r in rule.resources.iter().flatten() {
                    for v in &rule.verbs {
                        granted.insert((g.clone(), r.clone(), v.clone()));
                    }
                }
            }
        }
    }
    assert!(roles >= 1, "no ClusterRole or Role found");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // And everything the cluster source requests is granted (exactly: topology_kube.rs).
    for a in server::topology::kube_source::cluster_access() {
        assert!(
            granted.contains(&(a.group.clone(), a.resource.clone(), a.verb.clone())),
            "missing {a:?}"
        );
    }
    // Bindings give the console's roles to the console's ServiceAccount only.
    for o in OVERLAYS {
        for obj in overlay(o)
            .iter()
            .filter(|x| x["kind"] == "ClusterRoleBinding" || x["kind"] == "RoleBinding")
        {
            let (role_ref, subjects) = if obj["kind"] == "ClusterRoleBinding" {
                let b: ClusterRoleBinding = typed(obj);
                (b.role_ref, b.subjects.unwrap_or_default())
            } else {
                let b: RoleBinding = typed(obj);
                (b.role_ref, b.subjects.unwrap_or_default())
            };
            assert_eq!(role_ref.name, "feast-console-reader", "{}", id(obj));
            assert_eq!(subjects.len(), 1, "{}", id(obj));
            assert_eq!(
                (subjects[0].kind.as_str(), subjects[0].name.as_str()),
                ("ServiceAccount", "feast-console")
            );
            assert_eq!(subjects[0].namespace.as_deref(), Some("feast-console"));
        }
    }
}

#[test]
fn the_rbac_check_refuses_secrets_wildcards_writes_and_other_configmaps() {
    let rule =
        |groups: &[&str], resources: &[&str], verbs: &[&str], names: Option<&[&str]>| PolicyRule {
            api_groups: Some(groups.iter().map(|s| s.to_string()).collect()),
            resources: Some(resources.iter().map(|s| s.to_string()).collect()),
            verbs: verbs.iter().map(|s| s.to_string()).collect(),
            resource_names: names.map(|n| n.iter().map(|s| s.to_string()).collect()),
            non_resource_urls: None,
        };
    assert!(excess(&rule(
        &["apps"],
        &["deployments"],
        &["get", "list", "watch"],
        None
    ))
    .is_empty());
    assert!(excess(&rule(
        &[""],
        &["configmaps"],
        &["get"],
        Some(&[OPERATOR_CONFIGMAP])
    ))
    .is_empty());
    assert!(!excess(&rule(&[""], &["secrets"], &["get"], None)).is_empty());
    assert!(!excess(&rule(&[""], &["configmaps"], &["get"], None)).is_empty());
    assert!(!excess(&rule(&["*"], &["deployments"], &["get"], None)).is_empty());
    assert!(!excess(&rule(&["apps"], &["*"], &["get"], None)).is_empty());
    assert!(!excess(&rule(&["apps"], &["deployments"], &["*"], None)).is_empty());
    assert!(!excess(&rule(&["apps"], &["deployments"], &["patch"], None)).is_empty());
    assert!(!excess(&rule(&[""], &["pods"], &["list"], None)).is_empty());
    assert!(!excess(&rule(&["apps"], &["deployments/scale"], &["get"], None)).is_empty());
}

// ---- tests: Deployment and friends -----------------------------------------------------------

fn pod_spec(d: &Deployment) -> PodSpec {
    d.spec.as_ref().unwrap().template.spec.clone().unwrap()
}

fn console_container(d: &Deployment) -> Container {
    let spec = pod_spec(d);
    assert_eq!(spec.containers.len(), 1, "one container");
    spec.containers[0].clone()
}

fn http_path(p: &Option<k8s_openapi::api::core::v1::Probe>) -> (String, IntOrString) {
    let g = p
        .as_ref()
        .expect("probe present")
        .http_get
        .clone()
        .expect("HTTP probe");
    (g.path.unwrap_or_default(), g.port)
}

fn pod_labels(d: &Deployment) -> BTreeMap<String, String> {
    d.spec
        .as_ref()
        .unwrap()
        .template
        .metadata
        .as_ref()
        .unwrap()
        .labels
        .clone()
        .unwrap_or_default()
}

fn selects(selector: &BTreeMap<String, String>, labels: &BTreeMap<String, String>) -> bool {
    !selector.is_empty() && selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

#[test]
fn the_deployment_has_probes_limits_and_a_locked_down_security_context() {
    for o in OVERLAYS {
        let objects = overlay(o);
        let d: Deployment = one(&objects, "Deployment");
        let spec = pod_spec(&d);
        let c = console_container(&d);
        let ctx = format!("overlay {o}");

        // Probes on the console's own endpoints, on the ops port (`ops_listen`): the main
        // port's /readyz says only ready or not.
        let port = c.ports.clone().unwrap_or_default();
        assert!(
            port.iter()
                .any(|p| p.name.as_deref() == Some("http") && p.container_port == 3000),
            "{ctx}"
        );
        assert!(
            port.iter()
                .any(|p| p.name.as_deref() == Some("ops") && p.container_port == 9090),
            "{ctx}"
        );
        let ops = IntOrString::String("ops".into());
        assert_eq!(
            http_path(&c.liveness_probe),
            ("/healthz".into(), ops.clone()),
            "{ctx}"
        );
        assert_eq!(
            http_path(&c.readiness_probe),
            ("/readyz".into(), ops.clone()),
            "{ctx}"
        );
        assert_eq!(
            http_path(&c.startup_probe),
            ("/healthz".into(), ops),
            "{ctx}"
        );
        // The ConfigMap's ops_listen is that container port, on every interface of the pod.
        let toml = console_toml(&objects);
        let ops_listen: std::net::SocketAddr = toml["ops_listen"]
            .as_str()
            .expect("ops_listen in the ConfigMap")
            .parse()
            .unwrap();
        assert_eq!(ops_listen.port(), 9090, "{ctx}");
        assert!(
            ops_listen.ip().is_unspecified(),
            "{ctx}: the kubelet must reach it"
        );

        // Requests and limits for CPU and memory.
        let res = c.resources.clone().expect("resources");
        for (what, map) in [
            ("requests", res.requests.clone()),
            ("limits", res.limits.clone()),
        ] {
            let map = map.unwrap_or_else(|| panic!("{ctx}: no {what}"));
            assert!(
                map.contains_key("cpu") && map.contains_key("memory"),
                "{ctx}: {what} {map:?}"
            );
        }

        // Pod and container security contexts.
        let psc = spec.security_context.clone().expect("pod securityContext");
        assert_eq!(psc.run_as_non_root, Some(true), "{ctx}");
        assert!(psc.run_as_user.is_some_and(|u| u > 0), "{ctx}");
        assert_eq!(
            psc.seccomp_profile.as_ref().map(|s| s.type_.as_str()),
            Some("RuntimeDefault"),
            "{ctx}"
        );
        let sc = c
            .security_context
            .clone()
            .expect("container securityContext");
        assert_eq!(sc.run_as_non_root, Some(true), "{ctx}");
        assert_eq!(sc.allow_privilege_escalation, Some(false), "{ctx}");
        assert_eq!(sc.read_only_root_filesystem, Some(true), "{ctx}");
        assert_ne!(sc.privileged, Some(true), "{ctx}");
        let caps = sc.capabilities.clone().expect("capabilities");
        assert_eq!(caps.drop, Some(vec!["ALL".to_string()]), "{ctx}");
        assert!(caps.add.unwrap_or_default().is_empty(), "{ctx}");
        assert_eq!(
            sc.seccomp_profile.as_ref().map(|s| s.type_.as_str()),
            Some("RuntimeDefault"),
            "{ctx}"
        );
        assert!(
            spec.host_network != Some(true)
                && spec.host_pid != Some(true)
                && spec.host_ipc != Some(true)
        );

        // Every mount has a volume; /tmp is an emptyDir; the config and Secret mounts are read-only.
        let volumes = spec.volumes.clone().unwrap_or_default();
        let mounts = c.volume_mounts.clone().unwrap_or_default();
        let volume = |name: &str| volumes.iter().find(|v| v.name == name).cloned();
        for m in &mounts {
            assert!(
                volume(&m.name).is_some(),
                "{ctx}: mount {} has no volume",
                m.name
            );
        }
        let mount_of = |path: &str| mounts.iter().find(|m| m.mount_path == path).cloned();
        let tmp = mount_of("/tmp").expect("/tmp mounted");
        assert!(
            volume(&tmp.name).unwrap().empty_dir.is_some(),
            "{ctx}: /tmp is an emptyDir"
        );
        for v in &volumes {
            if let Some(s) = &v.secret {
                let m = mounts.iter().find(|m| m.name == v.name).unwrap();
                assert_eq!(
                    m.read_only,
                    Some(true),
                    "{ctx}: Secret {} mounted read-only",
                    v.name
                );
                assert!(
                    s.default_mode.is_some_and(|mode| mode & 0o007 == 0),
                    "{ctx}: Secret files not world-readable"
                );
            }
            if let Some(cm) = &v.config_map {
                assert!(
                    find(&objects, "ConfigMap", &cm.name).is_some(),
                    "{ctx}: ConfigMap {} exists",
                    cm.name
                );
            }
            if let Some(pvc) = &v.persistent_volume_claim {
                assert!(
                    find(&objects, "PersistentVolumeClaim", &pvc.claim_name).is_some(),
                    "{ctx}: PVC {}",
                    pvc.claim_name
                );
            }
        }
        // No literal secret in the environment: anything secret comes from a Secret reference.
        for e in c.env.clone().unwrap_or_default() {
            if let Some(v) = &e.value {
                let lower = v.to_ascii_lowercase();
                assert!(
                    !lower.contains("://")
                        && !e.name.contains("SECRET")
                        && !e.name.contains("PASSWORD"),
                    "{ctx}: {} has a literal value",
                    e.name
                );
            }
        }
        assert_eq!(
            spec.service_account_name.as_deref(),
            Some("feast-console"),
            "{ctx}"
        );
        assert!(
            find(&objects, "ServiceAccount", "feast-console").is_some(),
            "{ctx}"
        );
        // The Service and the Ingress reach the pods.
        let svc: Service = one(&objects, "Service");
        let svc_spec = svc.spec.clone().unwrap();
        assert!(
            selects(&svc_spec.selector.clone().unwrap(), &pod_labels(&d)),
            "{ctx}: Service selector"
        );
        assert!(selects(
            &d.spec
                .as_ref()
                .unwrap()
                .selector
                .match_labels
                .clone()
                .unwrap(),
            &pod_labels(&d)
        ));
        let svc_ports = svc_spec.ports.unwrap();
        let svc_port = &svc_ports[0];
        assert_eq!(
            svc_port.target_port,
            Some(IntOrString::String("http".into())),
            "{ctx}"
        );
        // Prometheus reaches the ops port through the Service's `metrics` port.
        let metrics = svc_ports
            .iter()
            .find(|p| p.name.as_deref() == Some("metrics"))
            .unwrap_or_else(|| panic!("{ctx}: Service port `metrics`"));
        assert_eq!(
            metrics.target_port,
            Some(IntOrString::String("ops".into())),
            "{ctx}"
        );
        assert_eq!(svc_ports.len(), 2, "{ctx}: http and metrics only");
        let ing: Ingress = one(&objects, "Ingress");
        let ing_spec = ing.spec.unwrap();
        let tls = ing_spec.tls.clone().expect("Ingress TLS");
        assert!(
            tls.iter().all(|t| t.secret_name.is_some()),
            "{ctx}: TLS Secret"
        );
        let tls_hosts: Vec<String> = tls
            .iter()
            .flat_map(|t| t.hosts.clone().unwrap_or_default())
            .collect();
        for rule in ing_spec.rules.unwrap() {
            assert!(
                tls_hosts.contains(rule.host.as_ref().unwrap()),
                "{ctx}: host without TLS"
            );
            for p in rule.http.unwrap().paths {
                // The Ingress routes the main port only, never the ops port.
                let backend = p.backend.service.unwrap();
                assert_eq!(backend.name, svc.metadata.name.clone().unwrap(), "{ctx}");
                let port = backend.port.unwrap();
                assert_eq!(port.name, svc_port.name, "{ctx}");
                assert_ne!(port.name, metrics.name, "{ctx}: Ingress to the ops port");
                assert_ne!(
                    port.number,
                    Some(metrics.port),
                    "{ctx}: Ingress to the ops port"
                );
            }
        }
    }
}

#[test]
fn single_keeps_sqlite_on_a_volume_claim_with_one_replica() {
    let objects = overlay("single");
    let d: Deployment = one(&objects, "Deployment");
    let spec = d.spec.clone().unwrap();
    assert_eq!(spec.replicas, Some(1));
    assert_eq!(
        spec.strategy.unwrap().type_.as_deref(),
        Some("Recreate"),
        "a RWO volume and one SQLite writer"
    );
    let data = pod_spec(&d)
        .volumes
        .unwrap()
        .into_iter()
        .find(|v| v.name == "data")
        .unwrap();
    assert!(
        data.empty_dir.is_none(),
        "the emptyDir of the base is replaced"
    );
    let claim = data
        .persistent_volume_claim
        .expect("data on a PVC")
        .claim_name;
    let pvc: PersistentVolumeClaim =
        typed(find(&objects, "PersistentVolumeClaim", &claim).unwrap());
    assert_eq!(
        pvc.spec.unwrap().access_modes,
        Some(vec!["ReadWriteOnce".to_string()])
    );
    // The console's data_dir is that volume, and no database_url overrides SQLite.
    let toml = console_toml(&objects);
    let mount = console_container(&d)
        .volume_mounts
        .unwrap()
        .into_iter()
        .find(|m| m.name == "data")
        .unwrap();
    assert_eq!(toml["data_dir"].as_str(), Some(mount.mount_path.as_str()));
    assert!(toml.get("database_url").is_none());
    assert!(console_container(&d)
        .env
        .unwrap()
        .iter()
        .all(|e| e.name != "FEAST_CONSOLE_DATABASE_URL"));
    assert!(objects.iter().all(|o| o["kind"] != "PodDisruptionBudget"));
}

#[test]
fn ha_runs_several_replicas_on_postgres_with_a_disruption_budget_and_anti_affinity() {
    let objects = overlay("ha");
    let d: Deployment = one(&objects, "Deployment");
    let spec = d.spec.clone().unwrap();
    let replicas = spec.replicas.unwrap();
    assert!(replicas >= 2, "replicas {replicas}");
    let ru = spec.strategy.unwrap().rolling_update.unwrap();
    assert_eq!(ru.max_unavailable, Some(IntOrString::Int(0)));
    let labels = pod_labels(&d);

    let pdb: PodDisruptionBudget = one(&objects, "PodDisruptionBudget");
    let pdb_spec = pdb.spec.unwrap();
    assert!(
        selects(&pdb_spec.selector.unwrap().match_labels.unwrap(), &labels),
        "PDB selects the console pods"
    );
    match pdb_spec.min_available {
        Some(IntOrString::Int(n)) => assert!(n >= 1 && n < replicas),
        other => panic!("minAvailable {other:?}"),
    }

    let anti = pod_spec(&d)
        .affinity
        .unwrap()
        .pod_anti_affinity
        .expect("pod anti-affinity");
    let mut terms: Vec<_> = anti
        .required_during_scheduling_ignored_during_execution
        .unwrap_or_default();
    terms.extend(
        anti.preferred_during_scheduling_ignored_during_execution
            .unwrap_or_default()
            .into_iter()
            .map(|w| w.pod_affinity_term),
    );
    assert!(terms
        .iter()
        .any(|t| t.topology_key == "kubernetes.io/hostname"
            && selects(
                &t.label_selector.clone().unwrap().match_labels.unwrap(),
                &labels
            )));

    // The console database URL comes from a Secret reference, never from the ConfigMap.
    let env = console_container(&d).env.unwrap();
    let db = env
        .iter()
        .find(|e| e.name == "FEAST_CONSOLE_DATABASE_URL")
        .expect("database URL set");
    assert!(db.value.is_none());
    let key = db
        .value_from
        .clone()
        .unwrap()
        .secret_key_ref
        .expect("from a Secret");
    assert_ne!(key.optional, Some(true), "no silent fall-back to SQLite");
    assert!(console_toml(&objects).get("database_url").is_none());
    // And the network policy lets the pods reach it.
    let np: NetworkPolicy = one(&objects, "NetworkPolicy");
    let egress_ports: Vec<_> = np
        .spec
        .unwrap()
        .egress
        .unwrap()
        .iter()
        .flat_map(|e| e.ports.clone().unwrap_or_default())
        .filter_map(|p| p.port)
        .collect();
    assert!(
        egress_ports
            .iter()
            .filter(|p| **p == IntOrString::Int(5432))
            .count()
            >= 2,
        "registry DB and console DB"
    );
}

#[test]
fn the_network_policy_lets_in_only_the_ingress_controller_and_prometheus_and_out_only_dns_api_idp_and_databases(
) {
    for o in OVERLAYS {
        let objects = overlay(o);
        let d: Deployment = one(&objects, "Deployment");
        let np: NetworkPolicy = one(&objects, "NetworkPolicy");
        let spec = np.spec.unwrap();
        assert!(selects(
            &spec
                .pod_selector
                .as_ref()
                .and_then(|s| s.match_labels.clone())
                .unwrap(),
            &pod_labels(&d)
        ));
        let types = spec.policy_types.clone().unwrap();
        assert!(
            types.contains(&"Ingress".into()) && types.contains(&"Egress".into()),
            "both directions default-deny"
        );
        let ingress = spec.ingress.clone().unwrap();
        assert_eq!(
            ingress.len(),
            2,
            "overlay {o}: the ingress controller and Prometheus"
        );
        // Who may come from where, to which port: the ingress controller to the main port,
        // Prometheus to the ops port, nobody else (no IP blocks, no rule without a source).
        let from_namespace = |rule: usize, word: &str| {
            ingress[rule].from.clone().unwrap().iter().all(|p| {
                p.ip_block.is_none()
                    && p.pod_selector.is_some()
                    && p.namespace_selector
                        .as_ref()
                        .and_then(|s| s.match_labels.clone())
                        .is_some_and(|l| l.values().any(|v| v.contains(word)))
            })
        };
        let ports = |rule: usize| -> Vec<IntOrString> {
            ingress[rule]
                .ports
                .clone()
                .unwrap()
                .into_iter()
                .filter_map(|p| p.port)
                .collect()
        };
        assert!(
            from_namespace(0, "ingress"),
            "overlay {o}: only the ingress controller's namespace"
        );
        assert_eq!(ports(0), vec![IntOrString::Int(3000)]);
        assert!(
            from_namespace(1, "monitoring"),
            "overlay {o}: only Prometheus's namespace reaches the ops port"
        );
        assert_eq!(ports(1), vec![IntOrString::Int(9090)]);
        let allowed = [53, 443, 6443, 5432];
        for e in spec.egress.unwrap() {
            assert!(
                e.to.as_ref().is_some_and(|t| !t.is_empty()),
                "overlay {o}: egress to anywhere"
            );
            for p in e.ports.expect("egress rules name their ports") {
                match p.port {
                    Some(IntOrString::Int(n)) => {
                        assert!(allowed.contains(&n), "overlay {o}: egress port {n}")
                    }
                    other => panic!("overlay {o}: egress port {other:?}"),
                }
            }
            for peer in e.to.unwrap() {
                if let Some(b) = peer.ip_block {
                    assert_ne!(
                        b.cidr, "0.0.0.0/0",
                        "overlay {o}: egress to the whole internet"
                    );
                }
            }
        }
    }
}

// ---- tests: configuration and image layout -------------------------------------------------

fn console_toml(objects: &[Value]) -> toml::Table {
    let cm: ConfigMap =
        typed(find(objects, "ConfigMap", "feast-console-config").expect("ConfigMap"));
    let text = cm
        .data
        .unwrap()
        .get("feast-console.toml")
        .cloned()
        .expect("feast-console.toml key");
    text.parse().expect("feast-console.toml is TOML")
}

/// The key names, from their one declaration (`server::config::KEYS`).
fn known_keys() -> BTreeSet<String> {
    let keys: BTreeSet<String> = server::config::KEYS
        .iter()
        .map(|k| k.name.to_string())
        .collect();
    assert!(keys.len() >= 20 && keys.contains("site_root"), "{keys:?}");
    keys
}

#[test]
fn the_configmap_uses_only_existing_keys_and_passes_config_check() {
    let objects = overlay("single");
    let toml = console_toml(&objects);
    let known = known_keys();
    for k in toml.keys() {
        assert!(
            known.contains(k),
            "feast-console.toml: `{k}` is not a configuration key"
        );
    }
    assert!(
        !toml.contains_key("oidc_client_secret"),
        "the secret itself never goes into the file"
    );
    // Paths agree with the image, the volumes and the Secret mount.
    assert_eq!(toml["site_root"].as_str(), Some("/opt/feast-console/site"));
    let containerfile = std::fs::read_to_string(repo().join("deploy/Containerfile")).unwrap();
    assert!(
        containerfile.contains("--prefix /opt/feast-console"),
        "image layout is /opt/feast-console"
    );
    let d: Deployment = one(&objects, "Deployment");
    let c = console_container(&d);
    let env = c.env.clone().unwrap();
    let config_env = env
        .iter()
        .find(|e| e.name == "FEAST_CONSOLE_CONFIG")
        .expect("FEAST_CONSOLE_CONFIG");
    let config_path = PathBuf::from(config_env.value.clone().unwrap());
    let mounts = c.volume_mounts.clone().unwrap();
    let config_mount = mounts.iter().find(|m| m.name == "config").unwrap();
    assert_eq!(
        config_path,
        Path::new(&config_mount.mount_path).join("feast-console.toml")
    );
    let secret_file = PathBuf::from(toml["oidc_client_secret_file"].as_str().unwrap());
    let secret_mount = mounts
        .iter()
        .find(|m| Path::new(&m.mount_path) == secret_file.parent().unwrap())
        .expect("Secret mount");
    let volume = pod_spec(&d)
        .volumes
        .unwrap()
        .into_iter()
        .find(|v| v.name == secret_mount.name)
        .unwrap();
    let items = volume.secret.expect("a Secret volume").items.unwrap();
    assert!(items
        .iter()
        .any(|i| Path::new(&i.path) == Path::new(secret_file.file_name().unwrap())));
    let listen: std::net::SocketAddr = toml["listen"].as_str().unwrap().parse().unwrap();
    assert_eq!(listen.port(), 3000);
    // Behind the Ingress every connection comes from the ingress controller: without trusted
    // proxies, per-client limits would be one limit for every visitor.
    assert!(
        toml["trusted_proxies"]
            .as_array()
            .is_some_and(|a| !a.is_empty()),
        "trusted_proxies names the ingress controller's addresses"
    );

    // The console itself accepts the file (the secret path pointed at a scratch file).
    let dir = tempdir("config-check");
    std::fs::write(dir.join("client-secret"), "placeholder\n").unwrap();
    let mut table = toml.clone();
    table.insert(
        "oidc_client_secret_file".into(),
        dir.join("client-secret").to_str().unwrap().into(),
    );
    std::fs::write(
        dir.join("feast-console.toml"),
        toml::to_string(&table).unwrap(),
    )
    .unwrap();
    let out = console_cmd()
        .args([
            "config",
            "check",
            dir.join("feast-console.toml").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "config check: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn no_secret_values_in_the_deploy_folder() {
    for f in yaml_files(&kube_dir()) {
        for d in documents(&f) {
            assert_ne!(
                d["kind"],
                "Secret",
                "{}: Secret manifests are created by hand, not committed",
                rel(&f)
            );
        }
        let text = std::fs::read_to_string(&f).unwrap();
        // A URL with user:password@ other than the documented placeholder shape.
        for line in text.lines() {
            if let Some(i) = line.find("://") {
                let rest = &line[i + 3..];
                let authority = rest.split(['/', ' ', '"']).next().unwrap_or("");
                assert!(
                    !authority.contains('@') || authority.starts_with("USER:PASSWORD@"),
                    "{}: credentials in `{}`",
                    rel(&f),
                    line.trim()
                );
            }
        }
    }
}

#[test]
fn the_containerfile_builds_in_one_stage_and_runs_as_non_root() {
    let text = std::fs::read_to_string(repo().join("deploy/Containerfile")).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect();
    let froms: Vec<&&str> = lines.iter().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(froms.len(), 2, "a build and a runtime stage: {froms:?}");
    assert!(froms[0].ends_with(" AS build") && froms[1].ends_with(" AS runtime"));
    let runtime_start = lines
        .iter()
        .position(|l| l.ends_with(" AS runtime"))
        .unwrap();
    let (build, runtime) = lines.split_at(runtime_start);
    let build = build.join("\n");
    let runtime = runtime.join("\n");
    assert!(
        build.contains("scripts/setup.sh build") && build.contains("scripts/start.sh --build-only"),
        "the image is built by the README's first command's own build steps"
    );
    assert!(
        build.contains("scripts/package.sh"),
        "the package script makes the layout in both places"
    );
    assert!(runtime.contains("COPY --from=build /package/ /opt/feast-console/"));
    let user = runtime
        .lines()
        .rfind(|l| l.starts_with("USER "))
        .expect("USER in runtime stage");
    assert!(
        !user.contains("root") && !user.trim_end().ends_with(" 0") && !user.contains(" 0:"),
        "{user}"
    );
    assert!(runtime.contains("ENTRYPOINT [\"/opt/feast-console/bin/feast-console\"]"));
    let ignore = std::fs::read_to_string(repo().join("deploy/Containerfile.dockerignore")).unwrap();
    assert!(
        ignore.lines().any(|l| l.trim() == "target/"),
        "the build context leaves target/ out"
    );
}

// ---- tests: the packaged folder starts -------------------------------------------------------

fn console_cmd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_feast-console"));
    for (k, _) in std::env::vars() {
        if k.starts_with("FEAST_CONSOLE_") {
            c.env_remove(k);
        }
    }
    c
}

fn tempdir(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let d = std::env::temp_dir().join(format!("fc-deploy-{name}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A plain HTTP/1.1 GET: status and body bytes.
fn http_get(addr: &str, path: &str) -> Option<(u16, Vec<u8>)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let mut body = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Some((status, body))
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 2 + size + 2..];
    }
    out
}

struct Child(std::process::Child);
impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_packaged_folder_starts_from_its_own_files() {
    let site = repo().join("target/site");
    assert!(
        site.join("pkg").is_dir(),
        "no built site in target/site: build it first (scripts/start.sh --build-only; scripts/test.sh does)"
    );
    let work = tempdir("package");
    let out = work.join("feast-console");
    let script = repo().join("scripts/package.sh");
    let data = work.join("data");
    // The binary cargo built for these tests stands in for the release binary.
    let status = Command::new("bash")
        .arg(&script)
        .args([
            "--bin",
            env!("CARGO_BIN_EXE_feast-console"),
            "--site",
            site.to_str().unwrap(),
        ])
        .args([
            "--out",
            out.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ])
        .current_dir(&work)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "package.sh: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    for p in [
        "bin/feast-console",
        "site/pkg",
        "migrations/sqlite",
        "migrations/postgres",
        "feast-console.toml",
    ] {
        assert!(out.join(p).exists(), "package has {p}");
    }
    // It refuses to overwrite, and says what is missing.
    let again = Command::new("bash")
        .arg(&script)
        .args(["--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    let no_site = Command::new("bash")
        .arg(&script)
        .args([
            // A real binary, so the missing site is what gets reported (a clean clone has no
            // release binary either).
            "--bin",
            env!("CARGO_BIN_EXE_feast-console"),
            "--site",
            work.join("nothing").to_str().unwrap(),
            "--out",
            work.join("x").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(no_site.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&no_site.stderr);
    assert!(stderr.contains("no built site"), "{stderr}");

    // Start it from the copied files only: a working folder outside the checkout, the packaged
    // configuration, the packaged binary.
    let run_dir = work.join("run");
    std::fs::create_dir_all(&run_dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut cmd = Command::new(out.join("bin/feast-console"));
    for (k, _) in std::env::vars() {
        if k.starts_with("FEAST_CONSOLE_") {
            cmd.env_remove(k);
        }
    }
    let child = Child(
        cmd.args([
            "serve",
            "--config",
            out.join("feast-console.toml").to_str().unwrap(),
            "--listen",
            &addr,
        ])
        .env("XDG_CACHE_HOME", work.join("cache"))
        .current_dir(&run_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap(),
    );
    let mut ready = None;
    for _ in 0..150 {
        if let Some((200, body)) = http_get(&addr, "/readyz") {
            ready = Some(body);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let body = ready.expect("the packaged console became ready");
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["ready"], true, "{v}");
    assert!(
        data.join("console.db").exists(),
        "SQLite console DB in the packaged data_dir"
    );
    // The site comes from the packaged folder.
    let pkg = out.join("site/pkg");
    let css = std::fs::read_dir(&pkg)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "css" || e == "js"))
        .expect("a CSS or JS file in the site");
    let name = css.file_name().unwrap().to_str().unwrap();
    let (status, served) = http_get(&addr, &format!("/pkg/{name}")).expect("asset answered");
    assert_eq!(status, 200);
    assert_eq!(
        served,
        std::fs::read(&css).unwrap(),
        "served bytes are the packaged file"
    );
    let (status, page) = http_get(&addr, "/").unwrap();
    assert_eq!(status, 200);
    assert!(
        String::from_utf8_lossy(&page).contains("/pkg/"),
        "the page links the site's assets"
    );
    drop(child);
    let _ = std::fs::remove_dir_all(&work);
}

// ---- optional: the runtime image with buildah ------------------------------------------------

/// Builds deploy/Containerfile's runtime stage with buildah on a local base image and runs the
/// console from the image's file system. No registry is reachable here, so the build stage (a
/// Rust image) cannot run; its product is made by scripts/package.sh instead and the runtime
/// stage's `COPY --from=build /package/` reads that folder. Needs FC_BUILDAH_RUNTIME_IMAGE naming
/// a local image (deploy/make-local-base.sh makes one), root and buildah: run it with
/// `cargo nextest run --run-ignored only -E 'test(buildah)'`.
#[test]
#[ignore = "needs buildah and a local base image (FC_BUILDAH_RUNTIME_IMAGE, deploy/make-local-base.sh)"]
fn buildah_builds_the_runtime_stage_and_the_console_runs_from_the_image() {
    let base = std::env::var("FC_BUILDAH_RUNTIME_IMAGE")
        .expect("FC_BUILDAH_RUNTIME_IMAGE names a local base image (deploy/make-local-base.sh)");
    let site = repo().join("target/site");
    assert!(site.join("pkg").is_dir(), "a built site in target/site");
    let buildah = |args: &[&str]| -> String {
        let out = Command::new("buildah")
            .args(["--storage-driver", "vfs"])
            .args(args)
            .output()
            .expect("buildah runs");
        assert!(
            out.status.success(),
            "buildah {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    // The release binary when there is one (smaller layers), else the one built for the tests.
    let release = repo().join("target/release/feast-console");
    let bin = if release.is_file() {
        release
    } else {
        PathBuf::from(env!("CARGO_BIN_EXE_feast-console"))
    };
    let ctx = tempdir("image");
    let out = Command::new("bash")
        .arg(repo().join("scripts/package.sh"))
        .args([
            "--bin",
            bin.to_str().unwrap(),
            "--site",
            site.to_str().unwrap(),
        ])
        .args([
            "--out",
            ctx.join("package").to_str().unwrap(),
            "--prefix",
            "/opt/feast-console",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "package.sh: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let containerfile = std::fs::read_to_string(repo().join("deploy/Containerfile")).unwrap();
    let start = containerfile
        .find("FROM ${RUNTIME_IMAGE} AS runtime")
        .expect("runtime stage");
    let runtime = containerfile[start..].replace("COPY --from=build /package/ ", "COPY package/ ");
    std::fs::write(
        ctx.join("Containerfile"),
        format!("ARG RUNTIME_IMAGE\n{runtime}"),
    )
    .unwrap();
    let tag = format!("localhost/feast-console:deploy-test-{}", std::process::id());
    let mut cleanup = BuildahCleanup(vec![vec!["rmi".into(), tag.clone()]]);
    buildah(&[
        "bud",
        "--isolation",
        "chroot",
        "--build-arg",
        &format!("RUNTIME_IMAGE={base}"),
        "-t",
        &tag,
        "-f",
        ctx.join("Containerfile").to_str().unwrap(),
        ctx.to_str().unwrap(),
    ]);
    let config: Value =
        serde_json::from_str(&buildah(&["inspect", "--type", "image", &tag])).unwrap();
    let oci = &config["OCIv1"]["config"];
    assert_eq!(oci["User"], "10001:10001");
    assert_eq!(
        oci["Entrypoint"],
        json!(["/opt/feast-console/bin/feast-console"])
    );

    // Run the console from the image's root file system, as the image's user.
    let ctr = buildah(&["from", &tag]);
    cleanup.0.insert(0, vec!["rm".into(), ctr.clone()]);
    let root = PathBuf::from(buildah(&["mount", &ctr]));
    cleanup.0.insert(0, vec!["umount".into(), ctr.clone()]);
    std::fs::create_dir_all(root.join("tmp/data")).unwrap();
    let _ = Command::new("chown")
        .args(["10001:10001", root.join("tmp/data").to_str().unwrap()])
        .status();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let child = Child(
        Command::new("chroot")
            .args([
                "--userspec=10001:10001",
                root.to_str().unwrap(),
                "/opt/feast-console/bin/feast-console",
                "serve",
                "--listen",
                &addr,
                "--data-dir",
                "/tmp/data",
            ])
            .env_clear()
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .env(
                "FEAST_CONSOLE_CONFIG",
                "/opt/feast-console/feast-console.toml",
            )
            .env("XDG_CACHE_HOME", "/tmp/cache")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chroot runs"),
    );
    let mut ready = false;
    for _ in 0..150 {
        if matches!(http_get(&addr, "/readyz"), Some((200, _))) {
            ready = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let css = http_get(&addr, "/pkg/feast-console.css");
    drop(child);
    drop(cleanup);
    let _ = std::fs::remove_dir_all(&ctx);
    assert!(ready, "the console in the image became ready");
    assert_eq!(css.map(|c| c.0), Some(200), "the image serves its site");
}

/// buildah commands run at the end of the image test, also when it fails.
struct BuildahCleanup(Vec<Vec<String>>);
impl Drop for BuildahCleanup {
    fn drop(&mut self) {
        for args in &self.0 {
            let _ = Command::new("buildah")
                .args(["--storage-driver", "vfs"])
                .args(args)
                .output();
        }
    }
}

/// `512Mi`, `1Gi`, `600M`: a Kubernetes memory quantity in bytes.
fn memory_bytes(quantity: &str) -> usize {
    let units = [
        ("Ki", 1usize << 10),
        ("Mi", 1 << 20),
        ("Gi", 1 << 30),
        ("k", 1000),
        ("M", 1_000_000),
        ("G", 1_000_000_000),
    ];
    for (suffix, factor) in units {
        if let Some(n) = quantity.strip_suffix(suffix) {
            return n.parse::<usize>().expect("a whole number") * factor;
        }
    }
    quantity.parse().expect("a memory quantity")
}

/// `bytes` rounded up to a whole number of `step`s.
fn round_up(bytes: usize, step: usize) -> usize {
    bytes.div_ceil(step) * step
}

/// The pod's memory request and limit for `views` feature views, from the one formula
/// (`memory_budget::pod_bytes`): the request holds the base and the registry (rounded up to
/// 64 MiB), the limit holds that plus every cache's bound with a quarter to spare (rounded up to
/// 128 MiB).
fn sizing(config: &server::Config, views: usize) -> (usize, usize) {
    use server::memory_budget::{pod_bytes, total};
    let pod = pod_bytes(config, views);
    (
        round_up(pod - total(config), 64 << 20),
        round_up(pod + pod / 4, 128 << 20),
    )
}

/// The README's "Sizing the pod" row for `views` feature views.
fn sizing_row(config: &server::Config, views: usize) -> String {
    use server::memory_budget::pod_bytes;
    let mib = |b: usize| b.div_ceil(1 << 20);
    let (request, limit) = sizing(config, views);
    let with_commas = |n: usize| {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    format!(
        "| {} | {} MiB | {} MiB | {}Mi | {}Mi |",
        with_commas(views),
        mib(pod_bytes(config, views) - server::memory_budget::total(config)),
        mib(pod_bytes(config, views)),
        request >> 20,
        limit >> 20
    )
}

#[test]
fn the_memory_request_and_limit_follow_from_the_sizing_formula() {
    use server::memory_budget::SIZED_FOR_VIEWS;
    let config = server::Config::defaults();
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    for views in [10_000, SIZED_FOR_VIEWS] {
        let row = sizing_row(&config, views);
        assert!(
            readme.contains(&row),
            "README's \"Sizing the pod\" has the row {row}"
        );
    }
    let (request, limit) = sizing(&config, SIZED_FOR_VIEWS);
    for o in OVERLAYS {
        let d: Deployment = one(&overlay(o), "Deployment");
        let resources = console_container(&d).resources.expect("resources");
        let got = |what: Option<
            std::collections::BTreeMap<
                String,
                k8s_openapi::apimachinery::pkg::api::resource::Quantity,
            >,
        >| { memory_bytes(&what.expect("requests and limits")["memory"].0) };
        assert_eq!(
            (got(resources.requests) >> 20, got(resources.limits) >> 20),
            (request >> 20, limit >> 20),
            "overlay {o}: memory request and limit (MiB) for {SIZED_FOR_VIEWS} views"
        );
    }
}

#[test]
fn the_caches_default_bounds_fit_the_memory_limit() {
    use server::memory_budget::{bounds, total, BASE_BYTES};
    let config = server::Config::defaults();
    let caches = total(&config);
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    for b in bounds(&config) {
        assert!(
            readme.contains(&format!("| {}", b.cache)),
            "README's memory budget lists `{}`",
            b.cache
        );
    }
    for o in OVERLAYS {
        let d: Deployment = one(&overlay(o), "Deployment");
        let limits = console_container(&d)
            .resources
            .and_then(|r| r.limits)
            .expect("limits");
        let limit = memory_bytes(&limits["memory"].0);
        // Room to spare: the caches and the base stay under 80% of the limit.
        assert!(
            (caches + BASE_BYTES) * 10 < limit * 8,
            "overlay {o}: caches {} MiB + base {} MiB do not fit well in {} MiB",
            caches >> 20,
            BASE_BYTES >> 20,
            limit >> 20
        );
    }
}
