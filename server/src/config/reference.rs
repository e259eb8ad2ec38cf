//! Views of the key declaration for people: the README's configuration table and the effective
//! values `config check` prints, secrets redacted.

use super::keys::{Key, KEYS};
use super::layers::Layers;
use super::origin::Origin;

/// The README's configuration table (`feast-console config keys` prints it).
pub fn markdown_table() -> String {
    let mut table = String::from("| key | default | meaning |\n|---|---|---|\n");
    for key in KEYS {
        let default = if key.default.is_empty() {
            "*(empty)*".to_string()
        } else {
            format!("`{}`", key.default)
        };
        let meaning = key.description().replace('|', "\\|");
        table.push_str(&format!("| `{}` | {default} | {meaning} |\n", key.name));
    }
    table
}

/// A value as it may be shown: `***` for a secret, URL passwords replaced, entries joined.
pub fn shown(key: &Key, value: &str) -> String {
    if value.trim().is_empty() {
        return "(empty)".to_string();
    }
    if key.secret {
        return "***".to_string();
    }
    value
        .split('\n')
        .map(|entry| crate::db::redact_url(entry.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every key's effective value and where it came from, one aligned line each.
pub fn effective(layers: &Layers) -> Vec<String> {
    let width = KEYS.iter().map(|k| k.name.len()).max().unwrap_or(0);
    KEYS.iter()
        .map(|key| {
            let (value, origin) = layers.get(key.name);
            let from = match origin {
                Origin::Default => "default".to_string(),
                other => other.to_string(),
            };
            format!("{:width$} = {}  ({from})", key.name, shown(key, &value))
        })
        .collect()
}
