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
use sqlx::{Connection, PgConnection, SqliteConnection};

// The objects are those of the catalog's synthetic registry; this bench stores them in Feast's
// SQL schema instead of a file. Only part of the generator is used here.
#[allow(dead_code)]
#[path = "../dev/synthetic_registry.rs"]
mod synthetic;
use synthetic::FEATURES_PER_VIEW;

#[path = "support/counting_alloc.rs"]
mod counting_alloc;
#[path = "support/registry_memory.rs"]
mod registry_memory;

#[global_allocator]
static ALLOCATOR: counting_alloc::Counting = counting_alloc::Counting;

/// Either backend; [`exec!`] runs the same statement on whichever it is.
enum Conn {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

macro_rules! exec {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            Conn::Sqlite($c) => $body,
            Conn::Pg($c) => $body,
        }
    };
}

impl Conn {
    async fn connect(url: &str) -> Result<Conn, sqlx::Error> {
        Ok(if url.starts_with("sqlite:") {
            Conn::Sqlite(SqliteConnection::connect(url).await?)
        } else {
            Conn::Pg(PgConnection::connect(url).await?)
        })
    }

    async fn run(&mut self, sql: String) -> Result<(), sqlx::Error> {
        exec!(self, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(c)
            .await
            .map(|_| ()))
    }

    async fn close(self) -> Result<(), sqlx::Error> {
        exec!(self, |c| c.close().await)
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn ddl(blob: &str) -> Vec<String> {
    let obj = |t: &str, name: &str, blob_col: &str, extra: &str| {
        format!(
            "CREATE TABLE {t} ({name} VARCHAR(255) NOT NULL, project_id VARCHAR(255) NOT NULL, \
             last_updated_timestamp BIGINT NOT NULL, {extra}{blob_col} {blob} NOT NULL, PRIMARY KEY ({name}, project_id))"
        )
    };
    let mut out = vec![
        format!("CREATE TABLE projects (project_id VARCHAR(255) NOT NULL PRIMARY KEY, project_name VARCHAR(255) NOT NULL, last_updated_timestamp BIGINT NOT NULL, project_proto {blob} NOT NULL)"),
        obj("entities", "entity_name", "entity_proto", ""),
        obj("data_sources", "data_source_name", "data_source_proto", ""),
        obj("feature_views", "feature_view_name", "feature_view_proto", &format!("materialized_intervals {blob}, user_metadata {blob}, ")),
        obj("stream_feature_views", "feature_view_name", "feature_view_proto", ""),
        obj("on_demand_feature_views", "feature_view_name", "feature_view_proto", ""),
        obj("label_views", "feature_view_name", "feature_view_proto", ""),
        obj("feature_services", "feature_service_name", "feature_service_proto", ""),
        obj("saved_datasets", "saved_dataset_name", "saved_dataset_proto", ""),
        obj("validation_references", "validation_reference_name", "validation_reference_proto", ""),
        obj("managed_infra", "infra_name", "infra_proto", ""),
        obj("permissions", "permission_name", "permission_proto", ""),
        format!("CREATE TABLE feature_view_version_history (feature_view_name VARCHAR(255) NOT NULL, project_id VARCHAR(255) NOT NULL, version_number INTEGER NOT NULL, feature_view_type VARCHAR(50) NOT NULL, feature_view_proto {blob} NOT NULL, created_timestamp BIGINT NOT NULL, description TEXT, version_id VARCHAR(36) NOT NULL, PRIMARY KEY (feature_view_name, project_id, version_number))"),
        "CREATE TABLE feast_metadata (project_id VARCHAR(255) NOT NULL, metadata_key VARCHAR(50) NOT NULL, metadata_value TEXT NOT NULL, last_updated_timestamp BIGINT NOT NULL, PRIMARY KEY (project_id, metadata_key))".to_string(),
    ];
    for t in [
        "entities",
        "data_sources",
        "feature_views",
        "feature_services",
        "permissions",
    ] {
        out.push(format!(
            "CREATE INDEX idx_{t}_project_id ON {t} (project_id)"
        ));
    }
    out
}

async fn generate(
    conn: &mut Conn,
    blob: &str,
    projects: usize,
    views: usize,
) -> Result<(), sqlx::Error> {
    for stmt in ddl(blob) {
        conn.run(stmt).await?;
    }
    let ts = 1_735_689_600_i64;
    conn.run("BEGIN".into()).await?;
    for p in 0..projects {
        let project = synthetic::project_name(p);
        let project_blob = synthetic::project(p).encode_to_vec();
        let entity = synthetic::entity(&project).encode_to_vec();
        exec!(&mut *conn, |c| {
            sqlx::query("INSERT INTO projects VALUES ($1, $1, $2, $3)")
                .bind(&project)
                .bind(ts)
                .bind(&project_blob)
                .execute(&mut *c)
                .await?;
            sqlx::query("INSERT INTO entities VALUES ('driver', $1, $2, $3)")
                .bind(&project)
                .bind(ts)
                .bind(&entity)
                .execute(&mut *c)
                .await?;
            for v in 0..views {
                let name = synthetic::view_name(v);
                sqlx::query("INSERT INTO feature_views (feature_view_name, project_id, last_updated_timestamp, feature_view_proto) VALUES ($1, $2, $3, $4)")
                    .bind(&name)
                    .bind(&project)
                    .bind(ts)
                    .bind(synthetic::feature_view(&project, v, ts).encode_to_vec())
                    .execute(&mut *c)
                    .await?;
            }
            for key in ["project_uuid", "last_updated_timestamp"] {
                sqlx::query("INSERT INTO feast_metadata VALUES ($1, $2, $3, $4)")
                    .bind(&project)
                    .bind(key)
                    .bind(ts.to_string())
                    .bind(ts)
                    .execute(&mut *c)
                    .await?;
            }
        });
    }
    conn.run("COMMIT".into()).await
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
