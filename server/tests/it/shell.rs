//! The shell and operations endpoints, driven through the real router on both database
//! backends.

use crate::common;

use common::TestApp;

on_both_backends!(healthz_answers_ok, |app: TestApp| async move {
    let r = app.get("/healthz").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("\"ok\""), "{}", r.body);
});

on_both_backends!(readyz_reports_each_check, |app: TestApp| async move {
    let r = app.ops_get("/readyz").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["ready"], true);
    assert_eq!(v["checks"]["console_db"]["ok"], true);
    assert_eq!(v["not_ready"].as_array().unwrap().len(), 0);
});

on_both_backends!(readyz_is_false_while_draining, |app: TestApp| async move {
    app.state.lifecycle.mark_draining();
    let r = app.ops_get("/readyz").await;
    assert_eq!(r.status, 503);
    assert!(r.body.contains("draining"), "{}", r.body);
    // The main port says the same, and only that.
    let r = app.get("/readyz").await;
    assert_eq!(r.status, 503);
    assert_eq!(r.body, r#"{"ready":false}"#);
});

// The main port is what the Ingress routes: anonymous callers learn whether the replica is
// ready and nothing else (no registry sources, error texts or counts), and no metrics.
on_both_backends!(
    the_main_port_answers_only_ready_or_not,
    |app: TestApp| async move {
        let r = app.get("/readyz").await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body, r#"{"ready":true}"#);
        let r = app.get("/metrics").await;
        assert_eq!(r.status, 404, "{}", r.body);
        assert!(!r.body.contains("feast_console_"), "{}", r.body);
        assert!(r.body.contains("ops port"), "{}", r.body);
        // The ops port has the detail.
        let r = app.ops_get("/readyz").await;
        assert!(r.body.contains("\"registries\""), "{}", r.body);
        assert!(app
            .ops_get("/metrics")
            .await
            .body
            .contains("feast_console_"));
        assert_eq!(app.ops_get("/healthz").await.status, 200);
    }
);

on_both_backends!(
    migrations_ran_and_settings_round_trip,
    |app: TestApp| async move {
        let db = &app.state.db;
        assert!(db.schema_version().await.unwrap() >= 1);
        assert_eq!(
            db.setting("created_by").await.unwrap().as_deref(),
            Some("feast-console")
        );
        db.set_setting("k", "v1").await.unwrap();
        db.set_setting("k", "v2").await.unwrap();
        assert_eq!(db.setting("k").await.unwrap().as_deref(), Some("v2"));
        assert_eq!(db.setting("missing").await.unwrap(), None);
    }
);

on_both_backends!(
    pages_render_the_shell_on_the_server,
    |app: TestApp| async move {
        for (path, heading) in [
            ("/", "Catalog"),
            ("/catalog", "Catalog"),
            ("/permissions", "Permissions"),
            ("/topology", "Topology"),
            ("/cache", "Registry cache"),
            ("/recovery", "Recovery"),
        ] {
            let r = app.get(path).await;
            assert_eq!(r.status, 200, "{path}");
            // `<!>` marks hydration boundaries in Leptos' HTML.
            let html = r.body.replace("<!>", "");
            assert!(
                html.contains(&format!("<h1>{heading}</h1>")),
                "{path}: {html}"
            );
            assert!(
                r.body.contains("aria-label=\"Areas\""),
                "{path}: navigation missing"
            );
            for area in [
                "/catalog",
                "/permissions",
                "/topology",
                "/cache",
                "/recovery",
            ] {
                assert!(
                    r.body.contains(&format!("href=\"{area}\"")),
                    "{path}: link to {area} missing"
                );
            }
            assert!(
                r.body.contains("/pkg/feast-console.js"),
                "{path}: hydration script missing"
            );
        }
    }
);

on_both_backends!(
    unknown_page_is_404_with_the_shell,
    |app: TestApp| async move {
        let r = app.get("/no/such/page").await;
        assert_eq!(r.status, 404);
        assert!(r.body.contains("Page not found"), "{}", r.body);
    }
);

on_both_backends!(security_headers_and_request_id, |app: TestApp| async move {
    let r = app.get("/catalog").await;
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
    assert_eq!(r.headers["x-frame-options"], "DENY");
    assert!(r.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    assert!(r.headers.contains_key("referrer-policy"));
    assert!(!r.headers["x-request-id"].is_empty());
});

on_both_backends!(metrics_count_requests_by_route, |app: TestApp| async move {
    app.get("/healthz").await;
    app.get("/healthz").await;
    let r = app.ops_get("/metrics").await;
    assert_eq!(r.status, 200);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert!(
        r.body.contains(
            r#"feast_console_http_requests_total{method="GET",route="/healthz",status="200"} 2"#
        ),
        "{}",
        r.body
    );
    assert!(r
        .body
        .contains("feast_console_http_request_duration_seconds_bucket"));
});

// The scale benchmark and pod sizing read each registry's load time and size from /metrics.
on_both_backends!(
    metrics_give_each_registrys_load_time_and_objects,
    |app: TestApp| async move {
        let ready: serde_json::Value =
            serde_json::from_str(&app.ops_get("/readyz").await.body).unwrap();
        let registry = &ready["checks"]["registries"][0];
        let (name, objects) = (registry["name"].as_str().unwrap(), &registry["objects"]);
        assert!(objects.as_u64().unwrap() > 0, "{ready}");
        let body = app.ops_get("/metrics").await.body;
        let value = |metric: &str| {
            let prefix = format!("{metric}{{registry=\"{name}\"}} ");
            body.lines()
                .find_map(|l| l.strip_prefix(prefix.as_str()))
                .unwrap_or_else(|| panic!("no {prefix}in {body}"))
                .to_string()
        };
        assert_eq!(value("feast_console_registry_objects"), objects.to_string());
        let seconds: f64 = value("feast_console_registry_load_seconds")
            .parse()
            .unwrap();
        assert!(seconds > 0.0, "{body}");
        assert!(body.contains("# TYPE feast_console_registry_load_seconds gauge"));
    }
);

// Anyone can send made-up methods and paths (no sign-in needed for /healthz or a 404): they
// must share labels instead of adding a series each.
on_both_backends!(
    metrics_labels_stay_bounded_under_made_up_methods_and_paths,
    |app: TestApp| async move {
        for i in 0..50 {
            let request = axum::http::Request::builder()
                .method(format!("FOO{i}").as_str())
                .uri("/healthz")
                .body(axum::body::Body::empty())
                .unwrap();
            app.request(request).await;
            app.get(&format!("/no-such-page-{i}")).await;
        }
        let r = app.ops_get("/metrics").await;
        assert!(!r.body.contains("FOO"), "{}", r.body);
        assert!(!r.body.contains("no-such-page"), "{}", r.body);
        assert!(
            r.body.contains(r#"method="OTHER",route="/healthz""#),
            "{}",
            r.body
        );
        let series = r
            .body
            .lines()
            .filter(|l| l.starts_with("feast_console_http_requests_total{"))
            .count();
        assert!(series < 10, "{}", r.body);
    }
);

on_both_backends!(
    theme_cookie_is_rendered_on_the_server,
    |app: TestApp| async move {
        let request = axum::http::Request::get("/catalog")
            .header("cookie", "fc_theme=dark")
            .body(axum::body::Body::empty())
            .unwrap();
        let r = app.request(request).await;
        assert!(
            r.body.contains("data-theme=\"dark\""),
            "{}",
            &r.body[..r.body.len().min(600)]
        );
    }
);

on_both_backends!(
    pages_carry_a_nonce_csp_matching_their_scripts,
    |app: TestApp| async move {
        let r = app.get("/permissions").await;
        let csp = r.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("page CSP has a nonce");
        assert!(
            r.body.contains(&format!("nonce=\"{nonce}\"")),
            "scripts carry the CSP nonce"
        );
        let again = app.get("/permissions").await;
        assert_ne!(
            again.headers["content-security-policy"], r.headers["content-security-policy"],
            "nonce is fresh per response"
        );
    }
);

/// Building a router while pages render must not stall the renders. Leptos lists the routes by
/// running the app with a process-global "resources do not load" flag set, and a resource first
/// polled meanwhile by any render in the process waited forever (leptos-rs/leptos#4773): many
/// tests in one process, each building its router, hung about one run in three. Here one thread
/// keeps building routers while another renders catalog pages, each runtime of its own.
#[test]
fn building_routers_never_stalls_a_render_in_progress() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    let runtime = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
    };
    let building = Arc::new(AtomicBool::new(true));
    let builder = {
        let building = building.clone();
        std::thread::spawn(move || {
            runtime().block_on(async {
                let app = common::spawn_app(common::Backend::Sqlite).await;
                for _ in 0..300 {
                    let _router = server::http::router(app.state.clone());
                    tokio::task::yield_now().await;
                }
            });
            building.store(false, Ordering::SeqCst);
        })
    };
    let renders = runtime().block_on(async {
        let app = crate::catalog_support::demo_app().await;
        let mut renders = 0;
        while building.load(Ordering::SeqCst) || renders < 20 {
            let page = tokio::time::timeout(Duration::from_secs(10), app.get("/catalog"))
                .await
                .expect("a catalog page renders within 10 s while routers are built");
            assert_eq!(page.status, 200, "{}", page.body);
            renders += 1;
        }
        renders
    });
    builder.join().expect("the router builder finishes");
    assert!(renders >= 20);
}
