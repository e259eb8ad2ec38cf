//! Starts scripts/oidc/provider.mjs on a free port and stops it when dropped.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use super::{CLIENT_SECRET, CONSOLE};

pub struct TestProvider {
    child: Child,
    pub issuer: String,
}

impl Drop for TestProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn script_dir() -> PathBuf {
    crate::registry::fixtures::workspace_root().join("scripts/oidc")
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the provider. The test fails when node or the provider's node modules are missing.
#[track_caller]
pub fn start(access_token_ttl: Option<u64>) -> TestProvider {
    let dir = script_dir();
    crate::common::required_program("node", "scripts/setup.sh installs it");
    crate::common::required_path(
        dir.join("node_modules/oidc-provider"),
        "the test identity provider (npm oidc-provider)",
        "run scripts/setup.sh, which installs scripts/oidc/node_modules",
    );
    let port = free_port();
    let mut command = Command::new("node");
    command
        .arg(dir.join("provider.mjs"))
        .current_dir(&dir)
        .env("PORT", port.to_string())
        .env("CLIENT_SECRET", CLIENT_SECRET)
        .env("REDIRECT_URIS", format!("{CONSOLE}/auth/callback"))
        .env(
            "POST_LOGOUT_REDIRECT_URIS",
            format!("{CONSOLE}/auth/signed-out"),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(ttl) = access_token_ttl {
        command.env("ACCESS_TOKEN_TTL", ttl.to_string());
    }
    let mut child = command.spawn().expect("start the test identity provider");
    let stdout = child.stdout.take().expect("provider stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(issuer) = line.strip_prefix("ready ") {
                let _ = tx.send(issuer.to_string());
            }
        }
    });
    let issuer = match rx.recv_timeout(Duration::from_secs(20)) {
        Ok(issuer) => issuer,
        Err(_) => {
            let _ = child.kill();
            panic!("the test identity provider did not start within 20 s");
        }
    };
    TestProvider { child, issuer }
}
