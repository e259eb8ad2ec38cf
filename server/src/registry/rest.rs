//! Registry server REST reader (`feast serve_registry --rest-api`, `/api/v1`).
//!
//! Reads project by project (`/entities?project=P`, ...) and never pages the `/…/all`
//! endpoints, which cost seconds per page on large registries. Feast's REST server offers no
//! ETag or Last-Modified, so a refresh re-reads each project and the snapshot is only replaced
//! when something differs.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use app::catalog::model::{CatalogObject, ObjectKind};
use app::util::percent::path_segment;
use serde_json::Value;

use super::failure::{send, HttpFailure};
use super::load_error::{LoadError, LoadProblem};
use super::token::RegistryToken;
use super::{
    decode::{decode_json, BlobKind},
    snapshot::RegistrySnapshot,
};

pub struct RestReader {
    base: String,
    display: String,
    token: Option<RegistryToken>,
    client: reqwest::Client,
    /// The objects of the last snapshot, shared with it (not a copy).
    previous: Option<Vec<Arc<CatalogObject>>>,
}

/// One list endpoint: path, the list's JSON key, and how to read an item.
struct Listing {
    path: &'static str,
    /// JSON keys holding the list, first found wins (0.67.0 lists label views under `featureViews`).
    keys: &'static [&'static str],
    kind: ObjectKind,
    read: fn(&str, &Value) -> CatalogObject,
}

const LISTINGS: &[Listing] = &[
    Listing {
        path: "entities",
        keys: &["entities"],
        kind: ObjectKind::Entity,
        read: |p, v| decode_json(BlobKind::Entity, p, v),
    },
    Listing {
        path: "data_sources",
        keys: &["dataSources"],
        kind: ObjectKind::DataSource,
        read: |p, v| decode_json(BlobKind::DataSource, p, v),
    },
    Listing {
        path: "feature_views",
        keys: &["featureViews"],
        kind: ObjectKind::FeatureView,
        read: any_feature_view,
    },
    Listing {
        path: "label_views",
        keys: &["labelViews", "featureViews"],
        kind: ObjectKind::LabelView,
        read: |p, v| decode_json(BlobKind::LabelView, p, v),
    },
    Listing {
        path: "feature_services",
        keys: &["featureServices"],
        kind: ObjectKind::FeatureService,
        read: |p, v| decode_json(BlobKind::FeatureService, p, v),
    },
    Listing {
        path: "saved_datasets",
        keys: &["savedDatasets"],
        kind: ObjectKind::SavedDataset,
        read: |p, v| decode_json(BlobKind::SavedDataset, p, v),
    },
    Listing {
        path: "permissions",
        keys: &["permissions"],
        kind: ObjectKind::Permission,
        read: |p, v| decode_json(BlobKind::Permission, p, v),
    },
];

/// An item of `/feature_views`, which lists every feature-view kind and says which in `type`.
fn any_feature_view(project: &str, v: &Value) -> CatalogObject {
    let kind = match v.get("type").and_then(Value::as_str) {
        Some("onDemandFeatureView") => BlobKind::OnDemandFeatureView,
        Some("streamFeatureView") => BlobKind::StreamFeatureView,
        _ => BlobKind::FeatureView,
    };
    decode_json(kind, project, v)
}

/// An item of `/projects`: a project is its own project.
fn project(v: &Value) -> CatalogObject {
    let mut object = decode_json(BlobKind::Project, "", v);
    object.project = object.name.clone();
    object
}

impl RestReader {
    pub fn new(
        base: &str,
        token: Option<RegistryToken>,
        display: String,
    ) -> Result<RestReader, LoadError> {
        // reqwest is built without a bundled crypto provider; install ring once per process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| LoadError::new(&display, LoadProblem::HttpClient(e.into())))?;
        Ok(RestReader {
            base: base.to_string(),
            display,
            token,
            client,
            previous: None,
        })
    }

    /// Feast's REST listings fail whole (403) when the caller may not DESCRIBE any one item.
    /// For a user's own read, each object the console knows of in such a listing is asked for
    /// one by one: what Feast answers with is what the user may see; its 403s are left out.
    pub async fn read_each(
        &self,
        listing_kind: ObjectKind,
        project: &str,
        names: &[String],
    ) -> Vec<CatalogObject> {
        let Some(listing) = LISTINGS.iter().find(|l| l.kind == listing_kind) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        // A few at a time: enough to be quick, not enough to flood the registry server.
        for chunk in names.chunks(8) {
            let reads = chunk.iter().map(|name| {
                let path = format!("{}/{}", listing.path, path_segment(name));
                async move { self.get(&path, Some(project)).await }
            });
            for (name, result) in chunk.iter().zip(futures::future::join_all(reads).await) {
                match result {
                    Ok(body) => out.push((listing.read)(project, &body)),
                    Err(LoadProblem::Http { failure, .. }) if failure.status() == Some(403) => {}
                    Err(e) => out.push(CatalogObject::unreadable(
                        listing.kind,
                        project,
                        name,
                        app::backend::error_chain(&e),
                    )),
                }
            }
        }
        out
    }

    /// Feast's own answer to this reader's token: may it DESCRIBE `object`? Asks the registry
    /// server for that one object (Feast's assert mode): 2xx yes, 403 no; anything else is
    /// an error (for a project, the server's own project's permissions decide).
    pub async fn describes(&self, object: &CatalogObject) -> Result<bool, LoadProblem> {
        let (path, project) = if object.kind == ObjectKind::Project {
            (format!("projects/{}", path_segment(&object.name)), None)
        } else {
            let listing = listing_kind_of(object.kind)
                .and_then(|k| LISTINGS.iter().find(|l| l.kind == k))
                .ok_or_else(|| LoadProblem::Http {
                    path: format!("{:?}", object.kind),
                    failure: super::failure::HttpFailure::Status {
                        status: reqwest::StatusCode::NOT_IMPLEMENTED,
                        detail: "no REST endpoint describes this kind".into(),
                    },
                })?;
            (
                format!("{}/{}", listing.path, path_segment(&object.name)),
                Some(object.project.as_str()),
            )
        };
        match self.get(&path, project).await {
            Ok(_) => Ok(true),
            Err(LoadProblem::Http { failure, .. }) if failure.status() == Some(403) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn get(&self, path: &str, project: Option<&str>) -> Result<Value, LoadProblem> {
        let mut request = self.client.get(format!("{}/{path}", self.base));
        if let Some(p) = project {
            // The server's own registry cache is used (allow_cache defaults to true): polling
            // must not turn every console refresh into database reads on the registry server.
            request = request.query(&[("project", p)]);
        }
        if let Some(token) = &self.token {
            // Read at each call: a token file may have rotated since the last one.
            request = request.bearer_auth(token.read().map_err(LoadProblem::Token)?);
        }
        send(request, true)
            .await
            .map_err(|failure: HttpFailure| LoadProblem::Http {
                path: path.to_string(),
                failure,
            })
    }

    pub async fn refresh(&mut self) -> Result<Option<RegistrySnapshot>, LoadError> {
        let started = Instant::now();
        let projects = self
            .get("projects", None)
            .await
            .map_err(|e| LoadError::new(&self.display, e))?;
        let list = projects
            .get("projects")
            .and_then(Value::as_array)
            .ok_or_else(|| LoadError::new(&self.display, LoadProblem::NoProjectList))?;
        let mut objects: Vec<CatalogObject> = list.iter().map(project).collect();
        let names: Vec<String> = objects.iter().map(|p| p.name.to_string()).collect();
        for project in &names {
            for listing in LISTINGS {
                match self.get(listing.path, Some(project)).await {
                    Ok(body) => {
                        let items = listing
                            .keys
                            .iter()
                            .find_map(|k| body.get(*k).and_then(Value::as_array))
                            .cloned()
                            .unwrap_or_default();
                        objects.extend(items.iter().map(|v| (listing.read)(project, v)));
                    }
                    // One failing list (e.g. Feast's 422 on an AllowAll permission) is shown as
                    // one unreadable entry; the rest of the registry still loads.
                    Err(e) => objects.push(CatalogObject::unreadable(
                        listing.kind,
                        project,
                        &format!("({})", listing.path),
                        app::backend::error_chain(&e),
                    )),
                }
            }
        }
        objects.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let previous = self.previous.take().unwrap_or_default();
        let same = previous.len() == objects.len()
            && previous.iter().zip(&objects).all(|(a, b)| **a == *b);
        if same {
            self.previous = Some(previous);
            return Ok(None);
        }
        // Objects that did not change keep their allocation: the old and new snapshots share
        // them instead of holding two copies.
        let shared: Vec<Arc<CatalogObject>> = {
            let old: HashMap<_, &Arc<CatalogObject>> =
                previous.iter().map(|o| (o.sort_key(), o)).collect();
            objects
                .into_iter()
                .map(|o| {
                    let kept = old.get(&o.sort_key()).copied();
                    match kept {
                        Some(kept) if **kept == o => Arc::clone(kept),
                        _ => Arc::new(o),
                    }
                })
                .collect()
        };
        self.previous = Some(shared.clone());
        Ok(Some(RegistrySnapshot::build_shared(
            shared,
            Vec::new(),
            SystemTime::now(),
            started.elapsed(),
        )))
    }
}

/// The listing whose endpoint serves objects of `kind` (all feature-view kinds but label views
/// come from `feature_views`).
pub fn listing_kind_of(kind: ObjectKind) -> Option<ObjectKind> {
    match kind {
        ObjectKind::BatchFeatureView
        | ObjectKind::StreamFeatureView
        | ObjectKind::OnDemandFeatureView
        | ObjectKind::FeatureView => Some(ObjectKind::FeatureView),
        k if LISTINGS.iter().any(|l| l.kind == k) => Some(k),
        _ => None,
    }
}
