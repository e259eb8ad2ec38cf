//! What the cluster source reads, declared once: the kinds it watches (with the verbs a
//! watcher uses), the CRD it gets by name. The shipped ClusterRole (`deploy/kubernetes/base/
//! clusterrole.yaml`) must grant exactly [`cluster_access`]; a test compares them.

use std::collections::BTreeSet;

use app::topology::snapshot::OPERATOR_REGISTRY_CONFIGMAP;
use kube::core::{ApiResource, GroupVersionKind};

use super::crd_admission::FEATURE_STORE_CRD_NAME;

/// One API kind the topology reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadKind {
    pub group: &'static str,
    /// Versions the console understands, preferred first; the first one the cluster serves is read.
    pub versions: &'static [&'static str],
    pub kind: &'static str,
    pub plural: &'static str,
    /// Not every cluster has it (OpenShift Routes): where its group is not served it is not
    /// read, and that is not a problem.
    pub optional: bool,
    /// Only the object of this name is read (by field selector; the ClusterRole grants no other).
    pub only_name: Option<&'static str>,
}

impl ReadKind {
    pub fn resource(&self, version: &str) -> ApiResource {
        ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk(self.group, version, self.kind),
            self.plural,
        )
    }

    pub fn api_version(&self, version: &str) -> String {
        if self.group.is_empty() {
            version.to_string()
        } else {
            format!("{}/{version}", self.group)
        }
    }

    /// `featurestores.feast.dev`, `services` (core).
    pub fn display(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }
}

const fn kind(
    group: &'static str,
    version: &'static [&'static str],
    kind: &'static str,
    plural: &'static str,
) -> ReadKind {
    ReadKind {
        group,
        versions: version,
        kind,
        plural,
        optional: false,
        only_name: None,
    }
}

/// FeatureStores: `v1`, or `v1alpha1` from an older operator that does not serve `v1` yet.
pub const FEATURE_STORE: ReadKind = kind(
    "feast.dev",
    &["v1", "v1alpha1"],
    "FeatureStore",
    "featurestores",
);

/// Every kind the cluster source watches, FeatureStores first.
pub const READ_KINDS: [ReadKind; 10] = [
    FEATURE_STORE,
    kind("apps", &["v1"], "Deployment", "deployments"),
    kind(
        "autoscaling",
        &["v2"],
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
    ),
    kind(
        "policy",
        &["v1"],
        "PodDisruptionBudget",
        "poddisruptionbudgets",
    ),
    kind(
        "networking.k8s.io",
        &["v1"],
        "NetworkPolicy",
        "networkpolicies",
    ),
    kind("", &["v1"], "Service", "services"),
    kind("networking.k8s.io", &["v1"], "Ingress", "ingresses"),
    ReadKind {
        optional: true,
        ..kind("route.openshift.io", &["v1"], "Route", "routes")
    },
    kind("batch", &["v1"], "CronJob", "cronjobs"),
    ReadKind {
        only_name: Some(OPERATOR_REGISTRY_CONFIGMAP),
        ..kind("", &["v1"], "ConfigMap", "configmaps")
    },
];

/// What kube-runtime's watcher asks for: a (paged) list, then a watch from its resourceVersion.
pub const WATCH_VERBS: [&str; 2] = ["list", "watch"];

/// The FeatureStore CRD, read by name so a newer operator's schema and rules apply.
pub const CRD_READ: ReadKind = ReadKind {
    only_name: Some(FEATURE_STORE_CRD_NAME),
    ..kind(
        "apiextensions.k8s.io",
        &["v1"],
        "CustomResourceDefinition",
        "customresourcedefinitions",
    )
};
pub const CRD_VERBS: [&str; 1] = ["get"];

/// One permission the cluster source uses: (API group, resource, verb, resource name if the
/// request is for one object only).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Access {
    pub group: String,
    pub resource: String,
    pub verb: String,
    pub resource_name: Option<String>,
}

/// Every permission the cluster source requests.
pub fn cluster_access() -> BTreeSet<Access> {
    let grants = |k: &ReadKind, verbs: &[&str]| -> Vec<Access> {
        verbs
            .iter()
            .map(|verb| Access {
                group: k.group.to_string(),
                resource: k.plural.to_string(),
                verb: verb.to_string(),
                resource_name: k.only_name.map(str::to_string),
            })
            .collect()
    };
    READ_KINDS
        .iter()
        .flat_map(|k| grants(k, &WATCH_VERBS))
        .chain(grants(&CRD_READ, &CRD_VERBS))
        .collect()
}
