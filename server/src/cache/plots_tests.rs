//! Plot tests: escaping of user names and the text alternatives.

use super::*;
use app::cache::model::{RegistryBackend, RegistryMeasure, ServerCopies};
use app::cache::range::Range;
use app::cache::settings::{CacheMode, CacheSettings, Provenance, Setting};
use app::cache::storm::{storm_risk, RefreshSchedule};

const HOSTILE: &str = "<script>alert('x')</script>&\"";

fn deployment() -> DeploymentCache {
    let d = |v| Setting {
        value: v,
        source: Provenance::Default("test".into()),
    };
    let schedule = RefreshSchedule {
        background_seconds: vec![60.0],
        blocking_seconds: Some(60.0),
    };
    DeploymentCache {
        namespace: HOSTILE.into(),
        name: HOSTILE.into(),
        settings: CacheSettings {
            cache_mode: Setting {
                value: CacheMode::Sync,
                source: Provenance::Default("t".into()),
            },
            cache_ttl_seconds: d(60),
            registry_ttl_seconds: d(60),
            online_workers: d(4),
            remote_registry: false,
        },
        replicas: Range {
            current: 5,
            min: 5,
            max: 5,
        },
        current_replicas_known: true,
        servers: vec![ServerCopies {
            kind: HOSTILE.into(),
            per_pod: 4,
            copies: Range {
                current: 20,
                min: 20,
                max: 20,
            },
            schedule,
            memory_limit_bytes: Some(1 << 30),
            container_bytes: Some(4 << 20),
        }],
        copies: Range {
            current: 20,
            min: 20,
            max: 20,
        },
        registry_backend: RegistryBackend::Sql,
        measure: Some(RegistryMeasure {
            registry: HOSTILE.into(),
            bytes: Some(1 << 20),
            objects: 10,
            projects: 1,
            load_ms: Some(300.0),
        }),
        memory_bytes: None,
        refreshes_per_minute: 40.0,
        db_queries_per_second: None,
        db_bytes_per_second: None,
        storm: storm_risk(Some(60.0), Some(300.0), 20),
        recommendations: vec![],
    }
}

fn assert_escaped(p: &PlotView) {
    let svg = p
        .svg
        .as_deref()
        .unwrap_or_else(|| panic!("no SVG: {:?}", p.error));
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(
        !svg.contains("<script"),
        "user text reached the SVG unescaped: {svg}"
    );
    assert!(
        svg.contains("&lt;script&gt;"),
        "the name is still shown, escaped: {svg}"
    );
    assert!(!p.text.is_empty());
}

#[test]
fn user_names_are_escaped_in_every_plot() {
    let d = deployment();
    let timeline = refresh_timeline(&d);
    assert_escaped(&timeline);
    // 20 aligned copies expire at 60, 120, …, 600 s.
    assert!(
        timeline
            .text
            .contains("20 copies expire together every 60 s (10 times in 10 minutes)"),
        "{}",
        timeline.text
    );
    let m = memory(&d);
    assert_escaped(&m);
    assert!(
        m.text
            .contains("4 × 1.0 MiB = 4.0 MiB of its 1.0 GiB limit (0.39%)"),
        "{}",
        m.text
    );
    let sample = Sample {
        registry: HOSTILE.into(),
        source: "s".into(),
        probed_at: 0,
        load_ms: Some(12.0),
        bytes: None,
        objects: None,
        projects: None,
        error: None,
    };
    let failed = Sample {
        load_ms: None,
        error: Some("down".into()),
        ..sample.clone()
    };
    let h = load_history(HOSTILE, &[sample, failed]);
    assert_escaped(&h);
    assert!(
        h.text.contains("2 probes")
            && h.text.contains("1 failed")
            && h.text.contains("The latest probe failed: down."),
        "{}",
        h.text
    );
    assert!(h.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
}
