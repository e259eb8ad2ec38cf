//! The session store on both console database backends: ids are random and stored hashed,
//! idle and absolute expiry end sessions, logins in progress are single use.

use crate::common;

use std::time::Duration;

use common::TestApp;
use serde_json::json;
use server::auth::session::{PendingLogin, SessionStore, Tokens};
use server::clock::unix_now;

fn store(app: &TestApp, idle: u64, absolute: u64) -> SessionStore {
    SessionStore::new(
        app.state.db.clone(),
        Duration::from_secs(idle),
        Duration::from_secs(absolute),
    )
}

fn tokens() -> Tokens {
    Tokens {
        id_token: Some("id".into()),
        access_token: Some("at".into()),
        refresh_token: Some("rt".into()),
        access_expires_at: Some(1),
    }
}

on_both_backends!(
    sessions_round_trip_and_rotate_tokens,
    |app: TestApp| async move {
        let s = store(&app, 600, 3600);
        let cookie = s
            .create("sub-1", "alice", &json!({"sub": "sub-1"}), &tokens())
            .await
            .unwrap();
        let other = s
            .create("sub-1", "alice", &json!({"sub": "sub-1"}), &tokens())
            .await
            .unwrap();
        assert_ne!(cookie, other, "every session gets its own random id");
        let session = s.load(&cookie).await.unwrap().expect("live session");
        assert_eq!(session.username, "alice");
        assert_ne!(
            session.id_hash, cookie,
            "only a hash of the cookie is stored"
        );
        let rotated = Tokens {
            refresh_token: Some("rt2".into()),
            ..tokens()
        };
        s.update_tokens(&session.id_hash, &json!({"sub": "sub-1", "x": 1}), &rotated)
            .await
            .unwrap();
        let again = s.load(&cookie).await.unwrap().unwrap();
        assert_eq!(again.refresh_token.as_deref(), Some("rt2"));
        assert_eq!(again.claims()["x"], 1);
        // Refreshes without a new refresh token keep the old one.
        s.update_tokens(
            &session.id_hash,
            &json!({}),
            &Tokens {
                refresh_token: None,
                ..tokens()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            s.load(&cookie)
                .await
                .unwrap()
                .unwrap()
                .refresh_token
                .as_deref(),
            Some("rt2")
        );
        s.delete(&session.id_hash).await.unwrap();
        assert!(s.load(&cookie).await.unwrap().is_none());
        assert!(s.load("not-a-session").await.unwrap().is_none());
    }
);

on_both_backends!(
    idle_and_absolute_expiry_end_sessions,
    |app: TestApp| async move {
        let idle = store(&app, 1, 3600);
        let cookie = idle.create("s", "u", &json!({}), &tokens()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(2100)).await;
        assert!(idle.load(&cookie).await.unwrap().is_none(), "idle too long");

        let absolute = store(&app, 600, 1);
        let cookie = absolute
            .create("s", "u", &json!({}), &tokens())
            .await
            .unwrap();
        assert!(absolute.load(&cookie).await.unwrap().is_some());
        tokio::time::sleep(Duration::from_millis(2100)).await;
        assert!(
            absolute.load(&cookie).await.unwrap().is_none(),
            "past the absolute end despite activity"
        );
        assert_eq!(
            absolute.count().await.unwrap(),
            0,
            "expired rows are deleted"
        );
    }
);

on_both_backends!(
    logins_in_progress_are_single_use,
    |app: TestApp| async move {
        let s = store(&app, 600, 3600);
        let login = PendingLogin {
            csrf_state: "state".into(),
            nonce: "nonce".into(),
            pkce_verifier: "verifier".into(),
            return_to: "/cache".into(),
            created_at: unix_now(),
        };
        let cookie = s.start_login(&login, "client", 10).await.unwrap().unwrap();
        let taken = s.take_login(&cookie).await.unwrap().expect("first use");
        assert_eq!(
            (taken.csrf_state.as_str(), taken.return_to.as_str()),
            ("state", "/cache")
        );
        assert!(
            s.take_login(&cookie).await.unwrap().is_none(),
            "second use refused"
        );

        let stale = PendingLogin {
            created_at: unix_now() - 3600,
            ..login
        };
        let cookie = s.start_login(&stale, "client", 10).await.unwrap().unwrap();
        assert!(
            s.take_login(&cookie).await.unwrap().is_none(),
            "older than 10 minutes"
        );
    }
);
