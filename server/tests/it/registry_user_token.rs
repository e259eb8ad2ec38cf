//! A REST registry is read once with the console's own token and filtered by the console's
//! evaluator; these tests hold that decision against Feast's own answers to each user's token.
//! Real parts throughout: the test identity provider issues Keycloak-shaped JWT access tokens,
//! Feast 0.67's `serve_registry --rest-api` runs with `auth: {type: oidc}` against that
//! provider and verifies them, and the fixture registry's permissions (driver_ranking:
//! `ranking_readers` grants the Feast role `ranking-reader` DESCRIBE on feature views and
//! services named `driver_.*`) decide.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use app::auth::identity::Identity;
use app::catalog::model::{CatalogObject, ObjectKind};
use app::catalog::visibility::{describable, feast_user};
use server::registry::{rest::RestReader, source::parse_entry, RegistrySnapshot};

use crate::auth_support::{self, browser::Browser, provider};
use crate::common::{self, Backend, TestApp};
use crate::registry::fixtures;

pub(crate) struct FeastServer(Child);

impl Drop for FeastServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Feast checks DESCRIBE on the project itself before listing anything in it, and the fixture
/// grants that to nobody: the copy gets one more permission, applied with Feast's own SDK.
const GRANT_PROJECT_DESCRIBE: &str = r#"
from feast import FeatureStore
from feast.permissions.action import AuthzedAction
from feast.permissions.permission import Permission
from feast.permissions.policy import RoleBasedPolicy
from feast.project import Project
store = FeatureStore(repo_path=".")
store.apply([
    Permission(
        name="projects_visible",
        types=[Project],
        policy=RoleBasedPolicy(roles=["ranking-reader", "feast-admin"]),
        actions=[AuthzedAction.DESCRIBE],
    ),
    # The console's own service account (here sam's token) may describe everything.
    Permission(
        name="console_reads_all",
        policy=RoleBasedPolicy(roles=["feast-reader"]),
        actions=[AuthzedAction.DESCRIBE],
    ),
])
"#;

/// The fixture repository and its SQL registry, copied, with project DESCRIBE granted and then
/// `auth: {type: oidc}` pointing at `issuer`.
pub(crate) fn repo_with_oidc(python: &Path, fixtures: &Path, issuer: &str) -> std::path::PathBuf {
    let fixture = fixtures.join("sqlite/driver_ranking");
    let dir = std::env::temp_dir().join(format!(
        "fc-rest-oidc-{}-{}",
        std::process::id(),
        provider::free_port()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let registry = dir.join("registry.sqlite");
    std::fs::copy(fixtures.join("sqlite/registry.sqlite"), &registry).unwrap();
    let yaml = std::fs::read_to_string(fixture.join("feature_store.yaml")).unwrap();
    let original = yaml
        .lines()
        .find_map(|l| l.trim().strip_prefix("path: sqlite:///"))
        .expect("fixture registry path")
        .to_string();
    let yaml = yaml.replace(&original, &registry.display().to_string());
    std::fs::write(dir.join("feature_store.yaml"), &yaml).unwrap();
    let applied = Command::new(python)
        .args(["-c", GRANT_PROJECT_DESCRIBE])
        .current_dir(&dir)
        .output()
        .expect("run Feast");
    assert!(
        applied.status.success(),
        "{}",
        String::from_utf8_lossy(&applied.stderr)
    );
    let yaml = yaml.replace(
        "auth:\n  type: no_auth\n",
        &format!(
            "auth:\n  type: oidc\n  client_id: feast\n  auth_discovery_url: {issuer}/.well-known/openid-configuration\n"
        ),
    );
    assert!(yaml.contains("type: oidc"), "{yaml}");
    std::fs::write(dir.join("feature_store.yaml"), yaml).unwrap();
    dir
}

pub(crate) fn start_feast(python: &Path, repo: &Path, port: u16) -> FeastServer {
    let mut child = Command::new(python.with_file_name("feast"))
        .arg("-c")
        .arg(repo)
        .args(["serve_registry", "--rest-api", "--no-grpc"])
        .args(["--rest-port", &port.to_string(), "-h", "127.0.0.1"])
        .stdout(Stdio::null())
        .stderr(if std::env::var("FC_DEBUG_FEAST").is_ok() {
            Stdio::inherit()
        } else {
            Stdio::piped()
        })
        .spawn()
        .expect("start feast serve_registry");
    let stderr = child.stderr.take();
    std::thread::spawn(move || {
        if let Some(s) = stderr {
            for _ in BufReader::new(s).lines() {}
        }
    });
    FeastServer(child)
}

/// Signs `user` in to the console and returns the access token the console holds for them.
pub(crate) async fn access_token_of(app: &TestApp, user: &str) -> String {
    let mut browser = Browser::new();
    let done = browser.sign_in(app, user, "/catalog").await;
    assert_eq!(done.status, 303, "{}", done.body);
    let cookie = browser
        .cookies
        .iter()
        .find(|(k, _)| k.ends_with("fc_session"))
        .map(|(_, v)| v.clone())
        .expect("session cookie");
    app.state
        .auth
        .sessions()
        .load(&cookie)
        .await
        .unwrap()
        .expect("session")
        .access_token
        .expect("access token kept on the server")
}

fn names(snapshot: &RegistrySnapshot, kind: ObjectKind) -> Vec<String> {
    let mut v: Vec<String> = snapshot
        .objects
        .iter()
        .filter(|o| o.kind == kind && o.project == "driver_ranking" && !o.is_unreadable())
        .map(|o| o.name.to_string())
        .collect();
    v.sort();
    v
}

/// The identity Feast reads from an access token (its claims, as Feast's OIDC parser reads
/// them with `client_id: feast`).
fn identity_of(token: &str) -> Identity {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .expect("base64url");
    let claims: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON claims");
    Identity::from_claims(&claims, Some("feast")).expect("a username")
}

#[tokio::test]
async fn each_user_sees_what_feast_lets_them_describe() {
    let (dir, python) = (fixtures::feast_fixtures(), fixtures::feast_python());
    let idp = provider::start(None);
    let app = auth_support::console_on(
        &idp.issuer,
        common::fresh_database_url(Backend::Sqlite).await,
    )
    .await;
    let repo = repo_with_oidc(&python, &dir, &idp.issuer);
    let port = provider::free_port();
    let _feast = start_feast(&python, &repo, port);
    let url = format!("http://127.0.0.1:{port}/api/v1");

    let rita = access_token_of(&app, "rita").await;
    let alice = access_token_of(&app, "alice").await;
    assert_eq!(
        rita.matches('.').count(),
        2,
        "access tokens are JWTs, as Keycloak's are"
    );

    // The console's own full read: the same registry file, read directly.
    let shared = server::registry::Reader::load_once(
        &parse_entry(
            &format!("sqlite:///{}", repo.join("registry.sqlite").display()),
            &repo,
        )
        .unwrap(),
    )
    .await
    .unwrap();
    let objects: Vec<&CatalogObject> = shared
        .projects
        .iter()
        .chain(shared.objects.iter())
        .map(|o| &**o)
        .collect();

    // Wait for Feast to answer (it starts slowly).
    let as_rita = RestReader::new(&url, Some(rita.clone().into()), "rest".into()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    while as_rita.describes(objects[0]).await.is_err() {
        assert!(Instant::now() < deadline, "Feast never answered");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // For every object of the registry, the console's decision for each user is Feast's own
    // answer to that user's token. The registry server decides projects with its own
    // project's permissions (driver_ranking, from its feature_store.yaml).
    for (who, token) in [("rita", &rita), ("alice", &alice)] {
        let user = feast_user(&identity_of(token));
        let console = describable(&objects, Some(&user), Some("driver_ranking"));
        let feast = RestReader::new(&url, Some(token.clone().into()), "rest".into()).unwrap();
        let mut shown = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            if o.is_internal() || o.is_unreadable() {
                continue;
            }
            let answer = feast.describes(o).await.unwrap_or_else(|e| {
                panic!(
                    "{who}: {:?} {}/{}: {}",
                    o.kind,
                    o.project,
                    o.name,
                    app::backend::error_chain(&e)
                )
            });
            assert_eq!(
                console.allows(i),
                answer,
                "{who}: {:?} {}/{}: console {}, Feast {answer}",
                o.kind,
                o.project,
                o.name,
                console.allows(i)
            );
            if answer && o.kind == ObjectKind::FeatureView && o.project == "driver_ranking" {
                shown.push(o.name.clone());
            }
        }
        shown.sort();
        match who {
            // rita's Feast role is granted DESCRIBE on driver_.* feature views and services.
            "rita" => {
                let expected: Vec<String> = names(&shared, ObjectKind::FeatureView)
                    .into_iter()
                    .filter(|n| n.starts_with("driver_"))
                    .collect();
                assert!(!expected.is_empty());
                assert_eq!(shown, expected);
            }
            // alice is a console admin, but no Feast permission grants her roles anything here.
            _ => assert!(
                shown.is_empty(),
                "Feast shows alice no feature views: {shown:?}"
            ),
        }
    }

    // A token Feast cannot verify gets no decision at all, never a "yes".
    let forged = RestReader::new(&url, Some("not-a-token".into()), "rest".into()).unwrap();
    assert!(!matches!(forged.describes(objects[1]).await, Ok(true)));
    let _ = std::fs::remove_dir_all(repo);
}

/// Catalog list rows (`name` cells) of a page, in order.
fn listed_names(html: &str) -> Vec<String> {
    let mut v: Vec<String> = html
        .split("/feature-views/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect();
    v.sort();
    v.dedup();
    v
}

#[tokio::test]
async fn the_catalog_shows_each_user_what_feast_shows_them() {
    let (dir, python) = (fixtures::feast_fixtures(), fixtures::feast_python());
    let idp = provider::start(None);
    let repo = repo_with_oidc(&python, &dir, &idp.issuer);
    let port = provider::free_port();
    let _feast = start_feast(&python, &repo, port);
    let mut source = parse_entry(&format!("rest=http://127.0.0.1:{port}"), &repo).unwrap();
    // The console reads the registry with its own service token (`registry_token`), which
    // must be allowed to describe everything: here a token of sam's, whose Feast role
    // `feast-reader` the copy grants DESCRIBE on every type.
    let issuing = auth_support::console_on(
        &idp.issuer,
        common::fresh_database_url(Backend::Sqlite).await,
    )
    .await;
    source.token = Some(access_token_of(&issuing, "sam").await.into());
    let app = auth_support::console_with(
        &idp.issuer,
        common::fresh_database_url(Backend::Sqlite).await,
        |config| config.registries = vec![source.clone()],
    )
    .await;

    let mut rita = Browser::new();
    assert_eq!(rita.sign_in(&app, "rita", "/catalog").await.status, 303);
    let mut alice = Browser::new();
    assert_eq!(alice.sign_in(&app, "alice", "/catalog").await.status, 303);

    let page = "/catalog/feature-views?registry=rest&project=driver_ranking";
    let deadline = Instant::now() + Duration::from_secs(90);
    let rita_sees = loop {
        let r = rita.console(&app, "GET", page).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let names = listed_names(&r.body);
        if !names.is_empty() {
            break names;
        }
        assert!(
            Instant::now() < deadline,
            "rita never saw a feature view: {}",
            r.body
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert!(
        rita_sees.iter().all(|n| n.starts_with("driver_")),
        "{rita_sees:?}"
    );
    // A sample of the console's decisions for rita was asked of Feast with her token, in the
    // background: every answer agreed.
    let deadline = Instant::now() + Duration::from_secs(60);
    let agreement = loop {
        let figures = app.state.cross_check.figures();
        match figures.get("rest") {
            Some(a) if a.compared + a.errors >= 8 => break *a,
            _ if Instant::now() > deadline => panic!("no cross-check finished: {figures:?}"),
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    };
    assert!(agreement.compared > 0, "{agreement:?}");
    assert_eq!(agreement.agreed, agreement.compared, "{agreement:?}");
    let alice_page = alice.console(&app, "GET", page).await;
    assert_eq!(alice_page.status, 200);
    assert!(
        listed_names(&alice_page.body).is_empty(),
        "{}",
        alice_page.body
    );

    // Exports follow the same rule.
    let csv = rita
        .console(
            &app,
            "GET",
            "/catalog/export.csv?list=feature-views&registry=rest&project=driver_ranking",
        )
        .await;
    assert_eq!(csv.status, 200);
    for name in &rita_sees {
        assert!(csv.body.contains(name.as_str()), "{name} in {}", csv.body);
    }
    let alice_csv = alice
        .console(
            &app,
            "GET",
            "/catalog/export.csv?list=feature-views&registry=rest&project=driver_ranking",
        )
        .await;
    assert!(!alice_csv.body.contains("driver_"), "{}", alice_csv.body);
    let _ = std::fs::remove_dir_all(repo);
}
