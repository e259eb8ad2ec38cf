//! The server's side of [`PermissionsBackend`]: projects from the live registry snapshots,
//! loads and saves straight against the registry, audit records in the console database.
//!
//! REST registries are read and written as the signed-in user: the access token comes from
//! the request the server function answers (`FeastBearer` in its extensions), so Feast's
//! registry server authorizes each call itself.

use std::collections::HashMap;
use std::sync::Arc;

use app::backend::BackendError;
use app::catalog::query::Visibility;
use app::permissions::api::{
    AuditFilter, AuditRecord, PermissionsBackend, RegistryChoice, SaveRequest, StoredPermission,
};
use app::permissions::model::ProjectData;
use app::permissions::page_model::{
    cell_explanation, model::lint_rows, model::project_view_with_lints, CellExplanation,
    ProjectView, ViewQuery,
};
use app::permissions::PermissionEvaluator;
use tokio::sync::Mutex;

use super::compiled::CompiledPermissions;
use super::lint_cache::LintCache;
use crate::cpu::CpuPool;
use crate::db::ConsoleDb;
use crate::registry::demo::{DemoRegistry, DEMO_NAME};
use crate::registry::refresher::Registries;
use crate::registry::write::PermissionWriter;
use crate::registry::{Reader, RegistrySnapshot, RegistrySource, SourceKind};

pub struct ServerPermissions {
    registries: Registries,
    /// Sources by registry name, with the reason each is read-only (None: writable).
    sources: Vec<(RegistrySource, Option<String>)>,
    db: ConsoleDb,
    writers: Mutex<HashMap<String, PermissionWriter>>,
    /// The demo registry's copy, when the console serves it.
    demo: Option<Arc<DemoRegistry>>,
    /// Each snapshot's permissions compiled once per project.
    compiled: Arc<CompiledPermissions>,
    /// Each snapshot's lints per project and objects shown.
    lints: Arc<LintCache>,
    /// The page's matrix and lints run here, off the async workers.
    cpu: Arc<CpuPool>,
}

/// Shown in the editor of a REST registry.
pub const REST_WRITE_NOTE: &str = "Saves go through Feast's registry server with your own access token, so Feast decides whether you may make them. Feast has no conditional write: the console re-reads the permission just before writing and refuses if it changed, but a write made outside this console in that instant can still be overwritten.";

/// The signed-in user's access token, from the request being answered (None outside a
/// request, in development mode, or when the provider issued none).
fn request_token() -> Option<String> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<crate::auth::FeastBearer>().cloned())
        .map(|b| b.0.expose().to_string())
}

/// Whether the permissions page may show `project` to the caller: they may describe the
/// project and every one of its permissions (the page names them all and shows whom each
/// grants to; its rows are then the objects they may describe).
fn shown_project(
    snapshot: &crate::registry::RegistrySnapshot,
    registry: &str,
    project: &str,
    visibility: &dyn Visibility,
) -> bool {
    snapshot
        .project(project)
        .is_some_and(|p| visibility.may_describe(registry, p))
        && snapshot
            .objects
            .iter()
            .filter(|o| {
                o.project == project && o.kind == app::catalog::model::ObjectKind::Permission
            })
            .all(|o| visibility.may_describe(registry, o))
}

/// Why the console will not write `source`; None when it will.
pub fn read_only_reason(source: &RegistrySource) -> Option<String> {
    match &source.kind {
        // Only when no copy of it could be made in the data folder (see `registry::demo`).
        SourceKind::Sqlite(path) if crate::registry::demo::bundled_path().as_ref() == Some(path) => {
            Some("the bundled demo registry is never written, and no copy of it could be made in the data folder (see the log); start the console with --registry pointing at a copy to edit permissions".into())
        }
        SourceKind::Sqlite(_) | SourceKind::Postgres(_) | SourceKind::File(_) => None,
        // Written with each admin's own token; see `registry::write_rest`.
        SourceKind::Rest(_) => None,
    }
}

impl ServerPermissions {
    /// Every registry `registries` reads, writable unless [`read_only_reason`] says otherwise.
    pub fn new(registries: Registries, db: ConsoleDb) -> Self {
        let sources = registries
            .handles
            .iter()
            .map(|h| {
                let s = h.source_config().clone();
                let why = read_only_reason(&s);
                (s, why)
            })
            .collect();
        ServerPermissions {
            registries,
            sources,
            db,
            writers: Mutex::new(HashMap::new()),
            demo: None,
            compiled: Default::default(),
            lints: Default::default(),
            cpu: Arc::new(CpuPool::default()),
        }
    }

    /// Shares the console's CPU pool and compiled permissions.
    pub fn with_cpu(mut self, cpu: Arc<CpuPool>, compiled: Arc<CompiledPermissions>) -> Self {
        self.cpu = cpu;
        self.compiled = compiled;
        self
    }

    /// Lint lists computed so far for the permissions page (tests check repeats add none).
    pub fn lints_computed(&self) -> u64 {
        self.lints.computed()
    }

    /// `project` of `registry` as the permissions page reads it, with its snapshot.
    fn project_data(
        &self,
        registry: &str,
        project: &str,
        visibility: &dyn Visibility,
    ) -> Option<(Arc<crate::registry::RegistrySnapshot>, ProjectData)> {
        let handle = self
            .registries
            .handles
            .iter()
            .find(|h| h.name == registry)?;
        let snapshot = handle.snapshot()?;
        if !shown_project(&snapshot, registry, project, visibility) {
            return None;
        }
        let mut notes = Vec::new();
        let input = super::input::from_snapshot_shown(&snapshot, &mut notes, &|o| {
            visibility.may_describe(registry, o)
        });
        let p = input.projects.into_iter().find(|p| p.project == project)?;
        let data = ProjectData {
            registry: registry.to_string(),
            project: p.project,
            permissions: p.permissions,
            objects: p.resources,
            notes,
        };
        Some((snapshot, data))
    }

    /// `work` on the CPU pool (off the async workers) over `query`'s project as `visibility`
    /// shows it, with the snapshot's compiled permissions; None when the project is not shown.
    async fn on_project<T: Send + 'static>(
        &self,
        query: &ViewQuery,
        visibility: &dyn Visibility,
        work: impl FnOnce(&Arc<RegistrySnapshot>, &ProjectData, &PermissionEvaluator) -> Option<T>
            + Send
            + 'static,
    ) -> Result<Option<T>, BackendError> {
        let Some((snapshot, data)) = self.project_data(&query.registry, &query.project, visibility)
        else {
            return Ok(None);
        };
        let evaluator = self
            .compiled
            .get(&snapshot, &query.project, &data.permissions);
        self.cpu
            .run(move || work(&snapshot, &data, &evaluator))
            .await
            .map_err(|e| BackendError::Unavailable(e.to_string()))
    }

    /// The demo registry's copy, which "Reset demo" restores.
    pub fn with_demo(mut self, demo: Option<Arc<DemoRegistry>>) -> Self {
        self.demo = demo;
        self
    }

    /// What the permission pages say about `registry` when it is the demo's copy.
    fn demo_note(&self, registry: &str) -> Option<String> {
        let demo = self.demo.as_ref().filter(|_| registry == DEMO_NAME)?;
        Some(format!(
            "No registry is configured, so this is the demo registry bundled with the console. Edits change only its copy {}; \"Reset demo\" puts the bundled one back.",
            demo.copy.display()
        ))
    }

    pub fn into_backend(self) -> Arc<dyn PermissionsBackend> {
        Arc::new(self)
    }

    fn source(&self, registry: &str) -> Result<&RegistrySource, BackendError> {
        let (source, read_only) = self
            .sources
            .iter()
            .find(|(s, _)| s.name == registry)
            .ok_or_else(|| BackendError::Invalid(format!("no registry named `{registry}`")))?;
        match read_only {
            Some(why) => Err(BackendError::Unavailable(why.clone())),
            None => Ok(source),
        }
    }

    /// The registry's writer, acting as the holder of `token` (REST registries).
    async fn writer(
        &self,
        registry: &str,
        token: Option<String>,
    ) -> Result<PermissionWriter, BackendError> {
        let source = self.source(registry)?;
        let mut writers = self.writers.lock().await;
        if let Some(w) = writers.get(registry) {
            return Ok(w.with_token(token));
        }
        let w = PermissionWriter::open(source)
            .await
            .map_err(|e| BackendError::Unavailable(e.to_string()))?;
        writers.insert(registry.to_string(), w.clone());
        Ok(w.with_token(token))
    }

    /// Re-reads the registry now so the pages show the change without waiting for the
    /// refresher (whose next read then finds nothing new or the same rows). A REST registry
    /// server is first asked to reload its own cache (with the writer's token), and every
    /// user's cached read of it is dropped.
    async fn refresh(&self, registry: &str, writer: &PermissionWriter) {
        let Ok(source) = self.source(registry) else {
            return;
        };
        if let Some(rest) = writer.rest() {
            if let Some(why) = rest.refresh_server_cache().await {
                tracing::info!(%registry, reason = %why, "the registry server did not reload its cache; listings show the write once its cache expires");
            }
        }
        if let Some(handle) = self.registries.handles.iter().find(|h| h.name == registry) {
            handle.record(Reader::load_once(source).await.map(Some));
        }
    }
}

#[app::backend::async_trait]
impl PermissionsBackend for ServerPermissions {
    async fn registries(&self, visibility: &dyn Visibility) -> Vec<RegistryChoice> {
        self.registries
            .handles
            .iter()
            .map(|h| RegistryChoice {
                name: h.name.clone(),
                projects: h
                    .snapshot()
                    .map(|s| {
                        s.projects
                            .iter()
                            .filter(|p| shown_project(&s, &h.name, &p.name, visibility))
                            .map(|p| p.name.to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
                read_only: self
                    .sources
                    .iter()
                    .find(|(s, _)| s.name == h.name)
                    .map_or(Some("unknown source".into()), |(_, why)| why.clone()),
                demo: self.demo_note(&h.name),
            })
            .collect()
    }

    async fn project(
        &self,
        registry: &str,
        project: &str,
        visibility: &dyn Visibility,
    ) -> Option<ProjectData> {
        self.project_data(registry, project, visibility)
            .map(|(_, data)| data)
    }

    async fn project_view(
        &self,
        query: &ViewQuery,
        visibility: &dyn Visibility,
    ) -> Result<Option<ProjectView>, BackendError> {
        let (query, lints) = (query.clone(), self.lints.clone());
        self.on_project(
            &query.clone(),
            visibility,
            move |snapshot, data, evaluator| {
                Some(project_view_with_lints(data, &query, evaluator, |extra| {
                    let compute = || lint_rows(data, extra, evaluator);
                    if extra.is_empty() {
                        lints.get(snapshot, data, compute).to_vec()
                    } else {
                        compute()
                    }
                }))
            },
        )
        .await
    }

    async fn cell_explanation(
        &self,
        query: &ViewQuery,
        key: &str,
        visibility: &dyn Visibility,
    ) -> Result<Option<CellExplanation>, BackendError> {
        let (query, key) = (query.clone(), key.to_string());
        self.on_project(&query.clone(), visibility, move |_, data, evaluator| {
            cell_explanation(data, &query, &key, evaluator)
        })
        .await
    }

    async fn load(
        &self,
        registry: String,
        project: String,
        name: String,
    ) -> Result<Option<StoredPermission>, BackendError> {
        let token = request_token();
        let writer = self.writer(&registry, token).await?;
        super::store::load(&writer, &project, &name).await
    }

    async fn save(&self, request: SaveRequest) -> Result<String, BackendError> {
        let token = request_token();
        let writer = self.writer(&request.registry, token).await?;
        let out = super::store::save(&writer, &self.db, &request).await;
        if out.is_ok() {
            self.refresh(&request.registry, &writer).await;
        }
        out
    }

    async fn write_note(&self, registry: &str) -> Option<String> {
        self.sources
            .iter()
            .find(|(s, why)| s.name == registry && why.is_none())
            .filter(|(s, _)| matches!(s.kind, SourceKind::Rest(_)))
            .map(|_| REST_WRITE_NOTE.to_string())
    }

    async fn reset_demo(&self, actor: String) -> Result<String, BackendError> {
        {
            let Some(demo) = &self.demo else {
                return Err(BackendError::Unavailable(
                    app::permissions::api::NO_DEMO.to_string(),
                ));
            };
            demo.reset()
                .await
                .map_err(|e| BackendError::unavailable(&e))?;
            tracing::info!(%actor, copy = %demo.copy.display(), "demo registry reset to the bundled one");
            self.writers.lock().await.remove(DEMO_NAME);
            if let Some(handle) = self.registries.handles.iter().find(|h| h.name == DEMO_NAME) {
                handle.record(Reader::load_once(&demo.source()).await.map(Some));
            }
            Ok("The demo registry is back as bundled: every edit made here is undone (the audit log keeps them).".to_string())
        }
    }

    async fn audit(&self, filter: AuditFilter) -> Result<Vec<AuditRecord>, BackendError> {
        let mut records = super::audit::list(&self.db, &filter)
            .await
            .map_err(|e| BackendError::Unavailable(format!("cannot read the audit log: {e}")))?;
        // Saves that a later change outside the console undid (probably `feast apply`).
        let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
        let mut reverts = crate::history::audit_link::reverts_of_audit(&self.db, &ids)
            .await
            .map_err(|e| BackendError::Unavailable(format!("cannot read the history: {e}")))?;
        for r in &mut records {
            r.reverted = reverts.remove(&r.id);
        }
        Ok(records)
    }
}
