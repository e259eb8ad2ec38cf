//! File registry reader: `registry.db` is one serialized `feast.core.Registry`. Change
//! detection is the file's modification time and size; a change re-reads the whole file,
//! decoded on every core off the async workers.

use std::{
    path::{Path, PathBuf},
    time::{Instant, SystemTime},
};

use app::catalog::model::{CatalogObject, ViewVersion};
use app::util::time::Instant as Utc;
use prost::Message;

use super::load_error::{LoadError, LoadProblem, RegistryFileProblem};
use super::parallel_decode::decode_all_blocking;
use super::{
    decode::{decode_blob_interned, stored_project, BlobKind},
    proto::Registry,
    snapshot::RegistrySnapshot,
};

pub struct FileReader {
    path: PathBuf,
    display: String,
    seen: Option<(SystemTime, u64)>,
}

impl FileReader {
    pub fn new(path: &Path, display: String) -> FileReader {
        FileReader {
            path: path.to_owned(),
            display,
            seen: None,
        }
    }

    pub async fn refresh(&mut self) -> Result<Option<RegistrySnapshot>, LoadError> {
        let started = Instant::now();
        let meta = tokio::fs::metadata(&self.path)
            .await
            .map_err(|e| self.io_error(e))?;
        let stamp = (
            meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            meta.len(),
        );
        if self.seen == Some(stamp) {
            return Ok(None);
        }
        let bytes = tokio::fs::read(&self.path)
            .await
            .map_err(|e| self.io_error(e))?;
        let decoded = tokio::task::spawn_blocking(move || {
            // The file's bytes go as soon as its blobs are split out: the blobs are not held
            // twice while they decode.
            let registry = parse_registry(&bytes)?;
            drop(bytes);
            Ok::<_, RegistryFileProblem>(decode_parsed(registry))
        })
        .await
        .map_err(|_| LoadError::new(&self.display, LoadProblem::DecoderFailed))?;
        let (objects, versions) = decoded.map_err(|e| LoadError::new(&self.display, e))?;
        self.seen = Some(stamp);
        Ok(Some(RegistrySnapshot::build(
            objects,
            versions,
            SystemTime::now(),
            started.elapsed(),
        )))
    }
}

impl FileReader {
    fn io_error(&self, e: std::io::Error) -> LoadError {
        match e.kind() {
            std::io::ErrorKind::NotFound => {
                LoadError::new(&self.display, LoadProblem::NoSuchFile(self.path.clone()))
            }
            _ => LoadError::new(&self.display, e),
        }
    }
}

/// Decodes a whole `registry.db`. Each object is decoded on its own, so a corrupt one is
/// listed as unreadable; a file that is not a Registry at all is an error.
pub fn decode_registry(
    bytes: &[u8],
) -> Result<(Vec<CatalogObject>, Vec<ViewVersion>), RegistryFileProblem> {
    Ok(decode_parsed(parse_registry(bytes)?))
}

/// The file's message, its objects still blobs.
fn parse_registry(bytes: &[u8]) -> Result<Registry, RegistryFileProblem> {
    if bytes.is_empty() {
        return Err(RegistryFileProblem::Empty);
    }
    let registry = Registry::decode(bytes).map_err(RegistryFileProblem::Undecodable)?;
    if registry.registry_schema_version.is_empty()
        && registry.projects.is_empty()
        && registry.feature_views.is_empty()
    {
        return Err(RegistryFileProblem::NoSchemaVersion);
    }
    Ok(registry)
}

/// Decodes every blob on every core; each blob is freed once decoded.
fn decode_parsed(mut registry: Registry) -> (Vec<CatalogObject>, Vec<ViewVersion>) {
    let take = std::mem::take::<Vec<Vec<u8>>>;
    let lists: [(BlobKind, Vec<Vec<u8>>); 11] = [
        (BlobKind::Project, take(&mut registry.projects)),
        (BlobKind::Entity, take(&mut registry.entities)),
        (BlobKind::DataSource, take(&mut registry.data_sources)),
        (BlobKind::FeatureView, take(&mut registry.feature_views)),
        (
            BlobKind::StreamFeatureView,
            take(&mut registry.stream_feature_views),
        ),
        (
            BlobKind::OnDemandFeatureView,
            take(&mut registry.on_demand_feature_views),
        ),
        (BlobKind::LabelView, take(&mut registry.label_views)),
        (
            BlobKind::FeatureService,
            take(&mut registry.feature_services),
        ),
        (BlobKind::SavedDataset, take(&mut registry.saved_datasets)),
        (
            BlobKind::ValidationReference,
            take(&mut registry.validation_references),
        ),
        (BlobKind::Permission, take(&mut registry.permissions)),
    ];
    let blobs: Vec<(BlobKind, usize, Vec<u8>)> = lists
        .into_iter()
        .flat_map(|(kind, blobs)| {
            blobs
                .into_iter()
                .enumerate()
                .map(move |(i, blob)| (kind, i, blob))
        })
        .collect();
    let objects = decode_all_blocking(blobs, &|(kind, i, blob), interner| {
        // The file registry sets spec.project on every object; an unreadable one has none.
        let project = stored_project(kind, &blob).unwrap_or_default();
        decode_blob_interned(kind, &project, &format!("#{i}"), &blob, interner)
    });
    let versions = registry
        .feature_view_version_history
        .map(|h| h.records)
        .unwrap_or_default()
        .into_iter()
        .map(|r| ViewVersion {
            project: r.project_id,
            view: r.feature_view_name,
            view_type: r.feature_view_type,
            version_number: r.version_number,
            version_id: r.version_id,
            created: r
                .created_timestamp
                .and_then(|t| Utc::new(t.seconds, t.nanos)),
            description: r.description,
        })
        .collect();
    (objects, versions)
}
