//! Unknown-field detection for FeatureStore objects, against the operator CRD's field tree
//! (`crd_fields.txt`, generated from `feast.dev_featurestores.yaml` by `gen_crd_fields.py`).
//! The API server silently prunes unknown fields, so a typo such as `persistance` would
//! otherwise vanish: report it, and still read the rest of the object.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::Value;

const CRD_FIELDS: &str = include_str!("crd_fields.txt");

#[derive(Debug, Default)]
pub struct FieldNode {
    /// Anything below is accepted (free-form maps, standard Kubernetes types).
    pub open: bool,
    /// `status.applied`: same fields as `spec`.
    pub same_as_spec: bool,
    /// The CRD's default, as written there.
    pub default: Option<String>,
    pub children: BTreeMap<String, FieldNode>,
}

/// Field trees per served version (`v1`, `v1alpha1`), with `spec` and `status` at the top.
pub fn crd_versions() -> &'static BTreeMap<String, FieldNode> {
    static TREES: OnceLock<BTreeMap<String, FieldNode>> = OnceLock::new();
    TREES.get_or_init(|| parse_tree(CRD_FIELDS))
}

fn parse_tree(text: &str) -> BTreeMap<String, FieldNode> {
    let mut versions = BTreeMap::new();
    let mut current: Option<(String, FieldNode)> = None;
    // Path of names from the version root to the last line read.
    let mut stack: Vec<String> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if let Some(version) = line.strip_prefix('@') {
            if let Some((v, tree)) = current.take() {
                versions.insert(v, tree);
            }
            current = Some((version.trim().to_string(), FieldNode::default()));
            stack.clear();
            continue;
        }
        let Some((_, root)) = current.as_mut() else {
            continue;
        };
        let depth = (line.len() - line.trim_start().len()) / 2;
        let body = line.trim();
        let (name, rest) = body.split_once(' ').unwrap_or((body, ""));
        stack.truncate(depth);
        let mut parent = &mut *root;
        for step in &stack {
            parent = parent.children.entry(step.clone()).or_default();
        }
        let node = parent.children.entry(name.to_string()).or_default();
        node.open = rest.starts_with('*');
        node.same_as_spec = rest.starts_with("= spec");
        node.default = rest
            .split_once("(default ")
            .map(|(_, d)| d.trim_end_matches(')').trim_matches('\'').to_string());
        stack.push(name.to_string());
    }
    if let Some((v, tree)) = current {
        versions.insert(v, tree);
    }
    versions
}

/// Dotted paths of fields the CRD version does not know. `None` when the version is not served.
pub fn unknown_fields(object: &Value, version: &str) -> Option<Vec<String>> {
    let tree = crd_versions().get(version)?;
    let mut out = Vec::new();
    if let Some(map) = object.as_object() {
        for (key, value) in map {
            match key.as_str() {
                "apiVersion" | "kind" | "metadata" => {}
                _ => match tree.children.get(key) {
                    Some(node) => walk(value, node, tree, key, &mut out),
                    None => out.push(key.clone()),
                },
            }
        }
    }
    Some(out)
}

fn walk(value: &Value, node: &FieldNode, root: &FieldNode, path: &str, out: &mut Vec<String>) {
    if node.open {
        return;
    }
    let node = if node.same_as_spec {
        root.children.get("spec").unwrap_or(node)
    } else {
        node
    };
    match value {
        Value::Object(map) if !node.children.is_empty() => {
            for (key, child) in map {
                let child_path = format!("{path}.{key}");
                match node.children.get(key) {
                    Some(n) => walk(child, n, root, &child_path, out),
                    None => out.push(child_path),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, node, root, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// The CRD's default for a dotted path under a version (`spec.replicas`), for checking the
/// defaults the domain code assumes.
pub fn crd_default(version: &str, path: &str) -> Option<String> {
    let mut node = crd_versions().get(version)?;
    for step in path.split('.') {
        node = node.children.get(step)?;
    }
    node.default.clone()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn both_versions_are_loaded() {
        let v = crd_versions();
        assert!(v.contains_key("v1") && v.contains_key("v1alpha1"));
        assert!(v["v1"].children["spec"].children.contains_key("replicas"));
        assert!(!v["v1alpha1"].children["spec"]
            .children
            .contains_key("replicas"));
    }

    #[test]
    fn domain_defaults_match_the_crd() {
        let replicas = crd_default("v1", "spec.replicas");
        assert_eq!(
            replicas.as_deref(),
            Some(app::topology::derive::DEFAULT_REPLICAS.to_string().as_str())
        );
    }

    #[test]
    fn typos_are_found_and_known_fields_pass() {
        let fs = json!({"apiVersion": "feast.dev/v1", "kind": "FeatureStore", "metadata": {"name": "a"},
            "spec": {"feastProject": "p", "services": {
                "onlineStore": {"persistance": {}, "server": {"env": [{"name": "X", "anything": 1}], "resources": {"limits": {"cpu": "1"}}}},
                "registry": {"local": {"server": {"restAPI": true, "grpcc": true}}}}},
            "status": {"applied": {"feastProject": "p", "bogus": 1}, "phase": "Ready"}});
        let mut unknown = unknown_fields(&fs, "v1").unwrap_or_default();
        unknown.sort();
        assert_eq!(
            unknown,
            vec![
                "spec.services.onlineStore.persistance",
                "spec.services.registry.local.server.grpcc",
                "status.applied.bogus"
            ]
        );
        assert!(unknown_fields(&fs, "v2").is_none());
    }

    #[test]
    fn v1_only_fields_are_unknown_in_v1alpha1() {
        let fs = json!({"spec": {"replicas": 2, "services": {"onlineStore": {"disabled": true}}}});
        let unknown = unknown_fields(&fs, "v1alpha1").unwrap_or_default();
        assert_eq!(
            unknown,
            vec!["spec.replicas", "spec.services.onlineStore.disabled"]
        );
    }
}
