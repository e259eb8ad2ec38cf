//! The metadata every Kubernetes object carries, shared by the FeatureStore resource
//! (`crd.rs`) and the objects around it (`objects.rs`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default)]
pub struct ObjectMeta {
    pub name: String,
    pub namespace: Option<String>,
    pub labels: BTreeMap<String, String>,
    /// GitOps tools mark what they manage with annotations as often as with labels.
    pub annotations: BTreeMap<String, String>,
}

impl ObjectMeta {
    /// Objects without a namespace (manifests often omit it) land in `default`, as with kubectl.
    pub fn namespace_or_default(&self) -> &str {
        self.namespace
            .as_deref()
            .filter(|n| !n.is_empty())
            .unwrap_or("default")
    }
}
