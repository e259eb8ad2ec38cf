//! One call from a snapshot to everything the page and the command line show.

use std::collections::BTreeMap;

use serde::Serialize;

use super::admission::Admission;
use super::checklist::{checklist, ChecklistItem};
use super::classify::{classify, TopologyKind};
use super::cluster::{host_only, ClusterFacts, FsKey};
use super::derive::derive_facts;
use super::facts::FeatureStoreFacts;
use super::rules::{check, Violation};
use super::snapshot::{ClusterSnapshot, SourceError};
use crate::util::severity::Severity;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FeatureStoreReport {
    pub facts: FeatureStoreFacts,
    pub kind: TopologyKind,
    pub reasons: Vec<String>,
    pub checklist: Vec<ChecklistItem>,
    /// The guide's advice not followed.
    pub violations: Vec<Violation>,
    /// What the API server would say to the object as written (its CRD's schema and rules).
    pub admission: Admission,
}

impl FeatureStoreReport {
    /// A refusal by the API server counts as an error; the guide's rules as their severity.
    pub fn worst_severity(&self) -> Option<Severity> {
        let refused = self.admission.refused().then_some(Severity::Error);
        self.violations
            .iter()
            .map(|v| v.severity)
            .chain(refused)
            .max()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TopologyReport {
    pub cluster: ClusterFacts,
    pub feature_stores: Vec<FeatureStoreReport>,
    pub errors: Vec<SourceError>,
    /// What the source did not do and why; not problems.
    pub notes: Vec<SourceError>,
    /// The CRD the admissions were checked against.
    pub crd_source: Option<String>,
}

impl TopologyReport {
    pub fn has_errors(&self) -> bool {
        self.feature_stores
            .iter()
            .any(|f| f.worst_severity() == Some(Severity::Error))
    }

    pub fn find(&self, namespace: &str, name: &str) -> Option<&FeatureStoreReport> {
        self.feature_stores
            .iter()
            .find(|f| f.facts.namespace == namespace && f.facts.name == name)
    }
}

pub fn analyze(snapshot: &ClusterSnapshot) -> TopologyReport {
    let mut facts: Vec<FeatureStoreFacts> = snapshot
        .feature_stores
        .iter()
        .map(|fs| derive_facts(fs, snapshot))
        .collect();
    facts.sort_by_key(FeatureStoreFacts::key);
    // Registry hostnames the operator reported, so a remote `hostname` resolves to its store.
    let known_hostnames: BTreeMap<String, FsKey> = facts
        .iter()
        .flat_map(|f| {
            f.status
                .service_hostnames
                .iter()
                .filter(|(svc, _)| svc.starts_with("registry"))
                .map(move |(_, host)| (host_only(host).to_string(), f.key()))
        })
        .collect();
    let cluster = ClusterFacts::build(&facts, &known_hostnames);
    let feature_stores = facts
        .into_iter()
        .map(|facts| {
            let class = classify(&facts, &cluster);
            let admission = snapshot
                .admission(&facts.namespace, &facts.name)
                .map(|a| a.admission.clone())
                .unwrap_or_default();
            FeatureStoreReport {
                admission,
                checklist: checklist(&facts, class.kind, &cluster),
                violations: check(&facts, class.kind, &cluster),
                kind: class.kind,
                reasons: class.reasons,
                facts,
            }
        })
        .collect();
    TopologyReport {
        cluster,
        feature_stores,
        errors: snapshot.errors.clone(),
        notes: snapshot.notes.clone(),
        crd_source: snapshot.crd_source.clone(),
    }
}
