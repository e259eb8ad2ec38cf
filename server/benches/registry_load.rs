//! Registry load benchmark (not a timed test): `cargo bench -p server --bench registry_load`.
//!
//! Generates a synthetic registry in Feast's SQL schema (50 projects, 10,000 feature views,
//! 100,000 features, plus entities, sources, services and permissions) in SQLite, and in
//! PostgreSQL too when FC_TEST_PG_URL is set; then reports a full load, a no-change refresh,
//! a refresh after one changed row (and how many blobs it fetched), and resident memory.
//! Sizes can be scaled with FC_BENCH_PROJECTS / FC_BENCH_VIEWS_PER_PROJECT. Then, on SQLite, it
//! attributes the heap to each stage of a load and to what the server derives per snapshot
//! (`support/registry_memory.rs`, counted by the allocator of `support/counting_alloc.rs`).

use std::time::{Duration, Instant, SystemTime};

use prost::Message;
use server::registry::sql::SqlReader;

// The objects are those of the catalog's synthetic registry; this bench stores them in Feast's
// SQL schema instead of a file. Only part of the generator is used here.
#[allow(dead_code)]
#[path = "../dev/synthetic_registry.rs"]
mod synthetic;
use synthetic::FEATURES_PER_VIEW;
// Feast's SQL schema, written once for this bench and `examples/synthetic_sql_registry.rs`.
#[macro_use]
#[path = "../dev/synthetic_sql.rs"]
mod synthetic_sql;
use synthetic_sql::{generate, Conn};

#[path = "support/counting_alloc.rs"]
mod counting_alloc;
#[path = "support/registry_memory.rs"]
mod registry_memory;

#[global_allocator]
static ALLOCATOR: counting_alloc::Counting = counting_alloc::Counting;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn rss_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

async fn measure(
    label: &str,
    mut reader: SqlReader,
    url: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let (rss_before, _) = rss_kib();
    let t = Instant::now();
    let snapshot = reader
        .refresh()
        .await?
        .ok_or("first read returned nothing")?;
    let full = t.elapsed();
    let features: usize = snapshot
        .objects
        .iter()
        .map(|o| match &o.detail {
            app::catalog::model::Detail::View(v) => v.features.len(),
            _ => 0,
        })
        .sum();
    let (rss_after, hwm) = rss_kib();
    println!(
        "[{label}] full load: {:.0} ms for {} projects, {} objects, {features} features ({} blobs read)",
        ms(full), snapshot.projects.len(), snapshot.objects.len(), reader.last_blob_rows
    );
    println!(
        "[{label}] resident memory: {} MiB after load ({} MiB before, peak {} MiB)",
        rss_after / 1024,
        rss_before / 1024,
        hwm / 1024
    );

    let t = Instant::now();
    let unchanged = reader.refresh().await?;
    println!(
        "[{label}] refresh, nothing changed: {:.1} ms (new snapshot: {})",
        ms(t.elapsed()),
        unchanged.is_some()
    );

    let mut conn = Conn::connect(url).await?;
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)?
        .as_secs() as i64;
    let mut edited = synthetic::feature_view("project_07", 42, now);
    if let Some(spec) = edited.spec.as_mut() {
        spec.description = "edited".into();
    }
    let blob = edited.encode_to_vec();
    exec!(&mut conn, |c| {
        sqlx::query("UPDATE feature_views SET feature_view_proto = $1, last_updated_timestamp = $2 WHERE project_id = 'project_07' AND feature_view_name = 'view_0042'")
        .bind(&blob)
        .bind(now)
        .execute(&mut *c)
        .await
        .map(|_| ())
    })?;
    conn.close().await?;
    let t = Instant::now();
    let changed = reader.refresh().await?.ok_or("change not seen")?;
    let took = t.elapsed();
    let edited = changed
        .objects
        .iter()
        .any(|o| o.name == "view_0042" && o.project == "project_07" && o.description == "edited");
    println!("[{label}] refresh after one changed row: {:.1} ms, {} blob row(s) fetched, change visible: {edited}", ms(took), reader.last_blob_rows);
    drop(snapshot);
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let projects = env_usize("FC_BENCH_PROJECTS", 50);
    let views = env_usize("FC_BENCH_VIEWS_PER_PROJECT", 200);
    println!("synthetic registry: {projects} projects x {views} feature views x {FEATURES_PER_VIEW} features");

    let dir = std::env::temp_dir().join(format!("fc-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("registry.sqlite");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let t = Instant::now();
    let mut conn = Conn::connect(&url).await?;
    generate(&mut conn, "BLOB", projects, views).await?;
    conn.close().await?;
    println!(
        "[sqlite] generated in {:.1} s ({} MiB)",
        t.elapsed().as_secs_f64(),
        std::fs::metadata(&path)?.len() / (1 << 20)
    );
    let reader = SqlReader::open_sqlite(&path, path.display().to_string()).await?;
    measure("sqlite", reader, &url).await?;
    registry_memory::attribute(&path, projects * views).await?;
    let _ = std::fs::remove_dir_all(&dir);

    if let Ok(admin) = std::env::var("FC_TEST_PG_URL") {
        let db = format!("fc_bench_{}", std::process::id());
        let mut conn = Conn::connect(&admin).await?;
        conn.run(format!("CREATE DATABASE {db}")).await?;
        conn.close().await?;
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
        let url = format!("{base}/{db}");
        let t = Instant::now();
        let mut conn = Conn::connect(&url).await?;
        generate(&mut conn, "BYTEA", projects, views).await?;
        conn.close().await?;
        println!("[postgres] generated in {:.1} s", t.elapsed().as_secs_f64());
        let reader = SqlReader::open_postgres(&url, url.clone()).await?;
        measure("postgres", reader, &url).await?;
        let mut conn = Conn::connect(&admin).await?;
        conn.run(format!("DROP DATABASE {db} WITH (FORCE)")).await?;
    } else {
        println!("[postgres] skipped: FC_TEST_PG_URL not set");
    }
    Ok(())
}
