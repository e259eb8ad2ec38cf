//! What a SQL registry's snapshots share: a refresh keeps the allocation of every object it
//! did not change (also when a row was rewritten with the same content), and objects decoded
//! together share their repeated strings.

use crate::registry::fixtures;

use std::sync::Arc;
use std::time::SystemTime;

use app::catalog::model::{CatalogObject, Detail, ObjectKind};
use app::util::shared_str::SharedStr;
use prost::Message;
use server::registry::{proto, sql::SqlReader, RegistrySnapshot};
use sqlx::Connection;

const EDITED: &str = "driver_hourly_stats";

fn same_allocation(before: &RegistrySnapshot, after: &RegistrySnapshot, except: &str) {
    for o in after.objects.iter().filter(|o| o.name != except) {
        assert!(
            before.objects.iter().any(|b| Arc::ptr_eq(b, o)),
            "{} {} was copied, not shared",
            o.kind.as_str(),
            o.name
        );
    }
    let edited = |s: &RegistrySnapshot| -> Arc<CatalogObject> {
        s.objects
            .iter()
            .find(|o| o.name == except)
            .cloned()
            .expect("edited view")
    };
    assert!(!Arc::ptr_eq(&edited(before), &edited(after)));
}

async fn edit_view(conn: &mut sqlx::SqliteConnection, description: &str, touch_all: bool) {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let blob: Vec<u8> = sqlx::query_scalar(
        "SELECT feature_view_proto FROM feature_views WHERE feature_view_name = $1",
    )
    .bind(EDITED)
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    let mut view = proto::FeatureView::decode(blob.as_slice()).unwrap();
    view.spec.as_mut().unwrap().description = description.into();
    if touch_all {
        // What `feast apply` does to rows it rewrites unchanged: a new timestamp.
        sqlx::query("UPDATE feature_views SET last_updated_timestamp = $1")
            .bind(now + 1)
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    sqlx::query("UPDATE feature_views SET feature_view_proto = $1, last_updated_timestamp = $2 WHERE feature_view_name = $3")
        .bind(view.encode_to_vec())
        .bind(now + 1)
        .bind(EDITED)
        .execute(&mut *conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn registry_refresh_keeps_unchanged_objects_and_shares_strings() {
    let path = fixtures::scratch_copy(&fixtures::demo_sqlite(), "sharing");
    let mut reader = SqlReader::open_sqlite(&path, path.display().to_string())
        .await
        .unwrap();
    let first = reader.refresh().await.unwrap().expect("first read");

    // Feature views decoded together share their dtype strings and their project.
    let views: Vec<&CatalogObject> = first
        .objects
        .iter()
        .filter(|o| o.kind == ObjectKind::FeatureView)
        .map(|o| &**o)
        .collect();
    let dtypes: Vec<(&str, &SharedStr)> = views
        .iter()
        .filter_map(|o| match &o.detail {
            Detail::View(v) => Some(v.features.iter().map(move |f| (o.name.as_str(), &f.dtype))),
            _ => None,
        })
        .flatten()
        .collect();
    let shared = dtypes.iter().any(|(view, dtype)| {
        dtypes
            .iter()
            .any(|(other, d)| other != view && d == dtype && SharedStr::ptr_eq(d, dtype))
    });
    assert!(shared, "no two views share a dtype string: {dtypes:?}");
    let same_project: Vec<&&CatalogObject> = views
        .iter()
        .filter(|o| o.project == views[0].project)
        .collect();
    assert!(same_project.len() > 1);
    assert!(same_project
        .iter()
        .all(|o| SharedStr::ptr_eq(&o.project, &same_project[0].project)));

    let url = format!("sqlite://{}", path.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    // One changed row: only it is read, and every other object is the first snapshot's.
    edit_view(&mut conn, "Edited once", false).await;
    let second = reader.refresh().await.unwrap().expect("change seen");
    assert_eq!(reader.last_blob_rows, 1);
    same_allocation(&first, &second, EDITED);

    // Every row rewritten, one changed: all are read again, the unchanged keep their objects.
    edit_view(&mut conn, "Edited twice", true).await;
    let third = reader.refresh().await.unwrap().expect("change seen");
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM feature_views")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(reader.last_blob_rows, rows as usize);
    same_allocation(&second, &third, EDITED);
    conn.close().await.unwrap();
}
