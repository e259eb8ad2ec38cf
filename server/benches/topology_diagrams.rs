//! Benchmark, not a timed test: prints figures, asserts nothing about time.
//!
//!     cargo bench -p server --bench topology_diagrams
//!
//! Targets (issue 7): per-FeatureStore diagram p95 < 100 ms, cached < 1 ms; 200 FeatureStores in
//! 50 namespaces load and classify in < 200 ms.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use app::topology::analyze;
use app::topology::diagram::feature_store_diagram;
use server::topology::diagrams::id_prefix;
use server::topology::manifests::load_paths;
use server::topology::svg::SvgRenderer;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i.min(samples.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// 50 namespaces x 4 FeatureStores: a shared registry in ns-0, tenants using it, isolated HA
/// stores, and Minimal ones, with NetworkPolicies and Ingresses beside them.
fn write_cluster(dir: &std::path::Path) {
    for ns in 0..50 {
        let mut y = String::new();
        for i in 0..4 {
            let name = format!("store-{ns}-{i}");
            let (scaling, registry) = match (ns, i) {
                (0, 0) => ("  replicas: 3\n".to_string(), "      local:\n        persistence: {store: {type: sql}}\n        server: {restAPI: true}\n".to_string()),
                (_, 0) => ("".into(), "      remote:\n        feastRef: {name: store-0-0, namespace: ns-0}\n".into()),
                (_, 3) => ("".into(), "      local: {}\n".into()),
                _ => ("".into(), "      local:\n        persistence: {store: {type: sql}}\n".into()),
            };
            let hpa = if i == 3 {
                ""
            } else {
                "    scaling:\n      autoscaling: {minReplicas: 2, maxReplicas: 10}\n    podDisruptionBudgets: {maxUnavailable: 1}\n"
            };
            let scaling = if i == 3 || (ns, i) == (0, 0) {
                scaling.clone()
            } else {
                String::new()
            };
            let hpa = if (ns, i) == (0, 0) { "" } else { hpa };
            let online = if i == 3 {
                ""
            } else {
                "    onlineStore:\n      persistence: {store: {type: redis}}\n      server: {metrics: true, tls: {secretRef: {name: tls}}}\n"
            };
            let _ = write!(
                y,
                "---\napiVersion: feast.dev/v1\nkind: FeatureStore\nmetadata: {{name: {name}, namespace: ns-{ns}}}\nspec:\n  feastProject: p{ns}_{i}\n  authz: {{kubernetes: {{roles: [reader]}}}}\n{scaling}  services:\n{hpa}{online}    offlineStore:\n      persistence: {{store: {{type: bigquery}}}}\n      server: {{}}\n    registry:\n{registry}"
            );
            let _ = write!(
                y,
                "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: {name}, namespace: ns-{ns}}}\nspec:\n  tls: [{{hosts: [x]}}]\n  rules:\n  - http:\n      paths:\n      - backend: {{service: {{name: feast-{name}-online}}}}\n"
            );
        }
        let _ = write!(y, "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: deny, namespace: ns-{ns}}}\nspec: {{podSelector: {{}}}}\n");
        let sub = dir.join(format!("ns-{ns}"));
        let _ = std::fs::create_dir_all(&sub);
        let _ = std::fs::write(sub.join("stores.yaml"), y);
    }
}

fn main() {
    let dir = std::env::temp_dir().join(format!("fc-topology-bench-{}", std::process::id()));
    write_cluster(&dir);

    let mut load = Vec::new();
    let mut classify = Vec::new();
    let mut total = Vec::new();
    let mut report = None;
    for _ in 0..30 {
        let t0 = Instant::now();
        let snapshot = load_paths(std::slice::from_ref(&dir));
        let t1 = Instant::now();
        let r = analyze(&snapshot);
        let t2 = Instant::now();
        load.push(t1 - t0);
        classify.push(t2 - t1);
        total.push(t2 - t0);
        report = Some(r);
    }
    let report = report.unwrap_or_else(|| analyze(&Default::default()));
    assert_eq!(report.feature_stores.len(), 200, "{:?}", report.errors);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    println!(
        "200 FeatureStores / 50 namespaces: load p50 {:.1} ms, classify p50 {:.1} ms, total p50 {:.1} ms, p95 {:.1} ms (target < 200 ms)",
        ms(percentile(&mut load, 0.5)),
        ms(percentile(&mut classify, 0.5)),
        ms(percentile(&mut total.clone(), 0.5)),
        ms(percentile(&mut total, 0.95))
    );

    let renderer = SvgRenderer::new();
    // The first render loads system fonts (fontdb); measured on its own.
    let first = &report.feature_stores[0];
    let t = Instant::now();
    let _ = renderer.render(&feature_store_diagram(first, &report).source, "warmup-");
    println!(
        "first render (font loading included): {:.1} ms",
        ms(t.elapsed())
    );

    let mut uncached = Vec::new();
    let mut cached = Vec::new();
    let mut generate = Vec::new();
    for f in &report.feature_stores {
        let t0 = Instant::now();
        let d = feature_store_diagram(f, &report);
        generate.push(t0.elapsed());
        let prefix = id_prefix("fs", &f.facts.namespace, &f.facts.name);
        let t1 = Instant::now();
        let svg = renderer.render(&d.source, &prefix);
        uncached.push(t1.elapsed());
        assert!(svg.is_ok());
        let t2 = Instant::now();
        let _ = renderer.render(&d.source, &prefix);
        cached.push(t2.elapsed());
    }
    println!(
        "per-FeatureStore diagram ({} stores): generate p95 {:.3} ms; render p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms (target p95 < 100 ms); cached p95 {:.4} ms (target < 1 ms)",
        report.feature_stores.len(),
        ms(percentile(&mut generate, 0.95)),
        ms(percentile(&mut uncached.clone(), 0.5)),
        ms(percentile(&mut uncached.clone(), 0.95)),
        ms(percentile(&mut uncached, 1.0)),
        ms(percentile(&mut cached, 0.95))
    );
    let _ = std::fs::remove_dir_all(&dir);
}
