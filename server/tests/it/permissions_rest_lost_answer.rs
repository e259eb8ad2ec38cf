//! A REST registry write whose answer is lost (the connection drops after Feast applied it) is
//! not reported as "nothing written": the console reads the registry again and records what it
//! shows, `committed`, or `unknown` when it cannot read it either. Real Feast 0.67
//! `serve_registry --rest-api` with `auth: oidc` behind a TCP proxy that delivers the POST,
//! waits for Feast's answer to begin (the write is made) and then closes the client's
//! connection without passing it on.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::permissions::api::{AuditFilter, SaveRequest};
use app::permissions::audit_state::AuditState;
use app::permissions::Policy;
use server::db::ConsoleDb;
use server::permissions::{audit, store};
use server::registry::source::parse_entry;
use server::registry::write::{PermissionWriter, ABSENT};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::auth_support::{self, provider};
use crate::common::{self, Backend};
use crate::permissions_editing::{feast_view, spec};
use crate::permissions_rest_write::feast_granting_admin_writes;
use crate::registry::fixtures;
use crate::registry_user_token::access_token_of;

const PROJECT: &str = "driver_ranking";

/// What the proxy does with the next permission POST.
const PASS: u8 = 0;
/// Deliver it, then drop the answer.
const LOSE_ANSWER: u8 = 1;
/// Deliver it, drop the answer, and refuse every connection after it.
const LOSE_ANSWER_THEN_REFUSE: u8 = 2;
const REFUSING: u8 = 3;

/// Reads one HTTP request (headers and a Content-Length body) from `client`.
async fn read_request(client: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = client.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        if buf.len() >= end + 4 + length {
            return Some(buf);
        }
    }
}

async fn serve(mut client: TcpStream, upstream: u16, mode: Arc<AtomicU8>) {
    if mode.load(Ordering::SeqCst) == REFUSING {
        return;
    }
    let Some(request) = read_request(&mut client).await else {
        return;
    };
    let Ok(mut up) = TcpStream::connect(("127.0.0.1", upstream)).await else {
        return;
    };
    if up.write_all(&request).await.is_err() {
        return;
    }
    let is_write = request.starts_with(b"POST ")
        && String::from_utf8_lossy(&request[..request.len().min(200)]).contains("/permissions");
    let lose = match mode.load(Ordering::SeqCst) {
        LOSE_ANSWER if is_write => Some(PASS),
        LOSE_ANSWER_THEN_REFUSE if is_write => Some(REFUSING),
        _ => None,
    };
    let Some(next) = lose else {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut up).await;
        return;
    };
    // Feast answers after applying the write: once its answer begins, the write is made.
    let mut first = [0u8; 1];
    let _ = tokio::time::timeout(Duration::from_secs(60), up.read(&mut first)).await;
    mode.store(next, Ordering::SeqCst);
    drop(client);
}

/// Starts the proxy; returns its port and the mode switch.
async fn lossy_proxy(upstream: u16) -> (u16, Arc<AtomicU8>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mode = Arc::new(AtomicU8::new(PASS));
    let switch = mode.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(serve(client, upstream, mode.clone()));
        }
    });
    (port, switch)
}

fn create(name: &str) -> SaveRequest {
    let mut s = spec(name);
    s.policy = Policy::RoleBased {
        roles: vec!["console-test-reader".into()],
    };
    SaveRequest {
        registry: "rest".into(),
        project: PROJECT.into(),
        original_name: None,
        expected_version: ABSENT.into(),
        spec: Some(s),
        actor: "alice".into(),
        reason: "lost answer".into(),
    }
}

#[tokio::test]
async fn a_rest_write_whose_answer_is_lost_is_read_again_and_recorded() {
    let py = fixtures::feast_python();
    let idp = provider::start(None);
    let (repo, registry_url, feast_port, _feast) = feast_granting_admin_writes(&py, &idp.issuer);
    let issuing = auth_support::console_on(
        &idp.issuer,
        common::fresh_database_url(Backend::Sqlite).await,
    )
    .await;
    let alice = access_token_of(&issuing, "alice").await;
    let (proxy, mode) = lossy_proxy(feast_port).await;
    let source = parse_entry(&format!("rest=http://127.0.0.1:{proxy}"), &repo).unwrap();
    let writer = PermissionWriter::open(&source)
        .await
        .unwrap()
        .with_token(Some(alice));
    let db = ConsoleDb::open(&common::fresh_database_url(Backend::Sqlite).await, 2)
        .await
        .unwrap();
    // Feast starts slowly: wait until it answers through the proxy.
    let deadline = Instant::now() + Duration::from_secs(90);
    while !matches!(writer.read(PROJECT, "ranking_readers").await, Ok(Some(_))) {
        assert!(Instant::now() < deadline, "Feast never answered");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // The answer is lost, the registry readable: the re-read shows the change made.
    mode.store(LOSE_ANSWER, Ordering::SeqCst);
    let saved = store::save(&writer, &db, &create("rest_answer_lost")).await;
    let now = writer.read(PROJECT, "rest_answer_lost").await.unwrap();
    assert_eq!(
        saved.as_ref().ok(),
        now.as_ref().map(|r| &r.version),
        "answered with the version read again: {saved:?}"
    );

    // The answer is lost and the registry cannot be read again: unknown.
    mode.store(LOSE_ANSWER_THEN_REFUSE, Ordering::SeqCst);
    let lost = store::save(&writer, &db, &create("rest_answer_unreadable")).await;
    assert!(lost.is_err(), "{lost:?}");

    let records = audit::list(&db, &AuditFilter::default()).await.unwrap();
    let of = |name: &str| {
        let r: Vec<_> = records.iter().filter(|r| r.permission == name).collect();
        assert_eq!(r.len(), 1, "{records:#?}");
        r[0].clone()
    };
    let made = of("rest_answer_lost");
    assert_eq!(made.state, AuditState::Committed, "{made:#?}");
    assert!(
        made.detail
            .contains("reading the registry again shows it made"),
        "{}",
        made.detail
    );
    let unknown = of("rest_answer_unreadable");
    assert_eq!(unknown.state, AuditState::Unknown, "{unknown:#?}");
    assert!(
        unknown.detail.contains("cannot be read again"),
        "{}",
        unknown.detail
    );
    // Feast did apply it: "unknown" was the honest answer, not "failed".
    assert!(feast_view(&py, &registry_url, PROJECT, "rest_answer_unreadable").is_some());
}
