//! Closed-loop load generator for `scripts/figures.sh`; a dev tool, not a command of the
//! shipped binary:
//!
//! `cargo run -p server --example load -- --base http://127.0.0.1:3000 mix --seconds 60 --path /catalog --user ada-admin`
//! `cargo run -p server --example load -- --base http://127.0.0.1:3000 distinct --requests 100000`
//!
//! `mix`: each connection sends the next page of the list as the next demo user (the
//! `fc_demo_user` cookie of development mode) as soon as the previous answer is read; any
//! answer but 200 is an error. `distinct`: every request has its own method, path, query and
//! cookies, to show what the server keeps per distinct request; only a 5xx or a failed
//! connection is an error there. Prints one `load ...` line of `key=value` figures.

use std::{
    collections::BTreeMap,
    process::ExitCode,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use clap::{Parser, Subcommand};
use reqwest::{header, Client, Method};

#[derive(Parser, Debug)]
struct Args {
    /// The console, e.g. http://127.0.0.1:3000
    #[arg(long)]
    base: String,
    /// Requests in flight at once (one per connection).
    #[arg(long, default_value_t = 32)]
    connections: usize,
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Subcommand, Debug, Clone)]
enum Mode {
    /// Pages as demo users, for a time.
    Mix {
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// A page path (with its query); repeat for each page of the mix.
        #[arg(long = "path", required = true)]
        paths: Vec<String>,
        /// A demo user id; repeat for each user.
        #[arg(long = "user", required = true)]
        users: Vec<String>,
        /// Stop early once this file exists (the fault run ends when its checks are done).
        #[arg(long)]
        stop_file: Option<std::path::PathBuf>,
    },
    /// A number of requests, each distinct.
    Distinct {
        #[arg(long, default_value_t = 100_000)]
        requests: u64,
    },
}

/// What one connection saw.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    statuses: BTreeMap<String, u64>,
    errors: u64,
    first_errors: Vec<String>,
}

impl Tally {
    fn record(
        &mut self,
        started: Instant,
        outcome: Result<u16, String>,
        is_error: bool,
        what: &str,
    ) {
        self.latencies.push(started.elapsed());
        let key = match &outcome {
            Ok(status) => status.to_string(),
            Err(_) => "failed".to_string(),
        };
        *self.statuses.entry(key).or_default() += 1;
        if is_error {
            self.errors += 1;
            if self.first_errors.len() < 5 {
                let why = match outcome {
                    Ok(status) => format!("{status}"),
                    Err(e) => e,
                };
                self.first_errors.push(format!("{what}: {why}"));
            }
        }
    }

    fn merge(&mut self, other: Tally) {
        self.latencies.extend(other.latencies);
        for (k, v) in other.statuses {
            *self.statuses.entry(k).or_default() += v;
        }
        self.errors += other.errors;
        let room = 5usize.saturating_sub(self.first_errors.len());
        self.first_errors
            .extend(other.first_errors.into_iter().take(room));
    }
}

/// Sends one request and reads the whole body; the status, or why there was none.
async fn send(client: &Client, method: Method, url: &str, cookie: &str) -> Result<u16, String> {
    let response = client
        .request(method, url)
        .header(header::COOKIE, cookie)
        .send()
        .await
        .map_err(|e| format!("{e}"))?;
    let status = response.status().as_u16();
    response.bytes().await.map_err(|e| format!("{e}"))?;
    Ok(status)
}

async fn mix_connection(
    client: Client,
    base: Arc<str>,
    paths: Arc<[String]>,
    users: Arc<[String]>,
    next: Arc<AtomicU64>,
    until: Instant,
    stop_file: Option<Arc<std::path::Path>>,
) -> Tally {
    let mut tally = Tally::default();
    while Instant::now() < until && !stop_file.as_deref().is_some_and(std::path::Path::exists) {
        let n = next.fetch_add(1, Ordering::Relaxed) as usize;
        let path = &paths[n % paths.len()];
        let user = &users[(n / paths.len()) % users.len()];
        let started = Instant::now();
        let outcome = send(
            &client,
            Method::GET,
            &format!("{base}{path}"),
            &format!("fc_demo_user={user}"),
        )
        .await;
        let is_error = outcome != Ok(200);
        tally.record(started, outcome, is_error, &format!("{user} GET {path}"));
    }
    tally
}

/// Request `n` of the distinct run: its own method, path, query and cookies.
fn distinct_request(n: u64) -> (Method, String, String) {
    const METHODS: [&str; 8] = [
        "GET", "GET", "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS",
    ];
    let method = match n % 10 {
        // A made-up method name of its own (metrics count these as OTHER).
        9 => Method::from_bytes(format!("M{n}").as_bytes()).unwrap_or(Method::GET),
        i => Method::from_bytes(METHODS[i as usize % METHODS.len()].as_bytes())
            .unwrap_or(Method::GET),
    };
    let path = match n % 7 {
        0 => format!("/catalog/feature-views?name=n{n}&page={n}&sort=-updated"),
        1 => format!("/search?q=driver+{n}"),
        2 => format!("/registries/r{n}/projects/p{n}"),
        3 => format!("/no/such/page/{n}?x={n}"),
        4 => format!("/api/viewer/catalog_list{n}"),
        5 => format!("/catalog/entities?tag=team%3D{n}&owner=o{n}"),
        _ => format!("/topology/ns{n}/fs{n}?q={n}"),
    };
    let user = ["ada-admin", "sam-sre", "vic-viewer", "nobody"][(n % 4) as usize];
    let cookie = format!("fc_session=s{n}; fc_demo_user={user}; c{n}=v{n}");
    (method, path, cookie)
}

async fn distinct_connection(
    client: Client,
    base: Arc<str>,
    next: Arc<AtomicU64>,
    total: u64,
) -> Tally {
    let mut tally = Tally::default();
    loop {
        let n = next.fetch_add(1, Ordering::Relaxed);
        if n >= total {
            return tally;
        }
        let (method, path, cookie) = distinct_request(n);
        let what = format!("{method} {path}");
        let started = Instant::now();
        let outcome = send(&client, method, &format!("{base}{path}"), &cookie).await;
        let is_error = !matches!(outcome, Ok(status) if status < 500);
        tally.record(started, outcome, is_error, &what);
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = match Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(args.connections)
        .timeout(Duration::from_secs(30))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cannot build the HTTP client: {e}");
            return ExitCode::FAILURE;
        }
    };
    let base: Arc<str> = Arc::from(args.base.trim_end_matches('/'));
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    let mode_name = match &args.mode {
        Mode::Mix {
            seconds,
            paths,
            users,
            stop_file,
        } => {
            let stop_file: Option<Arc<std::path::Path>> = stop_file.as_deref().map(Arc::from);
            let until = started + Duration::from_secs(*seconds);
            let paths: Arc<[String]> = paths.clone().into();
            let users: Arc<[String]> = users.clone().into();
            for _ in 0..args.connections.max(1) {
                tasks.push(tokio::spawn(mix_connection(
                    client.clone(),
                    base.clone(),
                    paths.clone(),
                    users.clone(),
                    next.clone(),
                    until,
                    stop_file.clone(),
                )));
            }
            "mix"
        }
        Mode::Distinct { requests } => {
            for _ in 0..args.connections.max(1) {
                tasks.push(tokio::spawn(distinct_connection(
                    client.clone(),
                    base.clone(),
                    next.clone(),
                    *requests,
                )));
            }
            "distinct"
        }
    };
    let mut tally = Tally::default();
    for task in tasks {
        match task.await {
            Ok(t) => tally.merge(t),
            Err(e) => {
                eprintln!("a connection task failed: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    tally.latencies.sort_unstable();
    let requests = tally.latencies.len();
    let statuses = tally
        .statuses
        .iter()
        .map(|(k, v)| format!("{k}:{v}"))
        .collect::<Vec<_>>()
        .join(",");
    println!(
        "load mode={mode_name} requests={requests} errors={} seconds={elapsed:.1} rps={:.0} p50_ms={:.1} p99_ms={:.1} statuses={statuses}",
        tally.errors,
        requests as f64 / elapsed.max(0.001),
        percentile(&tally.latencies, 0.50),
        percentile(&tally.latencies, 0.99),
    );
    for e in &tally.first_errors {
        eprintln!("error: {e}");
    }
    ExitCode::SUCCESS
}
