//! The FeatureStore CRD the console checks objects against: the Feast operator's own
//! `feast.dev_featurestores.yaml`, bundled here, or the one a connected cluster serves (read by
//! `kube_source`, so a newer operator's rules apply without a console release). Each FeatureStore
//! a source reads gets the API server's verdict (`app::topology::admission`) in its snapshot.

use std::sync::OnceLock;

use app::topology::admission::{Crd, CrdError, Validator};
use app::topology::snapshot::{ClusterSnapshot, FeatureStoreAdmission, SourceError};
use serde_json::Value;

/// The operator's CRD as published with Feast (feast-dev/feast `infra/feast-operator`,
/// controller-gen v0.18.0): `v1` (storage) and `v1alpha1` (deprecated), both served.
const BUNDLED_CRD_YAML: &str = include_str!("feast.dev_featurestores.yaml");

/// The CRD's name in a cluster (`customresourcedefinitions.apiextensions.k8s.io`).
pub const FEATURE_STORE_CRD_NAME: &str = "featurestores.feast.dev";

/// The kind as the API server names it in its errors (`Crd::qualified_kind` of the CRD).
pub const FEATURE_STORE_KIND: &str = "FeatureStore.feast.dev";

pub const BUNDLED_CRD_SOURCE: &str = "the Feast operator's CRD bundled with the console";

/// Why a CRD document cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CrdLoadError {
    #[error("the CRD is not YAML or JSON")]
    Syntax(#[source] serde_norway::Error),
    #[error("the CRD cannot be used")]
    Shape(#[source] CrdError),
}

/// Parses a CRD from YAML (or JSON, which is YAML).
pub fn parse_crd(text: &str) -> Result<Crd, CrdLoadError> {
    let value: Value = serde_norway::from_str(text).map_err(CrdLoadError::Syntax)?;
    Crd::from_value(&value).map_err(CrdLoadError::Shape)
}

/// The bundled CRD, parsed once.
pub fn bundled_crd() -> Result<&'static Crd, &'static str> {
    static BUNDLED: OnceLock<Result<Crd, String>> = OnceLock::new();
    BUNDLED
        .get_or_init(|| parse_crd(BUNDLED_CRD_YAML).map_err(|e| app::backend::error_chain(&e)))
        .as_ref()
        .map_err(String::as_str)
}

/// Checks FeatureStores against one CRD and records the verdicts in a snapshot.
pub struct Admitter {
    validator: Validator,
    source: String,
}

impl Admitter {
    pub fn new(crd: Crd, source: impl Into<String>) -> Admitter {
        Admitter {
            validator: Validator::new(crd),
            source: source.into(),
        }
    }

    /// The bundled CRD; `None` only if the build shipped a broken one (a unit test rules it out).
    pub fn bundled() -> Option<Admitter> {
        bundled_crd()
            .ok()
            .map(|crd| Admitter::new(crd.clone(), BUNDLED_CRD_SOURCE))
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether a manifest is this CRD's kind (any version, served or not).
    pub fn is_custom_resource(&self, object: &Value) -> bool {
        let crd = self.validator.crd();
        let group = object
            .get("apiVersion")
            .and_then(Value::as_str)
            .and_then(|v| v.split_once('/'))
            .map(|(g, _)| g);
        group == Some(crd.group.as_str())
            && object.get("kind").and_then(Value::as_str) == Some(crd.kind.as_str())
    }

    /// Checks one object of the CRD's kind: its verdict goes to `snapshot.admissions`, an
    /// apiVersion the CRD does not serve to `snapshot.errors`.
    pub fn admit(&mut self, location: &str, object: &Value, snapshot: &mut ClusterSnapshot) {
        snapshot.crd_source = Some(self.source.clone());
        let text = |pointer: &str| {
            object
                .pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let name = text("/metadata/name");
        let namespace = match text("/metadata/namespace") {
            ns if ns.is_empty() => "default".to_string(),
            ns => ns,
        };
        match self.validator.admit(object) {
            Ok(admission) => snapshot.admissions.push(FeatureStoreAdmission {
                namespace,
                name,
                location: location.to_string(),
                admission,
            }),
            Err(message) => snapshot.errors.push(SourceError {
                location: location.to_string(),
                message: format!(
                    "{} {name}: {message}; read as v1",
                    self.validator.crd().kind
                ),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_crd_parses_with_both_versions_served() {
        let crd = bundled_crd().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(crd.qualified_kind(), FEATURE_STORE_KIND);
        assert!(crd.served("feast.dev/v1").is_some());
        assert!(crd.served("feast.dev/v1alpha1").is_some());
        assert!(crd.served("feast.dev/v2").is_none());
    }

    #[test]
    fn domain_defaults_match_the_crd() {
        let crd = bundled_crd().unwrap_or_else(|e| panic!("{e}"));
        let replicas = crd
            .served("feast.dev/v1")
            .and_then(|v| v.schema.properties.get("spec"))
            .and_then(|spec| spec.properties.get("replicas"))
            .and_then(|r| r.default.clone());
        assert_eq!(
            replicas,
            Some(Value::from(app::topology::derive::DEFAULT_REPLICAS))
        );
    }
}
