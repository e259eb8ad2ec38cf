//! The guide's recovery-priority table as types: components in restoration order, their RPO and
//! RTO objectives, and the status an assessment ends in. Pure data, no I/O.

use serde::{Deserialize, Serialize};

/// The four components of the guide's "Recovery priority guidance", in restoration order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentId {
    RegistryDb,
    OnlineStore,
    OfflineStore,
    OperatorCrds,
}

impl ComponentId {
    /// Restoration order: the registry first, because without it no service resolves features.
    pub const ALL: [ComponentId; 4] = [
        ComponentId::RegistryDb,
        ComponentId::OnlineStore,
        ComponentId::OfflineStore,
        ComponentId::OperatorCrds,
    ];

    /// Stable identifier for JSON, CSV, the console DB and Prometheus labels.
    pub fn id(self) -> &'static str {
        match self {
            ComponentId::RegistryDb => "registry_db",
            ComponentId::OnlineStore => "online_store",
            ComponentId::OfflineStore => "offline_store",
            ComponentId::OperatorCrds => "operator_crds",
        }
    }

    pub fn from_id(id: &str) -> Option<ComponentId> {
        ComponentId::ALL.into_iter().find(|c| c.id() == id)
    }

    pub fn label(self) -> &'static str {
        match self {
            ComponentId::RegistryDb => "Registry DB",
            ComponentId::OnlineStore => "Online store",
            ComponentId::OfflineStore => "Offline store",
            ComponentId::OperatorCrds => "Operator and CRDs",
        }
    }

    /// 1 (restore first) to 4.
    pub fn priority(self) -> u8 {
        match self {
            ComponentId::RegistryDb => 1,
            ComponentId::OnlineStore => 2,
            ComponentId::OfflineStore => 3,
            ComponentId::OperatorCrds => 4,
        }
    }

    pub fn criticality(self) -> &'static str {
        match self {
            ComponentId::RegistryDb => "critical",
            ComponentId::OnlineStore => "high",
            ComponentId::OfflineStore => "medium",
            ComponentId::OperatorCrds => "low",
        }
    }
}

/// Met < at risk < unknown < breached: the order in which a status is "worse".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Met,
    AtRisk,
    Unknown,
    Breached,
}

impl Status {
    pub fn id(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::AtRisk => "at_risk",
            Status::Unknown => "unknown",
            Status::Breached => "breached",
        }
    }

    pub fn from_id(id: &str) -> Option<Status> {
        [
            Status::Met,
            Status::AtRisk,
            Status::Unknown,
            Status::Breached,
        ]
        .into_iter()
        .find(|s| s.id() == id)
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::AtRisk => "at risk",
            Status::Unknown => "unknown",
            Status::Breached => "breached",
        }
    }

    /// The `feast_console_recovery_status` gauge: 0 met, 1 at risk, 2 breached, 3 unknown, so
    /// an alert on `== 2` fires on breaches only and `>= 1` on anything short of met.
    pub fn gauge(self) -> u8 {
        match self {
            Status::Met => 0,
            Status::AtRisk => 1,
            Status::Breached => 2,
            Status::Unknown => 3,
        }
    }
}

/// One component's objectives. `None` means the guide sets no number: the text says why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objective {
    pub rpo_seconds: Option<u64>,
    pub rto_seconds: Option<u64>,
    /// The guide's wording, shown next to the numbers.
    pub guidance: String,
}

/// Objectives for every component; the defaults turn the guide's words into numbers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objectives {
    pub registry_db: Objective,
    pub online_store: Objective,
    pub offline_store: Objective,
    pub operator_crds: Objective,
}

/// "Minutes" in the guide, read as a quarter of an hour.
pub const DEFAULT_REGISTRY_RPO_SECONDS: u64 = 15 * 60;
pub const DEFAULT_REGISTRY_RTO_SECONDS: u64 = 15 * 60;
/// "Minutes to hours (depends on data volume)": four hours.
pub const DEFAULT_ONLINE_RTO_SECONDS: u64 = 4 * 3600;
/// "Minutes (re-apply manifests)".
pub const DEFAULT_OPERATOR_RTO_SECONDS: u64 = 15 * 60;

impl Default for Objectives {
    fn default() -> Self {
        Objectives::new(
            DEFAULT_REGISTRY_RPO_SECONDS,
            DEFAULT_REGISTRY_RTO_SECONDS,
            DEFAULT_ONLINE_RTO_SECONDS,
            DEFAULT_OPERATOR_RTO_SECONDS,
        )
    }
}

impl Objectives {
    pub fn new(registry_rpo: u64, registry_rto: u64, online_rto: u64, operator_rto: u64) -> Self {
        Objectives {
            registry_db: Objective {
                rpo_seconds: Some(registry_rpo),
                rto_seconds: Some(registry_rto),
                guidance: "RPO minutes (continuous replication or frequent backups); RTO minutes (failover to standby)".into(),
            },
            online_store: Objective {
                rpo_seconds: None,
                rto_seconds: Some(online_rto),
                guidance: "RPO: reconstructible via materialization; RTO minutes to hours (depends on data volume)".into(),
            },
            offline_store: Objective {
                rpo_seconds: None,
                rto_seconds: None,
                guidance: "RPO and RTO per data warehouse SLA".into(),
            },
            operator_crds: Objective {
                rpo_seconds: None,
                rto_seconds: Some(operator_rto),
                guidance: "RPO n/a (declarative, stored in Git); RTO minutes (re-apply manifests)".into(),
            },
        }
    }

    pub fn of(&self, c: ComponentId) -> &Objective {
        match c {
            ComponentId::RegistryDb => &self.registry_db,
            ComponentId::OnlineStore => &self.online_store,
            ComponentId::OfflineStore => &self.offline_store,
            ComponentId::OperatorCrds => &self.operator_crds,
        }
    }
}

/// A share of an objective above which a met objective is reported "at risk" (80 %).
pub const AT_RISK_PERCENT: u64 = 80;

/// Compares an achieved figure with its objective: above it is breached, above 80 % is at risk.
pub fn judge(achieved: u64, objective: u64) -> Status {
    if achieved > objective {
        Status::Breached
    } else if achieved.saturating_mul(100) > objective.saturating_mul(AT_RISK_PERCENT) {
        Status::AtRisk
    } else {
        Status::Met
    }
}
