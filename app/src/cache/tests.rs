//! Hand-worked cases. The guide's example: 5 replicas × 4 workers = 20 copies.

use serde_json::{json, Value};

use super::api::row;
use super::model::{analyze_deployment, parse_memory, RegistryMeasure};
use super::range::Range;
use super::recommend::Scenario;
use super::settings::{CacheMode, Provenance, YamlCacheSettings};
use super::storm::{storm_risk, timeline, RefreshSchedule, RiskLevel};
use crate::topology::crd::FeatureStore;
use crate::topology::derive::derive_facts;
use crate::topology::ClusterSnapshot;

const MIB: u64 = 1024 * 1024;

fn store(spec: Value, status: Option<Value>) -> FeatureStore {
    let mut v = json!({
        "apiVersion": "feast.dev/v1",
        "kind": "FeatureStore",
        "metadata": {"name": "fs", "namespace": "ml"},
        "spec": spec,
    });
    if let Some(s) = status {
        v["status"] = s;
    }
    serde_json::from_value(v).expect("valid FeatureStore")
}

fn analyze(
    fs: &FeatureStore,
    yaml: Option<&YamlCacheSettings>,
    m: Option<&RegistryMeasure>,
) -> super::DeploymentCache {
    let facts = derive_facts(fs, &ClusterSnapshot::default());
    analyze_deployment(fs, &facts, yaml, m)
}

fn measure(bytes: u64, projects: u64, load_ms: f64) -> RegistryMeasure {
    RegistryMeasure {
        registry: "r".into(),
        bytes: Some(bytes),
        objects: 40,
        projects,
        load_ms: Some(load_ms),
    }
}

/// 5 replicas, 4 workers, SQL registry in a Secret, nothing else set.
fn guide_store() -> FeatureStore {
    store(
        json!({"replicas": 5, "services": {
            "onlineStore": {"server": {"workerConfigs": {"workers": 4},
                "resources": {"limits": {"memory": "1Gi"}}}},
            "registry": {"local": {"persistence": {"store": {"type": "sql", "secretRef": {"name": "feast-data-stores"}}}}}
        }}),
        None,
    )
}

#[test]
fn five_replicas_times_four_workers_is_twenty_copies() {
    let d = analyze(&guide_store(), None, Some(&measure(MIB, 3, 40.0)));
    let online = &d.servers[0];
    assert_eq!(online.kind, "online feature server");
    assert_eq!(
        (online.per_pod, online.copies),
        (
            4,
            Range {
                current: 5 * 4,
                min: 20,
                max: 20
            }
        )
    );
    // The local registry's gRPC server (on by default) holds one more copy per pod.
    assert_eq!(d.servers[1].copies.current, 5);
    assert_eq!(d.copies.current, 25);
    // 25 copies of 1 MiB.
    assert_eq!(d.memory_bytes.map(|m| m.current), Some(25 * MIB as i64));
    // The online container: 4 workers × 1 MiB against its 1 GiB limit.
    assert_eq!(online.container_bytes, Some(4 * MIB));
    assert_eq!(online.memory_limit_bytes, Some(1024 * MIB));
}

#[test]
fn defaults_refresh_rates_and_database_load() {
    let d = analyze(&guide_store(), None, Some(&measure(MIB, 3, 40.0)));
    let s = &d.settings;
    assert_eq!(s.cache_mode.value, CacheMode::Sync);
    assert_eq!(s.cache_ttl_seconds.value, 600);
    assert_eq!(s.registry_ttl_seconds.value, 60);
    assert!(
        matches!(&s.cache_mode.source, Provenance::Default(w) if w.contains("Secret feast-data-stores"))
    );
    assert!(
        matches!(&s.online_workers.source, Provenance::CrField(p) if p.ends_with("workers = 4"))
    );
    // Online: the 60 s server timer resets the cache age, the 600 s expiry never hits: 1/min.
    assert_eq!(
        d.servers[0].schedule,
        RefreshSchedule {
            background_seconds: vec![60.0],
            blocking_seconds: None
        }
    );
    // Registry server: sync expiry every 600 s: 0.1/min. Total 20 × 1 + 5 × 0.1 = 20.5/min.
    assert_eq!(d.servers[1].schedule.blocking_seconds, Some(600.0));
    assert!((d.refreshes_per_minute - 20.5).abs() < 1e-9);
    // SQL: 1 + 11 × 3 projects = 34 queries per read; 20.5 × 34 / 60 = 11.6166… q/s.
    assert!((d.db_queries_per_second.unwrap() - 20.5 * 34.0 / 60.0).abs() < 1e-9);
    // 20.5 × 1 MiB / 60 = 358 263.47 B/s.
    assert!((d.db_bytes_per_second.unwrap() - 358_263.466_666).abs() < 0.01);
    // Only the 5 registry-server copies block: 40 ms every 600 s = 0.00667% of requests.
    assert_eq!(d.storm.aligned_copies, 5);
    assert!((d.storm.waiting_share.unwrap() - 0.04 / 600.0).abs() < 1e-12);
    assert_eq!(d.storm.level, RiskLevel::Low);
}

#[test]
fn development_settings_storm_with_a_slow_registry() {
    let fs = store(
        json!({"services": {
            "onlineStore": {"server": {"workerConfigs": {"registryTTLSeconds": 5}}},
            "registry": {"local": {"persistence": {"file": {"cache_mode": "sync", "cache_ttl_seconds": 5}}}}
        }}),
        None,
    );
    let d = analyze(&fs, None, Some(&measure(MIB, 1, 250.0)));
    assert!(
        matches!(&d.settings.cache_ttl_seconds.source, Provenance::CrField(p)
        if p == "spec.services.registry.local.persistence.file.cache_ttl_seconds")
    );
    // cache_ttl 5 <= timer 5: the expiry is hit. 250 ms every 5 s = 5% of requests wait.
    assert_eq!(d.storm.blocking_seconds, Some(5.0));
    assert!((d.storm.waiting_share.unwrap() - 0.05).abs() < 1e-12);
    assert_eq!(
        (d.storm.mean_wait_ms, d.storm.max_wait_ms),
        (Some(125.0), Some(250.0))
    );
    assert_eq!(d.storm.level, RiskLevel::High);
    // Online: timer 12/min + expiry 12/min; registry server: 12/min. 1 replica: 36/min.
    assert!((d.refreshes_per_minute - 36.0).abs() < 1e-9);
    // A single copy on short TTLs: development, which it already matches.
    let primary = d.recommendations.iter().find(|r| r.primary).unwrap();
    assert_eq!(primary.scenario, Scenario::Development);
    assert!(primary.changes.is_empty(), "{:?}", primary.changes);
}

#[test]
fn thread_mode_never_blocks() {
    let fs = store(
        json!({"services": {"registry": {"local": {"persistence": {"file": {"cache_mode": "thread", "cache_ttl_seconds": 300}}}}}}),
        None,
    );
    let d = analyze(&fs, None, Some(&measure(MIB, 1, 5000.0)));
    assert_eq!(d.storm.level, RiskLevel::None);
    assert_eq!(d.servers[0].schedule.background_seconds, vec![60.0, 300.0]);
    assert_eq!(d.servers[0].schedule.blocking_seconds, None);
}

#[test]
fn feature_store_yaml_beats_the_default_and_hpa_sets_the_range() {
    let fs = store(
        json!({"services": {
            "scaling": {"autoscaling": {"minReplicas": 2, "maxReplicas": 10}},
            "onlineStore": {"server": {"workerConfigs": {"workers": 4, "registryTTLSeconds": 300}}},
            "registry": {"local": {"persistence": {"store": {"type": "sql", "secretRef": {"name": "s"}}}}}
        }}),
        Some(json!({"scalingStatus": {"currentReplicas": 3}})),
    );
    let yaml = YamlCacheSettings {
        origin: "ConfigMap ml/feast-fs-client".into(),
        cache_mode: Some("sync".into()),
        cache_ttl_seconds: Some(60),
    };
    let d = analyze(&fs, Some(&yaml), Some(&measure(2 * MIB, 2, 50.0)));
    assert_eq!(d.settings.cache_ttl_seconds.value, 60);
    assert_eq!(
        d.settings.cache_ttl_seconds.source,
        Provenance::FeatureStoreYaml("ConfigMap ml/feast-fs-client".into())
    );
    assert_eq!(
        d.replicas,
        Range {
            current: 3,
            min: 2,
            max: 10
        }
    );
    assert_eq!(
        d.servers[0].copies,
        Range {
            current: 12,
            min: 8,
            max: 40
        }
    );
    // 50 ms every 60 s: 0.0833% (< 0.1%) and < 100 ms: low. 12 + 3 copies expire together.
    assert_eq!(d.storm.level, RiskLevel::Low);
    assert_eq!(d.storm.aligned_copies, 15);
    // Scaled: production, low-latency, with the exact places to change.
    let primary = d.recommendations.iter().find(|r| r.primary).unwrap();
    assert_eq!(primary.scenario, Scenario::ProductionLowLatency);
    let fields: Vec<(&str, &str, &str)> = primary
        .changes
        .iter()
        .map(|c| (c.setting.as_str(), c.field.as_str(), c.target.as_str()))
        .collect();
    assert_eq!(
        fields,
        vec![
            (
                "cache_mode",
                "Secret s, key `sql`: registry `cache_mode`",
                "thread"
            ),
            (
                "cache_ttl_seconds",
                "Secret s, key `sql`: registry `cache_ttl_seconds`",
                "300"
            ),
        ]
    );
    let r = row(&d);
    assert_eq!(r.copies, "15 (HPA 10–50)");
    assert!(
        r.recommendation
            .starts_with("Production (low-latency): cache_mode sync → thread"),
        "{}",
        r.recommendation
    );
}

#[test]
fn remote_registry_pods_hold_no_copy() {
    let fs = store(
        json!({"services": {"registry": {"remote": {"hostname": "reg:6570"}}}}),
        None,
    );
    let d = analyze(&fs, None, Some(&measure(MIB, 1, 10.0)));
    assert_eq!(d.copies, Range::default());
    assert_eq!(d.refreshes_per_minute, 0.0);
    assert!(d.recommendations.is_empty());
    assert_eq!(row(&d).copies, "0 (remote registry)");
}

#[test]
fn unmeasured_blocking_is_unknown_risk() {
    let r = storm_risk(Some(60.0), None, 4);
    assert_eq!(r.level, RiskLevel::Unknown);
    assert_eq!(storm_risk(None, None, 4).level, RiskLevel::None);
    // 1 s every 60 s is high whatever the share.
    assert_eq!(
        storm_risk(Some(3600.0), Some(1000.0), 1).level,
        RiskLevel::High
    );
    assert_eq!(
        storm_risk(Some(600.0), Some(120.0), 1).level,
        RiskLevel::Medium
    );
}

#[test]
fn timeline_aligns_copies_started_together() {
    let s = RefreshSchedule {
        background_seconds: vec![],
        blocking_seconds: Some(60.0),
    };
    let events = timeline(&s, 3, 200.0, 600.0);
    // Reads at 60, 120, …, 600 s: 10 rounds of 3 copies, every one blocking, 0.2 s long.
    assert_eq!(events.len(), 30);
    assert!(events
        .iter()
        .all(|e| e.blocking && (e.duration_seconds - 0.2).abs() < 1e-12));
    assert_eq!(
        events[0..3]
            .iter()
            .map(|e| e.start_seconds)
            .collect::<Vec<_>>(),
        vec![60.0; 3]
    );
}

#[test]
fn memory_quantities() {
    assert_eq!(parse_memory("1Gi"), Some(1024 * MIB));
    assert_eq!(parse_memory("512Mi"), Some(512 * MIB));
    assert_eq!(parse_memory("1G"), Some(1_000_000_000));
    assert_eq!(parse_memory("1e9"), Some(1_000_000_000));
    assert_eq!(parse_memory("12345"), Some(12345));
    assert_eq!(parse_memory("lots"), None);
    assert_eq!(parse_memory("-1Mi"), None);
}
