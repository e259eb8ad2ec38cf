//! The `feast-console` binary on bad input: one clear line, a non-zero exit, no panic.

use std::process::{Command, Output};

fn console(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_feast-console"))
        .args(args)
        .env_remove("FEAST_CONSOLE_CONFIG")
        .env("NO_COLOR", "1")
        .output()
        .expect("run feast-console")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_no_panic(o: &Output) {
    let err = stderr(o);
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("fc-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("console.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn help_lists_every_area_command() {
    let o = console(&["--help"]);
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    for cmd in [
        "serve",
        "config",
        "catalog",
        "permissions",
        "topology",
        "cache",
        "recovery",
    ] {
        assert!(
            out.contains(&format!("\n  {cmd} ")),
            "--help misses {cmd}: {out}"
        );
    }
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let o = console(&["--bogus"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unexpected argument '--bogus'"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn unreadable_config_file_exits_2() {
    let o = console(&["--config", "/nonexistent/console.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read configuration file /nonexistent/console.toml"));
    assert_no_panic(&o);
}

#[test]
fn bad_value_names_the_key_and_exits_2() {
    let o = console(&["--listen", "localhost"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("`listen` (from flag --listen)"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
}

#[test]
fn unknown_environment_variable_is_reported() {
    let o = Command::new(env!("CARGO_BIN_EXE_feast-console"))
        .env("FEAST_CONSOLE_LISTN", "127.0.0.1:1")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("FEAST_CONSOLE_LISTN"), "{}", stderr(&o));
}

#[test]
fn config_check_accepts_a_good_file_and_rejects_a_bad_one() {
    let good = temp_file(
        "good",
        "listen = \"0.0.0.0:8080\"\ndatabase_url = \"postgres://u:pw@db/console\"\n",
    );
    let o = console(&["config", "check", good.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("OK") && out.contains("0.0.0.0:8080"), "{out}");
    assert!(
        out.contains("postgres://u:***@db/console") && !out.contains("pw"),
        "password shown: {out}"
    );

    let bad = temp_file("bad", "log_format = \"xml\"\n");
    let o = console(&["config", "check", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("`log_format`"), "{}", stderr(&o));
}

#[test]
fn serve_help_lists_every_key_with_its_default() {
    let o = console(&["serve", "--help"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Wrapped lines joined, so a default split across lines still matches.
    let out = String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for key in server::config::KEYS {
        let Some(flag) = key.flag_name() else {
            continue;
        };
        assert!(
            out.contains(&format!("--{flag} ")),
            "--help misses --{flag}: {out}"
        );
        if !key.default.is_empty() {
            assert!(
                out.contains(&format!("[default: {}]", key.default)),
                "--help misses the default of {}: {out}",
                key.name
            );
        }
    }
    assert!(out.contains("--feature-store-yaml "), "{out}");
}

#[test]
fn config_check_prints_every_key_with_secrets_redacted() {
    let file = temp_file(
        "secrets",
        concat!(
            "registry_token = \"tok-123\"\n",
            "recovery_redis_url = \"redis://:hunter2@cache:6379\"\n",
            "recovery_registry_pg_url = \"postgres://reg:pw-456@db/registry\"\n",
        ),
    );
    let o = console(&["config", "check", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    for key in server::config::KEYS {
        assert!(
            out.contains(&format!("  {} ", key.name)),
            "{} missing: {out}",
            key.name
        );
    }
    for secret in ["tok-123", "hunter2", "pw-456"] {
        assert!(!out.contains(secret), "{secret} shown: {out}");
    }
    assert!(
        out.contains("postgres://reg:***@db/registry") && out.contains("(file "),
        "{out}"
    );
}

#[test]
fn unwritable_data_folder_is_one_clear_error() {
    let o = console(&[
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        "/proc/feast-console-test",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("cannot create data folder /proc/feast-console-test"),
        "{}",
        stderr(&o)
    );
    assert_no_panic(&o);
}

#[test]
fn unreachable_postgres_is_one_clear_error() {
    // Port 1 on loopback: nothing listens there.
    let o = console(&[
        "--listen",
        "127.0.0.1:0",
        "--database-url",
        "postgres://u:secret@127.0.0.1:1/db",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("cannot open the console database postgres://u:***@127.0.0.1:1/db"),
        "{err}"
    );
    assert!(!err.contains("secret"), "password leaked: {err}");
    assert_no_panic(&o);
}

#[test]
fn a_taken_port_is_reported() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let o = console(&[
        "--listen",
        &addr,
        "--data-dir",
        std::env::temp_dir().join("fc-cli-port").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(&format!("{addr} is already in use")),
        "{}",
        stderr(&o)
    );
}

/// A plain HTTP/1.1 GET over std's TcpStream: status code and body.
fn http_get(addr: &str, path: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    Some((
        status,
        text.split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default(),
    ))
}

#[test]
fn serve_starts_answers_and_stops_cleanly_on_sigterm() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let data = std::env::temp_dir().join(format!("fc-cli-serve-{}", std::process::id()));
    let child = Command::new(env!("CARGO_BIN_EXE_feast-console"))
        .args([
            "serve",
            "--listen",
            &addr,
            "--data-dir",
            data.to_str().unwrap(),
            "--log-format",
            "json",
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Ready once the demo registry's first read has finished (503 until then, like a probe sees).
    let mut ready = None;
    for _ in 0..100 {
        if let Some(r) = http_get(&addr, "/readyz").filter(|(status, _)| *status == 200) {
            ready = Some(r);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (status, body) = ready.expect("server answered /readyz");
    assert_eq!(status, 200, "{body}");
    assert!(
        data.join("console.db").exists(),
        "SQLite console DB created under the data folder"
    );

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "exit after SIGTERM: {:?}", out.status);
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(logs.contains("shutdown requested"), "{logs}");
    // JSON log lines, one object per line.
    for line in logs.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            serde_json::from_str::<serde_json::Value>(line).is_ok(),
            "not JSON: {line}"
        );
    }
}
