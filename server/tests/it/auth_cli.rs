//! The binary refuses to run open on a public address, and warns at every start when told to.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::Duration,
};

fn console() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_feast-console"));
    c.env_remove("FEAST_CONSOLE_CONFIG").env("NO_COLOR", "1");
    c
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn data_dir() -> String {
    std::env::temp_dir()
        .join(format!("fc-auth-cli-{}", std::process::id()))
        .display()
        .to_string()
}

/// Runs `serve` with `args` (and a data folder), expecting it to refuse to start: its stderr.
fn refused_start(args: &[&str]) -> String {
    let out = console()
        .arg("serve")
        .args(args)
        .args(["--data-dir", &data_dir()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn no_identity_provider_on_a_public_address_refuses_to_start() {
    let err = refused_start(&["--listen", &format!("0.0.0.0:{}", free_port())]);
    assert!(
        err.contains("--insecure-no-auth") && err.contains("oidc_issuer_url"),
        "{err}"
    );
}

#[test]
fn no_identity_provider_with_a_public_url_refuses_to_start() {
    let err = refused_start(&[
        "--listen",
        &format!("127.0.0.1:{}", free_port()),
        "--public-url",
        "https://console.example.com",
    ]);
    assert!(
        err.contains("public_url https://console.example.com")
            && err.contains("--insecure-no-auth"),
        "{err}"
    );
}

#[test]
fn insecure_no_auth_starts_with_a_warning() {
    let mut child = console()
        .args([
            "serve",
            "--listen",
            &format!("0.0.0.0:{}", free_port()),
            "--data-dir",
            &data_dir(),
            "--insecure-no-auth",
        ])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut warned = false;
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(20)) {
        if line.contains("AUTHENTICATION IS OFF") {
            warned = true;
        }
        if line.contains("listening") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(warned, "a warning at start");
}

#[test]
fn a_secret_in_the_config_file_is_refused() {
    let dir = std::env::temp_dir().join(format!("fc-auth-cli-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("console.toml");
    std::fs::write(&file, "oidc_issuer_url = \"https://sso.example.com/realms/feast\"\noidc_client_secret = \"plain\"\n").unwrap();
    let out = console()
        .args(["config", "check", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`oidc_client_secret`") && !err.contains("plain"),
        "{err}"
    );
}
