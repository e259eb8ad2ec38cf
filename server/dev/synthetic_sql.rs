//! The synthetic registry (`synthetic_registry.rs`) stored as Feast's SQL registry: Feast's
//! tables and columns (`feast/infra/registry/sql.py`, 0.67) holding Feast's protobufs, in a
//! SQLite file or a PostgreSQL database, so the console and Feast itself read the same rows.
//! Test data, not in the shipped binary: `benches/registry_load.rs` and
//! `examples/synthetic_sql_registry.rs` include this file with `#[path]`, beside
//! `synthetic_registry.rs` included as `synthetic` (this file names it `super::synthetic`).
//!
//! Per project, as the file registry has them: one entity, one data source, `views` feature
//! views and one feature service, plus the `feast_metadata` rows Feast writes. Row timestamps are
//! the objects' creation time, so a console's refresh finds nothing new until a row changes.

use prost::Message;
use sqlx::{Connection, PgConnection, SqliteConnection};

use super::synthetic;

/// `last_updated_timestamp` of every row: 2025-01-01T00:00:00Z, the objects' creation time.
pub const ROW_TIMESTAMP: i64 = 1_735_689_600;

/// Either backend; [`exec!`] runs the same statement on whichever it is.
pub enum Conn {
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
    /// `sqlite:` URLs open SQLite (add `?mode=rwc` to create the file), any other PostgreSQL.
    pub async fn connect(url: &str) -> Result<Conn, sqlx::Error> {
        Ok(if url.starts_with("sqlite:") {
            Conn::Sqlite(SqliteConnection::connect(url).await?)
        } else {
            Conn::Pg(PgConnection::connect(url).await?)
        })
    }

    pub async fn run(&mut self, sql: String) -> Result<(), sqlx::Error> {
        exec!(self, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(c)
            .await
            .map(|_| ()))
    }

    pub async fn close(self) -> Result<(), sqlx::Error> {
        exec!(self, |c| c.close().await)
    }

    /// The column type of a protobuf: Feast's `LargeBinary` on this backend.
    #[allow(dead_code, reason = "the bench names its column types itself")]
    pub fn blob_type(&self) -> &'static str {
        match self {
            Conn::Sqlite(_) => "BLOB",
            Conn::Pg(_) => "BYTEA",
        }
    }

    async fn insert_object(
        &mut self,
        table: &str,
        name_col: &str,
        blob_col: &str,
        name: &str,
        project: &str,
        blob: &[u8],
    ) -> Result<(), sqlx::Error> {
        let sql = format!(
            "INSERT INTO {table} ({name_col}, project_id, last_updated_timestamp, {blob_col}) VALUES ($1, $2, $3, $4)"
        );
        exec!(self, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(name)
            .bind(project)
            .bind(ROW_TIMESTAMP)
            .bind(blob)
            .execute(&mut *c)
            .await
            .map(|_| ()))
    }
}

/// Feast's tables, as its `metadata.create_all` makes them (`blob` is the protobuf column type).
pub fn ddl(blob: &str) -> Vec<String> {
    let obj = |t: &str, name: &str, blob_col: &str, extra: &str| {
        format!(
            "CREATE TABLE {t} ({name} VARCHAR(255) NOT NULL, project_id VARCHAR(255) NOT NULL, \
             last_updated_timestamp BIGINT NOT NULL, {extra}{blob_col} {blob} NOT NULL, PRIMARY KEY ({name}, project_id))"
        )
    };
    let view_extra = format!("user_metadata {blob}, ");
    let mut out = vec![
        format!("CREATE TABLE projects (project_id VARCHAR(255) NOT NULL PRIMARY KEY, project_name VARCHAR(255) NOT NULL, last_updated_timestamp BIGINT NOT NULL, project_proto {blob} NOT NULL)"),
        obj("entities", "entity_name", "entity_proto", ""),
        obj("data_sources", "data_source_name", "data_source_proto", ""),
        obj("feature_views", "feature_view_name", "feature_view_proto", &format!("materialized_intervals {blob}, user_metadata {blob}, ")),
        obj("stream_feature_views", "feature_view_name", "feature_view_proto", &view_extra),
        obj("on_demand_feature_views", "feature_view_name", "feature_view_proto", &view_extra),
        obj("label_views", "feature_view_name", "feature_view_proto", &view_extra),
        obj("feature_services", "feature_service_name", "feature_service_proto", ""),
        obj("saved_datasets", "saved_dataset_name", "saved_dataset_proto", ""),
        obj("validation_references", "validation_reference_name", "validation_reference_proto", ""),
        obj("managed_infra", "infra_name", "infra_proto", ""),
        obj("permissions", "permission_name", "permission_proto", ""),
        format!("CREATE TABLE feature_view_version_history (feature_view_name VARCHAR(255) NOT NULL, project_id VARCHAR(255) NOT NULL, version_number INTEGER NOT NULL, feature_view_type VARCHAR(50) NOT NULL, feature_view_proto {blob} NOT NULL, created_timestamp BIGINT NOT NULL, description TEXT, version_id VARCHAR(36) NOT NULL, PRIMARY KEY (feature_view_name, project_id, version_number))"),
        "CREATE TABLE feast_metadata (project_id VARCHAR(255) NOT NULL, metadata_key VARCHAR(50) NOT NULL, metadata_value TEXT NOT NULL, last_updated_timestamp BIGINT NOT NULL, PRIMARY KEY (project_id, metadata_key))".to_string(),
    ];
    for t in [
        "projects",
        "entities",
        "data_sources",
        "feature_views",
        "stream_feature_views",
        "on_demand_feature_views",
        "label_views",
        "feature_services",
        "saved_datasets",
        "validation_references",
        "managed_infra",
        "permissions",
        "feast_metadata",
    ] {
        out.push(format!(
            "CREATE INDEX idx_{t}_project_id ON {t} (project_id)"
        ));
    }
    out.push("CREATE INDEX idx_fv_version_history_project_id ON feature_view_version_history (project_id)".into());
    out
}

/// Creates Feast's tables in the empty database behind `conn` and writes `projects` projects of
/// `views` feature views each, in one transaction; `blob` is the protobuf column type
/// ([`Conn::blob_type`]). Half the views were materialized an hour before now, half ten days
/// before (see `synthetic::feature_view`).
pub async fn generate(
    conn: &mut Conn,
    blob: &str,
    projects: usize,
    views: usize,
) -> Result<(), sqlx::Error> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(ROW_TIMESTAMP);
    for stmt in ddl(blob) {
        conn.run(stmt).await?;
    }
    conn.run("BEGIN".into()).await?;
    for p in 0..projects {
        let project = synthetic::project_name(p);
        let project_blob = synthetic::project(p).encode_to_vec();
        exec!(&mut *conn, |c| sqlx::query(
            "INSERT INTO projects VALUES ($1, $1, $2, $3)"
        )
        .bind(&project)
        .bind(ROW_TIMESTAMP)
        .bind(&project_blob)
        .execute(&mut *c)
        .await
        .map(|_| ()))?;
        let entity = synthetic::entity(&project);
        let source = synthetic::data_source(&project);
        let service = synthetic::feature_service(&project, views);
        let one_each = [
            (
                "entities",
                "entity_name",
                "entity_proto",
                "driver",
                entity.encode_to_vec(),
            ),
            (
                "data_sources",
                "data_source_name",
                "data_source_proto",
                source.name.as_str(),
                source.encode_to_vec(),
            ),
            (
                "feature_services",
                "feature_service_name",
                "feature_service_proto",
                "driver_service",
                service.encode_to_vec(),
            ),
        ];
        for (table, name_col, blob_col, name, blob) in one_each {
            conn.insert_object(table, name_col, blob_col, name, &project, &blob)
                .await?;
        }
        for v in 0..views {
            let blob = synthetic::feature_view(&project, v, now).encode_to_vec();
            let name = synthetic::view_name(v);
            conn.insert_object(
                "feature_views",
                "feature_view_name",
                "feature_view_proto",
                &name,
                &project,
                &blob,
            )
            .await?;
        }
        for (key, value) in [
            ("project_uuid", format!("synthetic-{project}")),
            ("last_updated_timestamp", ROW_TIMESTAMP.to_string()),
        ] {
            exec!(&mut *conn, |c| sqlx::query(
                "INSERT INTO feast_metadata VALUES ($1, $2, $3, $4)"
            )
            .bind(&project)
            .bind(key)
            .bind(&value)
            .bind(ROW_TIMESTAMP)
            .execute(&mut *c)
            .await
            .map(|_| ()))?;
        }
    }
    conn.run("COMMIT".into()).await
}
