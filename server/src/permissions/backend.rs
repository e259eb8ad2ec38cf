//! The server's side of [`PermissionsBackend`]: projects from the live registry snapshots,
//! loads and saves straight against the registry, audit records in the console database.

use std::collections::HashMap;
use std::sync::Arc;

use app::permissions::backend::{
    AuditFilter, AuditRecord, BoxFuture, PermissionsBackend, PermissionsProvider, ProjectData,
    RegistryChoice, SaveError, SaveRequest, StoredPermission,
};
use tokio::sync::Mutex;

use crate::db::ConsoleDb;
use crate::registry::refresher::Registries;
use crate::registry::write::PermissionWriter;
use crate::registry::{Reader, RegistrySource, SourceKind};

pub struct ServerPermissions {
    registries: Registries,
    /// Sources by registry name, with the reason each is read-only (None: writable).
    sources: Vec<(RegistrySource, Option<String>)>,
    db: ConsoleDb,
    writers: Mutex<HashMap<String, PermissionWriter>>,
}

/// Why the console will not write `source`; None when it will.
pub fn read_only_reason(source: &RegistrySource, bundled_demo: bool) -> Option<String> {
    if bundled_demo {
        return Some("the bundled demo registry is never written; start the console with --registry pointing at a copy to edit permissions".into());
    }
    match source.kind {
        SourceKind::Sqlite(_) | SourceKind::Postgres(_) => None,
        SourceKind::File(_) => Some(
            "editing a file registry (registry.db) is not supported yet; use a SQL registry".into(),
        ),
        SourceKind::Rest(_) => Some(
            "editing through a REST registry server is not supported yet; use a SQL registry"
                .into(),
        ),
    }
}

impl ServerPermissions {
    /// `configured` are the `--registry` sources; when empty, `serve` reads the bundled demo
    /// registry, which is shown read-only.
    pub fn new(registries: Registries, configured: &[RegistrySource], db: ConsoleDb) -> Self {
        let sources = if configured.is_empty() {
            crate::registry::demo::demo_source()
                .map(|s| {
                    let why = read_only_reason(&s, true);
                    (s, why)
                })
                .into_iter()
                .collect()
        } else {
            configured
                .iter()
                .map(|s| (s.clone(), read_only_reason(s, false)))
                .collect()
        };
        ServerPermissions {
            registries,
            sources,
            db,
            writers: Mutex::new(HashMap::new()),
        }
    }

    pub fn into_provider(self) -> PermissionsProvider {
        PermissionsProvider(Arc::new(self))
    }

    fn source(&self, registry: &str) -> Result<&RegistrySource, SaveError> {
        let (source, read_only) = self
            .sources
            .iter()
            .find(|(s, _)| s.name == registry)
            .ok_or_else(|| SaveError::Invalid(format!("no registry named `{registry}`")))?;
        match read_only {
            Some(why) => Err(SaveError::Unavailable(why.clone())),
            None => Ok(source),
        }
    }

    async fn writer(&self, registry: &str) -> Result<PermissionWriter, SaveError> {
        let source = self.source(registry)?;
        let mut writers = self.writers.lock().await;
        if let Some(w) = writers.get(registry) {
            return Ok(w.clone());
        }
        let w = PermissionWriter::open(source)
            .await
            .map_err(|e| SaveError::Unavailable(e.to_string()))?;
        writers.insert(registry.to_string(), w.clone());
        Ok(w)
    }

    /// Re-reads the registry now so the pages show the change without waiting for the
    /// refresher (whose next read then finds nothing new or the same rows).
    async fn refresh(&self, registry: &str) {
        let Ok(source) = self.source(registry) else {
            return;
        };
        if let Some(handle) = self.registries.handles.iter().find(|h| h.name == registry) {
            handle.record(Reader::load_once(source).await.map(Some));
        }
    }
}

impl PermissionsBackend for ServerPermissions {
    fn registries(&self) -> Vec<RegistryChoice> {
        self.registries
            .handles
            .iter()
            .map(|h| RegistryChoice {
                name: h.name.clone(),
                projects: h
                    .snapshot()
                    .map(|s| s.projects.iter().map(|p| p.name.clone()).collect())
                    .unwrap_or_default(),
                read_only: self
                    .sources
                    .iter()
                    .find(|(s, _)| s.name == h.name)
                    .map_or(Some("unknown source".into()), |(_, why)| why.clone()),
            })
            .collect()
    }

    fn project(&self, registry: &str, project: &str) -> Option<ProjectData> {
        let handle = self
            .registries
            .handles
            .iter()
            .find(|h| h.name == registry)?;
        let snapshot = handle.snapshot()?;
        let mut notes = Vec::new();
        let input = super::input::from_snapshot(&snapshot, &mut notes);
        let p = input.projects.into_iter().find(|p| p.project == project)?;
        Some(ProjectData {
            registry: registry.to_string(),
            project: p.project,
            permissions: p.permissions,
            objects: p.resources,
            notes,
        })
    }

    fn load(
        &self,
        registry: String,
        project: String,
        name: String,
    ) -> BoxFuture<'_, Result<Option<StoredPermission>, SaveError>> {
        Box::pin(async move {
            let writer = self.writer(&registry).await?;
            super::store::load(&writer, &project, &name).await
        })
    }

    fn save(&self, request: SaveRequest) -> BoxFuture<'_, Result<String, SaveError>> {
        Box::pin(async move {
            let writer = self.writer(&request.registry).await?;
            let out = super::store::save(&writer, &self.db, &request).await;
            if out.is_ok() {
                self.refresh(&request.registry).await;
            }
            out
        })
    }

    fn audit(&self, filter: AuditFilter) -> BoxFuture<'_, Result<Vec<AuditRecord>, String>> {
        Box::pin(async move {
            super::audit::list(&self.db, &filter)
                .await
                .map_err(|e| format!("cannot read the audit log: {e}"))
        })
    }
}
