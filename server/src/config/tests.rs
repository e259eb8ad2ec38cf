use std::io::Write;

use super::*;

pub(super) fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub(super) fn file(text: &str) -> tempfile_path::TempFile {
    tempfile_path::TempFile::with(text)
}

/// A tiny temp-file helper so the tests need no extra crate.
pub(super) mod tempfile_path {
    use std::path::PathBuf;
    pub struct TempFile(pub PathBuf);
    impl TempFile {
        pub fn with(text: &str) -> TempFile {
            static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let path =
                std::env::temp_dir().join(format!("fc-config-{}-{n}.toml", std::process::id()));
            let mut f = std::fs::File::create(&path).unwrap();
            super::Write::write_all(&mut f, text.as_bytes()).unwrap();
            TempFile(path)
        }
    }
    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

#[test]
fn defaults_are_valid_and_documented() {
    let c = Config::defaults();
    assert_eq!(c.listen.to_string(), "127.0.0.1:3000");
    assert_eq!(c.database_url, "sqlite://data/console.db");
    assert_eq!(c.log_format, LogFormat::Human);
    assert_eq!(c.request_timeout_seconds, 30);
}

#[test]
fn flags_beat_env_beat_file() {
    let f =
        file("listen = \"127.0.0.1:4000\"\nlog_level = \"debug\"\nrequest_timeout_seconds = 5\n");
    let c = Config::load(
        Some(&f.0),
        env(&[
            ("FEAST_CONSOLE_LISTEN", "127.0.0.1:5000"),
            ("FEAST_CONSOLE_LOG_FORMAT", "json"),
        ]),
        vec![("listen", "127.0.0.1:6000".to_string())],
    )
    .unwrap();
    assert_eq!(c.listen.port(), 6000);
    assert_eq!(c.log_format, LogFormat::Json);
    assert_eq!(c.log_level, "debug");
    assert_eq!(c.request_timeout_seconds, 5);
}

#[test]
fn bad_value_names_key_origin_and_reason() {
    let err = Config::load(None, env(&[("FEAST_CONSOLE_LISTEN", "nowhere")]), vec![]).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("`listen`"), "{msg}");
    assert!(msg.contains("FEAST_CONSOLE_LISTEN"), "{msg}");
    assert!(msg.contains("not a socket address"), "{msg}");
}

#[test]
fn unknown_keys_are_errors_everywhere() {
    let f = file("lisen = \"x\"\n");
    let msg = Config::load(Some(&f.0), env(&[]), vec![])
        .unwrap_err()
        .to_string();
    assert!(msg.contains("unknown configuration key `lisen`"), "{msg}");
    let msg = Config::load(None, env(&[("FEAST_CONSOLE_LISTN", "x")]), vec![])
        .unwrap_err()
        .to_string();
    assert!(msg.contains("FEAST_CONSOLE_LISTN"), "{msg}");
}

#[test]
fn syntax_errors_give_the_line() {
    let f = file("listen = \"127.0.0.1:1\"\nlog_level = \n");
    let msg = Config::load(Some(&f.0), env(&[]), vec![])
        .unwrap_err()
        .to_string();
    assert!(msg.contains("not valid TOML (line 2)"), "{msg}");
}

#[test]
fn unreadable_file_is_reported() {
    let msg = Config::load(Some(Path::new("/nonexistent/fc.toml")), env(&[]), vec![])
        .unwrap_err()
        .to_string();
    assert!(
        msg.starts_with("cannot read configuration file /nonexistent/fc.toml"),
        "{msg}"
    );
}

#[test]
fn ranges_and_enums_are_checked() {
    for (var, value, needle) in [
        (
            "FEAST_CONSOLE_REQUEST_TIMEOUT_SECONDS",
            "0",
            "outside the allowed range",
        ),
        (
            "FEAST_CONSOLE_DATABASE_MAX_CONNECTIONS",
            "many",
            "not a whole number",
        ),
        ("FEAST_CONSOLE_LOG_FORMAT", "xml", "not one of: human, json"),
        ("FEAST_CONSOLE_DATABASE_URL", "mysql://x", "not supported"),
        ("FEAST_CONSOLE_LOG_LEVEL", "[[", "not a log filter"),
    ] {
        let msg = Config::load(None, env(&[(var, value)]), vec![])
            .unwrap_err()
            .to_string();
        assert!(msg.contains(needle), "{var}={value}: {msg}");
    }
}

/// Found by the config fuzzer (server/tests/fuzz/config_files.rs): a space before a multi-byte
/// character in a directive panicked inside tracing-subscriber.
#[test]
fn log_filters_with_spaces_and_multi_byte_characters_are_checked_not_panicked_on() {
    for value in [" é=info", "info, é=debug", " 🦀", "server=debug , info"] {
        let outcome = Config::load(None, env(&[("FEAST_CONSOLE_LOG_LEVEL", value)]), vec![]);
        if let Err(e) = &outcome {
            assert!(e.to_string().contains("not a log filter"), "{value}: {e}");
        }
    }
    let c = Config::load(
        None,
        env(&[("FEAST_CONSOLE_LOG_LEVEL", " server=debug , info ")]),
        vec![],
    )
    .unwrap();
    assert_eq!(c.log_level, "server=debug,info");
}

#[test]
fn arrays_are_rejected_with_the_type() {
    let f = file("listen = [1, 2]\n");
    let msg = Config::load(Some(&f.0), env(&[]), vec![])
        .unwrap_err()
        .to_string();
    assert!(msg.contains("found array"), "{msg}");
}

#[test]
fn password_is_redacted() {
    let mut c = Config::defaults();
    c.database_url = "postgres://fc:s3cret@db:5432/console".into();
    assert_eq!(
        c.database_url_redacted(),
        "postgres://fc:***@db:5432/console"
    );
}

#[test]
fn registries_from_every_layer() {
    let f = file("registries = [\"a=sqlite:////tmp/a.db\", \"http://reg:6572\"]\nregistry_refresh_seconds = 5\n");
    let c = Config::load(
        Some(&f.0),
        env(&[("FEAST_CONSOLE_REGISTRY_TOKEN", "tok")]),
        vec![],
    )
    .unwrap();
    assert_eq!(c.registries.len(), 2);
    assert_eq!(c.registries[0].name, "a");
    assert_eq!(c.registries[1].name, "reg:6572");
    assert_eq!(c.registries[1].token, Some("tok".into()));
    assert_eq!(c.registry_refresh_seconds, 5);
    let c = Config::load(
        None,
        env(&[("FEAST_CONSOLE_REGISTRIES", "x=/r.db, y=/s.db")]),
        vec![],
    )
    .unwrap();
    assert_eq!(
        c.registries
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
        vec!["x", "y"]
    );
    assert!(Config::defaults().registries.is_empty());
}

#[test]
fn bad_registries_name_the_key() {
    let msg = Config::load(
        None,
        env(&[("FEAST_CONSOLE_REGISTRIES", "mysql://u:pw@h/db")]),
        vec![],
    )
    .unwrap_err()
    .to_string();
    assert!(
        msg.contains("`registries`")
            && msg.contains("FEAST_CONSOLE_REGISTRIES")
            && msg.contains("MySQL"),
        "{msg}"
    );
    assert!(!msg.contains("pw@"), "{msg}");
    let msg = Config::load(
        None,
        env(&[("FEAST_CONSOLE_REGISTRIES", "/a/r.db,/b/r.db")]),
        vec![],
    )
    .unwrap_err()
    .to_string();
    assert!(msg.contains("two registries are named `r`"), "{msg}");
    let f = file("registries = [1]\n");
    let msg = Config::load(Some(&f.0), env(&[]), vec![])
        .unwrap_err()
        .to_string();
    assert!(msg.contains("array of strings"), "{msg}");
    let msg = Config::load(
        None,
        env(&[("FEAST_CONSOLE_REGISTRY_REFRESH_SECONDS", "0")]),
        vec![],
    )
    .unwrap_err()
    .to_string();
    assert!(msg.contains("`registry_refresh_seconds`"), "{msg}");
}

#[test]
fn manifests_must_exist_and_accept_lists() {
    let msg = Config::load(
        None,
        env(&[("FEAST_CONSOLE_MANIFESTS", "/nonexistent/manifests")]),
        vec![],
    )
    .unwrap_err()
    .to_string();
    assert!(
        msg.contains("`manifests`") && msg.contains("does not exist"),
        "{msg}"
    );
    let dir = std::env::temp_dir();
    let f = file(&format!(
        "manifests = [\"{}\", \"{}\"]\n",
        dir.display(),
        dir.display()
    ));
    let c = Config::load(Some(&f.0), env(&[]), vec![]).unwrap();
    assert_eq!(c.manifests.len(), 2);
}

#[test]
fn secrets_come_only_from_their_declared_sources() {
    let msg = Layers::default()
        .with_flags([("oidc_client_secret", "s".to_string())])
        .validate()
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("`oidc_client_secret`") && msg.contains("not belong on the command line"),
        "{msg}"
    );
    let env_only: Vec<_> = KEYS
        .iter()
        .filter(|k| k.sources == Sources::EnvOnly)
        .map(|k| k.name)
        .collect();
    assert_eq!(env_only, ["oidc_client_secret"]);
}

#[test]
fn every_default_passes_its_declared_kind() {
    for key in KEYS {
        match key.kind {
            Kind::Number { min, max } => {
                let n: u64 = key.default.parse().unwrap();
                assert!((min..=max).contains(&n), "{}", key.name);
            }
            Kind::Bool => assert!(["true", "false"].contains(&key.default), "{}", key.name),
            _ => {}
        }
    }
}

#[test]
fn config_check_lines_redact_secrets_and_url_passwords() {
    let f = file(concat!(
        "registry_token = \"tok-123\"\n",
        "recovery_redis_url = \"redis://:hunter2@cache:6379\"\n",
        "registries = [\"main=postgresql://reg:pw-456@db:5432/registry\"]\n",
    ));
    let layers = Layers::default().with_file(&f.0).unwrap();
    layers.validate().unwrap();
    let lines = reference::effective(&layers);
    assert_eq!(lines.len(), KEYS.len());
    let text = lines.join("\n");
    for secret in ["tok-123", "hunter2", "pw-456"] {
        assert!(!text.contains(secret), "{secret} shown: {text}");
    }
    assert!(text.contains("registry_token"), "{text}");
    assert!(text.contains("redis://:***@cache:6379"), "{text}");
    assert!(text.contains("(default)"), "{text}");
}

/// README.md's configuration table is the declaration rendered; `feast-console config keys`
/// prints the table to paste.
#[test]
fn readme_table_matches_the_declaration() {
    let readme = include_str!("../../../README.md");
    let documented: String = readme
        .lines()
        .skip_while(|l| !l.starts_with("| key | default | meaning |"))
        .take_while(|l| l.starts_with('|'))
        .map(|l| format!("{l}\n"))
        .collect();
    let expected = reference::markdown_table();
    assert!(
        documented == expected,
        "README.md's configuration table differs from server/src/config/keys.rs; replace it \
         with:\n\n{expected}"
    );
}

#[test]
fn size_defaults_come_from_the_declaration() {
    let c = Config::defaults();
    assert_eq!(
        super::default_mib_bytes("page_cache_mib"),
        c.page_cache_mib as usize * 1024 * 1024
    );
    assert_eq!(
        super::default_mib_bytes("diagram_cache_mib"),
        c.diagram_cache_mib as usize * 1024 * 1024
    );
    assert_eq!(super::default_mib_bytes("listen"), 0);
}

#[test]
fn history_retention_keys_default_and_are_bounded() {
    let c = Config::defaults();
    assert_eq!(
        (c.history_retention_days, c.history_max_entries),
        (400, 1_000_000)
    );
    let c = Config::load(
        None,
        env(&[
            ("FEAST_CONSOLE_HISTORY_RETENTION_DAYS", "30"),
            ("FEAST_CONSOLE_HISTORY_MAX_ENTRIES", "5000"),
        ]),
        vec![],
    )
    .unwrap();
    assert_eq!(
        (c.history_retention_days, c.history_max_entries),
        (30, 5000)
    );
    for (var, value) in [
        ("FEAST_CONSOLE_HISTORY_RETENTION_DAYS", "0"),
        ("FEAST_CONSOLE_HISTORY_MAX_ENTRIES", "10"),
    ] {
        let msg = Config::load(None, env(&[(var, value)]), vec![])
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("outside the allowed range"),
            "{var}={value}: {msg}"
        );
    }
}
