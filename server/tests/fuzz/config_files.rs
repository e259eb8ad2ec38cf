//! Configuration files through the real loader (`config::Config::load`: the TOML file, then
//! the environment, then validation of every key): every declared key with hostile values
//! (numbers past their range, lists of the wrong type, multi-byte text, deep tables), and the
//! same values from `FEAST_CONSOLE_*` variables.

use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use server::config::{Config, KEYS};

use crate::support::{fuzz, hostile_text, mutate_text, text_mutations};

fn toml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        hostile_text().prop_map(|s| format!("{s:?}")),
        hostile_text().prop_map(|s| format!("'''{s}'''")),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("18446744073709551616".to_string()),
        Just("1.5e308".to_string()),
        Just("nan".to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        prop::collection::vec(hostile_text(), 0..4).prop_map(|items| format!("{items:?}")),
        Just("[1, [2], {a = 3}]".to_string()),
        Just("{ x = 1 }".to_string()),
        Just("1979-05-27T07:32:00Z".to_string()),
        (1usize..2_000).prop_map(|d| "[".repeat(d) + &"]".repeat(d)),
        (1usize..500).prop_map(|d| "{a=".repeat(d) + "1" + &"}".repeat(d)),
    ]
}

fn config_file() -> impl Strategy<Value = String> {
    let key = prop::sample::select(KEYS.iter().map(|k| k.name).collect::<Vec<_>>());
    (
        prop::collection::btree_map(key, toml_value(), 0..8),
        text_mutations(),
    )
        .prop_map(|(entries, changes)| {
            let text: String = entries
                .iter()
                .map(|(k, v)| format!("{k} = {v}\n"))
                .collect();
            mutate_text(&text, &changes)
        })
}

#[test]
fn config_files_and_environment() {
    let dir = std::env::temp_dir().join(format!("fc-fuzz-config-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("cannot create {}: {e}", dir.display());
    }
    let counter = AtomicU64::new(0);
    let env = prop::collection::vec(
        (
            prop::sample::select(KEYS.iter().map(|k| k.name).collect::<Vec<_>>()),
            hostile_text(),
        ),
        0..4,
    );
    fuzz("config files", (config_file(), env), |(text, env)| {
        let path = dir.join(format!("{}.toml", counter.fetch_add(1, Ordering::Relaxed)));
        if let Err(e) = std::fs::write(&path, &text) {
            panic!("cannot write {}: {e}", path.display());
        }
        let vars = env
            .into_iter()
            .map(|(k, v)| (format!("FEAST_CONSOLE_{}", k.to_ascii_uppercase()), v));
        let _ = Config::load(Some(&path), vars, []);
        let _ = std::fs::remove_file(&path);
    });
    let _ = std::fs::remove_dir_all(&dir);
}
