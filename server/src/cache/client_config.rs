//! The `feature_store.yaml` the operator renders for each FeatureStore (the ConfigMap
//! `feast-<name>-client`, key `feature_store.yaml`), when a manifests folder holds it: its
//! `registry:` block carries `cache_mode` and `cache_ttl_seconds` for Secret-backed
//! registries, whose Secret the console never reads. ConfigMaps only; Secrets are skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use app::cache::settings::YamlCacheSettings;

/// (namespace, FeatureStore name) → the cache settings in its client `feature_store.yaml`.
pub type ClientConfigs = BTreeMap<(String, String), YamlCacheSettings>;

/// Scans manifest folders and files; unreadable files are skipped (the topology reports them).
pub fn scan(paths: &[PathBuf]) -> ClientConfigs {
    let mut files = Vec::new();
    for p in paths {
        collect(p, &mut files, 0);
    }
    let mut out = ClientConfigs::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for doc in serde_norway::Deserializer::from_str(&text) {
            let Ok(value) = serde_norway::Value::deserialize(doc) else {
                continue;
            };
            visit(&value, &file, &mut out);
        }
    }
    out
}

fn collect(path: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if path.is_file() {
        out.push(path.to_path_buf());
    } else if path.is_dir() && depth < 8 {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for e in entries {
            let ext = e.extension().and_then(|x| x.to_str()).unwrap_or_default();
            if e.is_dir() || matches!(ext, "yaml" | "yml" | "json") {
                collect(&e, out, depth + 1);
            }
        }
    }
}

fn visit(value: &serde_norway::Value, file: &Path, out: &mut ClientConfigs) {
    let kind = value
        .get("kind")
        .and_then(|k| k.as_str())
        .unwrap_or_default();
    if kind == "List" {
        if let Some(items) = value.get("items").and_then(|i| i.as_sequence()) {
            items.iter().for_each(|i| visit(i, file, out));
        }
        return;
    }
    if kind != "ConfigMap" {
        return;
    }
    let meta = value.get("metadata");
    let text = |v: Option<&serde_norway::Value>, k: &str| {
        v.and_then(|m| m.get(k))
            .and_then(|n| n.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let name = text(meta, "name");
    let namespace = Some(text(meta, "namespace"))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "default".into());
    let Some(store) = name
        .strip_prefix("feast-")
        .and_then(|n| n.strip_suffix("-client"))
    else {
        return;
    };
    let Some(yaml) = value
        .get("data")
        .and_then(|d| d.get("feature_store.yaml"))
        .and_then(|y| y.as_str())
    else {
        return;
    };
    if let Some(settings) = parse(
        yaml,
        &format!("ConfigMap {namespace}/{name} in {}", file.display()),
    ) {
        out.insert((namespace, store.to_string()), settings);
    }
}

/// The cache settings of a `feature_store.yaml` text; None when it has no `registry:` mapping.
pub fn parse(yaml: &str, origin: &str) -> Option<YamlCacheSettings> {
    let doc: serde_norway::Value = serde_norway::from_str(yaml).ok()?;
    let registry = doc.get("registry")?;
    registry.as_mapping()?;
    Some(YamlCacheSettings {
        origin: origin.to_string(),
        cache_mode: registry
            .get("cache_mode")
            .and_then(|m| m.as_str())
            .map(String::from),
        cache_ttl_seconds: registry.get("cache_ttl_seconds").and_then(|t| t.as_i64()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_block_settings() {
        let s = parse("project: p\nregistry:\n  registry_type: sql\n  path: postgresql://x\n  cache_mode: thread\n  cache_ttl_seconds: 300\n", "here").unwrap();
        assert_eq!(
            (s.cache_mode.as_deref(), s.cache_ttl_seconds),
            (Some("thread"), Some(300))
        );
        assert!(parse("registry: data/registry.db\n", "here").is_none());
        assert!(parse("{not yaml", "here").is_none());
    }
}
