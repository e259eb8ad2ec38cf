//! Where a loaded registry's bytes go: heap bytes live after each stage of a load and of what
//! the server derives per snapshot, per feature view. Counted by the bench's global allocator
//! ([`super::counting_alloc`]), so the figures are requested bytes; resident memory beside them
//! adds the allocator's rounding and fragmentation.

use std::sync::Arc;

use app::catalog::model::CatalogObject;
use app::catalog::search_index::SearchIndex;
use server::catalog::visibility::VisibilityCache;
use server::registry::decode::{decode_blob, BlobKind};
use server::registry::sql::SqlReader;
use sqlx::{Connection, SqliteConnection};

use super::counting_alloc::live;

struct Stages {
    views: usize,
    last: (usize, usize),
}

impl Stages {
    fn new(views: usize) -> Stages {
        Stages {
            views,
            last: live(),
        }
    }

    /// Prints what is live now beyond the previous mark, and moves the mark.
    fn mark(&mut self, what: &str) {
        let now = live();
        let bytes = now.0 as i64 - self.last.0 as i64;
        let blocks = now.1 as i64 - self.last.1 as i64;
        println!(
            "| {what} | {:.1} MB | {blocks} | {:.0} B |",
            bytes as f64 / 1e6,
            bytes as f64 / self.views.max(1) as f64
        );
        self.last = now;
    }

    fn reset(&mut self) {
        self.last = live();
    }
}

/// Attributes the heap of one SQLite registry of `views` feature views (run it apart from the
/// timed load: it reads the registry several times).
pub async fn attribute(
    path: &std::path::Path,
    views: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    println!("[memory] heap live per stage ({views} feature views):");
    println!("| stage | heap | blocks | per view |");
    println!("|---|---|---|---|");
    let mut stages = Stages::new(views);
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}", path.display())).await?;
    let rows: Vec<(String, String, i64, Vec<u8>)> = sqlx::query_as(
        "SELECT project_id, feature_view_name, last_updated_timestamp, feature_view_proto FROM feature_views",
    )
    .fetch_all(&mut conn)
    .await?;
    conn.close().await?;
    stages.mark("feature_views rows read whole (keys + blobs)");
    let decoded: Vec<CatalogObject> = rows
        .iter()
        .map(|(p, n, _, blob)| decode_blob(BlobKind::FeatureView, p, n, blob))
        .collect();
    stages.mark("the same rows decoded (CatalogObject each)");
    drop(rows);
    drop(decoded);
    stages.reset();

    let mut reader = SqlReader::open_sqlite(path, path.display().to_string()).await?;
    let snapshot = Arc::new(
        reader
            .refresh()
            .await?
            .ok_or("first read returned nothing")?,
    );
    stages.mark("reader full load: snapshot + reader cache (all tables)");
    let index = SearchIndex::build(vec![("bench".to_string(), snapshot.objects.clone())]);
    stages.mark("search index (render's)");
    let mut by_name: Vec<(usize, Arc<CatalogObject>)> =
        snapshot.objects.iter().map(|o| (0, o.clone())).collect();
    by_name.sort_by(|(_, a), (_, b)| (&a.name, &a.project).cmp(&(&b.name, &b.project)));
    stages.mark("name order for list pages");
    let visibility = VisibilityCache::new(usize::MAX);
    let decision = visibility.decision(&snapshot, None);
    stages.mark("visibility: snapshot index + one identity's decision");
    drop((index, by_name, decision, visibility));
    stages.reset();
    let weak = Arc::downgrade(&snapshot);
    drop(snapshot);
    debug_assert!(weak.upgrade().is_none());
    stages.mark("snapshot dropped (the reader cache keeps the objects)");
    drop(reader);
    stages.mark("reader dropped");
    Ok(())
}
