//! Cluster source of the topology. It asks the API server which groups it serves (discovery),
//! reads the FeatureStore CRD the cluster has installed, then keeps one kube-runtime watcher per
//! kind it reads ([`READ_KINDS`]; paged lists, re-lists and backoff built in) with a reflector
//! store each, and rebuilds the [`ClusterSnapshot`] from the stores shortly after any change.
//! A kind whose group is not served is not read (an optional one silently); a 403 or a missing
//! API is reported for that kind, naming the rule to add, and the rest still works. When the API
//! server cannot answer (no response, 5xx) the last snapshot stays with its age. Secrets are
//! never read.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use app::topology::snapshot::{ClusterSnapshot, SourceError};
use futures::stream::{select_all, BoxStream, StreamExt};
use kube::api::{Api, DynamicObject};
use kube::runtime::reflector::store::Writer;
use kube::runtime::{watcher, WatchStreamExt};
use kube::Client;
use serde_json::Value;

use super::crd_admission::{Admitter, BUNDLED_CRD_SOURCE, FEATURE_STORE_CRD_NAME};
pub use super::kube_kinds::{cluster_access, ReadKind, CRD_READ, FEATURE_STORE, READ_KINDS};
use super::kube_stores::{apply, build, trim, unreachable, StreamState, Watched};
use crate::freshness::Refreshed;

/// Changes are gathered this long before the snapshot is rebuilt (well under a second).
const REBUILD_EVERY: Duration = Duration::from_millis(200);
/// How often a running watch reads discovery and the cluster's CRD again (an operator installed
/// or upgraded changes them).
const CRD_REREAD: Duration = Duration::from_secs(300);
/// While a watcher reports the API server unreachable, it is asked this often whether it
/// answers again.
const PROBE_EVERY: Duration = Duration::from_secs(1);
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
/// Pause before discovery is tried again after it failed.
const DISCOVERY_RETRY: Duration = Duration::from_secs(2);

pub struct KubeTopologySource {
    client: Client,
    /// None: all namespaces; else only these.
    namespaces: Option<Vec<String>>,
    /// How often discovery and the CRD are read again while watching.
    rediscover_every: Duration,
}

/// The API server could not answer (no response, or a server error), so the last snapshot is
/// kept. Its message says what failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the cluster: {0}")]
pub struct ClusterUnreachable(String);

/// What `start` prepared: the watches, the writers their streams fill, the problems found on
/// the way (kinds not served, the CRD not readable) and the CRD to check FeatureStores with.
struct Started {
    watches: Vec<Watched>,
    writers: Vec<Writer<DynamicObject>>,
    problems: Vec<SourceError>,
    admitter: Option<Admitter>,
    /// What discovery chose, to notice when it changes.
    planned: Vec<(ReadKind, Option<&'static str>)>,
}

type Events = futures::stream::SelectAll<
    BoxStream<'static, (usize, Result<watcher::Event<DynamicObject>, watcher::Error>)>,
>;

impl KubeTopologySource {
    pub fn new(client: Client, namespaces: Option<Vec<String>>) -> Self {
        Self {
            client,
            namespaces,
            rediscover_every: CRD_REREAD,
        }
    }

    /// Reads discovery and the CRD again this often while watching (tests use a short one).
    pub fn rediscovering_every(mut self, every: Duration) -> Self {
        self.rediscover_every = every;
        self
    }

    /// Reads the cluster once (every watcher's first complete list). Per-kind problems land
    /// in the snapshot's `errors`; an API server that cannot answer is an `Err`.
    pub async fn read(&self) -> Result<ClusterSnapshot, ClusterUnreachable> {
        let Started {
            mut watches,
            writers,
            problems,
            mut admitter,
            ..
        } = self.start().await?;
        let mut streams = self.streams(&watches, writers);
        while watches
            .iter()
            .any(|w| matches!(w.state, StreamState::Starting))
        {
            let Some((i, event)) = streams.next().await else {
                break;
            };
            apply(&mut watches[i], event);
        }
        if let Some(e) = unreachable(&watches) {
            return Err(ClusterUnreachable(e));
        }
        Ok(build(&watches, &problems, admitter.as_mut()))
    }

    /// Like [`Self::read`], with an unreachable API server reported inside the snapshot.
    pub async fn snapshot(&self) -> ClusterSnapshot {
        match self.read().await {
            Ok(s) => s,
            Err(e) => ClusterSnapshot {
                errors: vec![SourceError {
                    location: FEATURE_STORE.display(),
                    message: e.to_string(),
                }],
                ..ClusterSnapshot::default()
            },
        }
    }

    /// Keeps `handle` current for as long as it runs: discovery, then the watchers, rebuilding
    /// the snapshot within [`REBUILD_EVERY`] of a change. Never returns.
    pub async fn watch(&self, handle: &Refreshed<ClusterSnapshot>) {
        loop {
            let Started {
                mut watches,
                writers,
                mut problems,
                mut admitter,
                planned,
            } = match self.start().await {
                Ok(started) => started,
                Err(e) => {
                    handle.failed(&e);
                    tokio::time::sleep(DISCOVERY_RETRY).await;
                    continue;
                }
            };
            let mut streams = self.streams(&watches, writers);
            let mut tick = tokio::time::interval(REBUILD_EVERY);
            let mut changed = false;
            let mut crd_read_at = Instant::now();
            let mut probed_at = Instant::now();
            loop {
                tokio::select! {
                    next = streams.next() => match next {
                        Some((i, event)) => {
                            apply(&mut watches[i], event);
                            changed = true;
                        }
                        // Watcher streams do not end; if they did, start again.
                        None => break,
                    },
                    _ = tick.tick() => {
                        if watches.iter().any(|w| matches!(w.state, StreamState::Starting)) {
                            continue;
                        }
                        // A watcher that re-watched successfully says nothing until an
                        // object changes: ask the API server itself whether it answers.
                        let any_unreachable = watches
                            .iter()
                            .any(|w| matches!(w.state, StreamState::Unreachable(_)));
                        if any_unreachable && probed_at.elapsed() >= PROBE_EVERY {
                            probed_at = Instant::now();
                            let answer =
                                tokio::time::timeout(PROBE_TIMEOUT, self.client.list_api_groups())
                                    .await;
                            if matches!(answer, Ok(Ok(_))) {
                                for w in &mut watches {
                                    if matches!(w.state, StreamState::Unreachable(_)) {
                                        w.state = StreamState::Ready;
                                    }
                                }
                                changed = true;
                            }
                        }
                        if let Some(e) = unreachable(&watches) {
                            if changed {
                                handle.failed(&ClusterUnreachable(e));
                                changed = false;
                            }
                            continue;
                        }
                        if crd_read_at.elapsed() >= self.rediscover_every {
                            crd_read_at = Instant::now();
                            // An operator installed, upgraded or removed since: a group may
                            // have come or gone (start again), the CRD's rules may differ.
                            let now = served_groups(&self.client).await.map(|s| plan(&s));
                            if now.is_ok_and(|now| now != planned) {
                                break;
                            }
                            let (next, crd_problem) = self.admitter().await;
                            admitter = next;
                            problems.retain(|p| p.location != CRD_READ.display());
                            problems.extend(crd_problem);
                            changed = true;
                        }
                        // Healthy watches: the snapshot is current now, changed or not.
                        let next = changed.then(|| build(&watches, &problems, admitter.as_mut()));
                        handle.succeeded(next);
                        changed = false;
                    }
                }
            }
        }
    }

    /// Discovery, the CRD, and one reflector store per kind and namespace.
    async fn start(&self) -> Result<Started, ClusterUnreachable> {
        let served = served_groups(&self.client).await?;
        let planned = plan(&served);
        let mut problems = Vec::new();
        let mut watches = Vec::new();
        let mut writers = Vec::new();
        for (kind, version) in planned.clone() {
            let Some(version) = version else {
                if !kind.optional {
                    problems.push(SourceError {
                        location: kind.display(),
                        message: format!(
                            "the cluster does not serve {} ({}): API or CRD not installed",
                            kind.display(),
                            kind.api_version(kind.versions[0])
                        ),
                    });
                }
                continue;
            };
            let namespaces: Vec<Option<String>> = match &self.namespaces {
                None => vec![None],
                Some(list) => list.iter().cloned().map(Some).collect(),
            };
            for namespace in namespaces {
                let writer = Writer::new(kind.resource(version));
                watches.push(Watched {
                    kind,
                    namespace,
                    version,
                    store: writer.as_reader(),
                    state: StreamState::Starting,
                });
                writers.push(writer);
            }
        }
        let (admitter, crd_problem) = self.admitter().await;
        problems.extend(crd_problem);
        Ok(Started {
            watches,
            writers,
            problems,
            admitter,
            planned,
        })
    }

    /// One merged stream of every watcher's events, tagged with its index in `watches`.
    fn streams(&self, watches: &[Watched], writers: Vec<Writer<DynamicObject>>) -> Events {
        let mut out = Vec::new();
        for (i, (watched, writer)) in watches.iter().zip(writers).enumerate() {
            let ar = watched.kind.resource(watched.version);
            let api: Api<DynamicObject> = match &watched.namespace {
                None => Api::all_with(self.client.clone(), &ar),
                Some(ns) => Api::namespaced_with(self.client.clone(), ns, &ar),
            };
            let mut config = watcher::Config::default();
            if let Some(name) = watched.kind.only_name {
                config = config.fields(&format!("metadata.name={name}"));
            }
            let stream = watcher(api, config)
                .default_backoff()
                .modify(trim)
                .reflect(writer)
                .map(move |event| (i, event))
                .boxed();
            out.push(stream);
        }
        select_all(out)
    }

    /// The cluster's FeatureStore CRD, or why it cannot be used.
    pub async fn cluster_admitter(&self) -> Result<Admitter, String> {
        let ar = CRD_READ.resource(CRD_READ.versions[0]);
        let api: Api<DynamicObject> = Api::all_with(self.client.clone(), &ar);
        match api.get(FEATURE_STORE_CRD_NAME).await {
            Ok(object) => {
                let value = serde_json::to_value(&object).unwrap_or(Value::Null);
                match app::topology::admission::Crd::from_value(&with_crd_type(value)) {
                    Ok(crd) => {
                        let source =
                            format!("the CRD {FEATURE_STORE_CRD_NAME} read from the cluster");
                        Ok(Admitter::new(crd, source))
                    }
                    Err(e) => Err(format!("the cluster's CRD cannot be used ({e})")),
                }
            }
            Err(kube::Error::Api(status)) if status.code == 403 => Err(format!(
                "forbidden: the console may not get the CRD {FEATURE_STORE_CRD_NAME}; add to its ClusterRole: {{apiGroups: [{}], resources: [{}], resourceNames: [{FEATURE_STORE_CRD_NAME}], verbs: [get]}}",
                CRD_READ.group, CRD_READ.plural
            )),
            Err(kube::Error::Api(status)) if status.code == 404 => {
                Err("the FeatureStore CRD is not installed in the cluster".to_string())
            }
            Err(e) => Err(format!("cannot read the CRD: {e}")),
        }
    }

    /// The cluster's FeatureStore CRD, else the bundled one with a note why.
    async fn admitter(&self) -> (Option<Admitter>, Option<SourceError>) {
        match self.cluster_admitter().await {
            Ok(admitter) => (Some(admitter), None),
            Err(problem) => (
                Admitter::bundled(),
                Some(SourceError {
                    location: CRD_READ.display(),
                    message: format!(
                        "{problem}; FeatureStores are checked against {BUNDLED_CRD_SOURCE}"
                    ),
                }),
            ),
        }
    }
}

/// Each kind with the version to read: the first the cluster serves (None: not served).
fn plan(served: &BTreeMap<String, Vec<String>>) -> Vec<(ReadKind, Option<&'static str>)> {
    READ_KINDS
        .iter()
        .map(|kind| {
            let version = kind.versions.iter().copied().find(|v| {
                kind.group.is_empty()
                    || served
                        .get(kind.group)
                        .is_some_and(|vs| vs.iter().any(|s| s == v))
            });
            (*kind, version)
        })
        .collect()
}

/// `/apis` discovery: served versions per group (the core group is always served).
async fn served_groups(
    client: &Client,
) -> Result<BTreeMap<String, Vec<String>>, ClusterUnreachable> {
    let groups = client
        .list_api_groups()
        .await
        .map_err(|e| ClusterUnreachable(format!("discovery (/apis) failed: {e}")))?;
    Ok(groups
        .groups
        .into_iter()
        .map(|g| (g.name, g.versions.into_iter().map(|v| v.version).collect()))
        .collect())
}

fn with_crd_type(mut value: Value) -> Value {
    if let Some(map) = value.as_object_mut() {
        map.entry("kind")
            .or_insert_with(|| Value::String(CRD_READ.kind.to_string()));
    }
    value
}
