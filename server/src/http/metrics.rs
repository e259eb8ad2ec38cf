//! Request counts and latency histograms by route, in Prometheus text format. Small enough
//! that a metrics crate would add more than it saves.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt::Write,
    sync::Mutex,
    time::Duration,
};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Distinct route labels kept; later ones share "other". Routes are the router's templates
/// (plus "/pkg/*" and "unmatched", see `layers::track_request`), far fewer than this: the cap
/// only guards against a caller that passes raw paths.
const MAX_ROUTES: usize = 256;

/// The methods counted under their own name; any other shares "OTHER". Anyone can send any
/// method token without signing in, so the label must not come from the request as is.
const KNOWN_METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE",
];

/// The method's label: itself if known, else "OTHER".
fn method_label(method: &str) -> &'static str {
    KNOWN_METHODS
        .iter()
        .find(|m| **m == method)
        .copied()
        .unwrap_or("OTHER")
}

#[derive(Default)]
struct Series {
    /// Requests by status code.
    count_by_status: BTreeMap<u16, u64>,
    /// Non-cumulative counts per bucket; the last slot is +Inf.
    buckets: [u64; BUCKETS.len() + 1],
    sum_seconds: f64,
    count: u64,
}

#[derive(Default)]
struct SeriesMap {
    series: BTreeMap<(&'static str, String), Series>,
    /// The route labels in `series`, counted against `MAX_ROUTES`.
    routes: BTreeSet<String>,
}

#[derive(Default)]
pub struct HttpMetrics {
    /// Keyed by (method label, route label). Bounded: at most 10 methods (`KNOWN_METHODS` and
    /// "OTHER") × (`MAX_ROUTES` + 1 routes), and per series at most 900 status codes (what
    /// `StatusCode` can hold, 100..=999; in practice the handful the console answers).
    series: Mutex<SeriesMap>,
    /// Latest recovery round, one entry per component (see `recovery::runner`).
    recovery: Mutex<Vec<RecoveryGauge>>,
}

/// One component's recovery figures for the gauges; None leaves the series out.
#[derive(Clone, Debug)]
pub struct RecoveryGauge {
    pub component: &'static str,
    pub rpo_seconds: Option<u64>,
    pub rto_seconds: Option<u64>,
    /// 0 met, 1 at risk, 2 breached, 3 unknown.
    pub status: u8,
}

impl HttpMetrics {
    pub fn record(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        let mut map = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let method = method_label(method);
        let route = if map.routes.contains(route) || map.routes.len() < MAX_ROUTES {
            route
        } else {
            "other"
        };
        if !map.routes.contains(route) {
            map.routes.insert(route.to_string());
        }
        let s = map.series.entry((method, route.to_string())).or_default();
        *s.count_by_status.entry(status).or_default() += 1;
        let slot = BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BUCKETS.len());
        s.buckets[slot] += 1;
        s.sum_seconds += secs;
        s.count += 1;
    }

    pub fn set_recovery(&self, gauges: Vec<RecoveryGauge>) {
        *self.recovery.lock().unwrap_or_else(|p| p.into_inner()) = gauges;
    }

    fn render_recovery(&self, out: &mut String) {
        let gauges = self.recovery.lock().unwrap_or_else(|p| p.into_inner());
        if gauges.is_empty() {
            return;
        }
        // Name, help and value of each gauge; a component without a value is left out.
        type Value = fn(&RecoveryGauge) -> Option<u64>;
        let series: [(&str, &str, Value); 3] = [
            (
                "feast_console_rpo_seconds",
                "Achieved recovery point (data at risk) by component.",
                |g| g.rpo_seconds,
            ),
            (
                "feast_console_rto_estimate_seconds",
                "Estimated time to recover by component.",
                |g| g.rto_seconds,
            ),
            (
                "feast_console_recovery_status",
                "Recovery status by component: 0 met, 1 at risk, 2 breached, 3 unknown.",
                |g| Some(u64::from(g.status)),
            ),
        ];
        for (name, help, value) in series {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} gauge");
            for g in gauges.iter() {
                if let Some(v) = value(g) {
                    let _ = writeln!(out, "{name}{{component=\"{}\"}} {v}", g.component);
                }
            }
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        self.render_recovery(&mut out);
        let map = self.series.lock().unwrap_or_else(|p| p.into_inner());
        out.push_str(
            "# HELP feast_console_http_requests_total HTTP requests by method, route and status.\n",
        );
        out.push_str("# TYPE feast_console_http_requests_total counter\n");
        for ((method, route), s) in map.series.iter() {
            for (status, n) in &s.count_by_status {
                let _ = writeln!(
                    out,
                    "feast_console_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str("# HELP feast_console_http_request_duration_seconds HTTP request latency by method and route.\n");
        out.push_str("# TYPE feast_console_http_request_duration_seconds histogram\n");
        for ((method, route), s) in map.series.iter() {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
            let mut cumulative = 0;
            for (i, bound) in BUCKETS.iter().enumerate() {
                cumulative += s.buckets[i];
                let _ = writeln!(out, "feast_console_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}");
            }
            cumulative += s.buckets[BUCKETS.len()];
            let _ = writeln!(out, "feast_console_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {cumulative}");
            let _ = writeln!(
                out,
                "feast_console_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum_seconds
            );
            let _ = writeln!(
                out,
                "feast_console_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        out
    }
}

pub(crate) fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative_and_counts_match() {
        let m = HttpMetrics::default();
        m.record("GET", "/catalog", 200, Duration::from_millis(3));
        m.record("GET", "/catalog", 200, Duration::from_millis(30));
        m.record("GET", "/catalog", 500, Duration::from_secs(20));
        let text = m.render();
        assert!(text.contains(
            r#"feast_console_http_requests_total{method="GET",route="/catalog",status="200"} 2"#
        ));
        assert!(text.contains(
            r#"feast_console_http_requests_total{method="GET",route="/catalog",status="500"} 1"#
        ));
        assert!(text.contains(r#"feast_console_http_request_duration_seconds_bucket{method="GET",route="/catalog",le="0.005"} 1"#));
        assert!(text.contains(r#"feast_console_http_request_duration_seconds_bucket{method="GET",route="/catalog",le="0.05"} 2"#));
        assert!(text.contains(r#"feast_console_http_request_duration_seconds_bucket{method="GET",route="/catalog",le="+Inf"} 3"#));
        assert!(text.contains(
            r#"feast_console_http_request_duration_seconds_count{method="GET",route="/catalog"} 3"#
        ));
    }

    #[test]
    fn recovery_gauges_by_component() {
        let m = HttpMetrics::default();
        assert!(!m.render().contains("feast_console_recovery_status"));
        m.set_recovery(vec![RecoveryGauge {
            component: "registry_db",
            rpo_seconds: Some(42),
            rto_seconds: None,
            status: 2,
        }]);
        let text = m.render();
        assert!(text.contains("feast_console_rpo_seconds{component=\"registry_db\"} 42"));
        assert!(text.contains("feast_console_recovery_status{component=\"registry_db\"} 2"));
        assert!(!text.contains("feast_console_rto_estimate_seconds{"));
    }

    /// Made-up methods and routes arrive without sign-in; each must not add a series.
    #[test]
    fn made_up_methods_and_routes_share_bounded_labels() {
        let m = HttpMetrics::default();
        for i in 0..1000 {
            m.record(
                &format!("FOO{i}"),
                "/healthz",
                405,
                Duration::from_millis(1),
            );
            m.record(
                "GET",
                &format!("/made-up/{i}"),
                404,
                Duration::from_millis(1),
            );
        }
        m.record("GET", "/healthz", 200, Duration::from_millis(1));
        let text = m.render();
        let series = text
            .lines()
            .filter(|l| l.starts_with("feast_console_http_requests_total{"))
            .count();
        // One per route up to the cap, then one for the rest; plus the two /healthz series.
        assert!(series <= MAX_ROUTES + 1 + 2, "{series} series");
        assert!(text.contains(r#"route="other""#), "{text}");
        assert!(text.contains(
            r#"feast_console_http_requests_total{method="OTHER",route="/healthz",status="405"} 1000"#
        ), "{text}");
        assert!(
            text.contains(
                r#"feast_console_http_requests_total{method="GET",route="/healthz",status="200"} 1"#
            ),
            "{text}"
        );
        assert!(!text.contains("FOO"), "{text}");
    }

    #[test]
    fn labels_are_escaped() {
        let m = HttpMetrics::default();
        m.record("GET", "a\"b", 200, Duration::from_millis(1));
        assert!(m.render().contains(r#"route="a\"b""#));
    }
}
