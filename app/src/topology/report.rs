//! One call from a snapshot to everything the page and the command line show.

use std::collections::BTreeMap;

use serde::Serialize;

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
    pub violations: Vec<Violation>,
}

impl FeatureStoreReport {
    pub fn worst_severity(&self) -> Option<Severity> {
        self.violations.iter().map(|v| v.severity).max()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TopologyReport {
    pub cluster: ClusterFacts,
    pub feature_stores: Vec<FeatureStoreReport>,
    pub errors: Vec<SourceError>,
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
            FeatureStoreReport {
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
    }
}
