//! Everything read from one cluster or one manifests folder, at one moment.

use serde::Serialize;

use super::admission::Admission;
use super::crd::FeatureStore;
use super::objects::{
    ConfigMap, CronJob, Deployment, HorizontalPodAutoscaler, Ingress, KubeObject, NetworkPolicy,
    PodDisruptionBudget, Route, Service,
};

/// The operator's ConfigMap of registry settings, read when present (never a Secret).
pub const OPERATOR_REGISTRY_CONFIGMAP: &str = "feast-configs-registry";

/// Immutable once built; a source builds a new one and swaps it in.
#[derive(Clone, Debug, Default)]
pub struct ClusterSnapshot {
    pub feature_stores: Vec<FeatureStore>,
    pub deployments: Vec<Deployment>,
    pub hpas: Vec<HorizontalPodAutoscaler>,
    pub pdbs: Vec<PodDisruptionBudget>,
    pub network_policies: Vec<NetworkPolicy>,
    pub services: Vec<Service>,
    pub ingresses: Vec<Ingress>,
    pub routes: Vec<Route>,
    pub cron_jobs: Vec<CronJob>,
    pub config_maps: Vec<ConfigMap>,
    /// Problems met while reading, each naming where (file and document, or API kind).
    pub errors: Vec<SourceError>,
    /// What the source did not do and why (a kustomization not rendered); not problems.
    pub notes: Vec<SourceError>,
    /// What the API server would say to each FeatureStore, checked against the CRD.
    pub admissions: Vec<FeatureStoreAdmission>,
    /// Which CRD the admissions were checked against (bundled, or read from the cluster).
    pub crd_source: Option<String>,
}

/// The API server's verdict on one FeatureStore as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FeatureStoreAdmission {
    pub namespace: String,
    pub name: String,
    /// File and document, or API resource, it was read from.
    pub location: String,
    pub admission: Admission,
}

/// A problem the source met; the rest of the snapshot is still usable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceError {
    /// File and document (`a/b.yaml#2`) or API resource (`featurestores.feast.dev`).
    pub location: String,
    pub message: String,
}

impl ClusterSnapshot {
    pub fn push(&mut self, object: KubeObject) {
        match object {
            KubeObject::FeatureStore(fs) => self.feature_stores.push(*fs),
            KubeObject::Deployment(o) => self.deployments.push(o),
            KubeObject::HorizontalPodAutoscaler(o) => self.hpas.push(o),
            KubeObject::PodDisruptionBudget(o) => self.pdbs.push(o),
            KubeObject::NetworkPolicy(o) => self.network_policies.push(o),
            KubeObject::Service(o) => self.services.push(o),
            KubeObject::Ingress(o) => self.ingresses.push(o),
            KubeObject::Route(o) => self.routes.push(o),
            KubeObject::CronJob(o) => self.cron_jobs.push(o),
            KubeObject::ConfigMap(o) => self.config_maps.push(o),
        }
    }

    /// The operator's registry ConfigMap, when the source could read it.
    pub fn operator_registry_config(&self) -> Option<&ConfigMap> {
        self.config_maps
            .iter()
            .find(|c| c.metadata.name == OPERATOR_REGISTRY_CONFIGMAP)
    }

    /// Sorts every list by namespace and name so reports and diagrams do not depend on the order
    /// files or API pages came in.
    pub fn admission(&self, namespace: &str, name: &str) -> Option<&FeatureStoreAdmission> {
        self.admissions
            .iter()
            .find(|a| a.namespace == namespace && a.name == name)
    }

    pub fn sort(&mut self) {
        self.feature_stores.sort_by(|a, b| {
            (a.metadata.namespace_or_default(), &a.metadata.name)
                .cmp(&(b.metadata.namespace_or_default(), &b.metadata.name))
        });
    }
}
