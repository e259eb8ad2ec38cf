//! The console's areas, as the navigation and the home page list them.

/// The areas, in navigation order: (path, label, one-line purpose).
pub const AREAS: [(&str, &str, &str); 7] = [
    (
        "/catalog",
        "Catalog",
        "Projects, entities, feature views, services and data sources",
    ),
    (
        "/history",
        "History",
        "What changed in each registry, when, and who changed it",
    ),
    (
        "/compare",
        "Compare",
        "Where two registries or projects differ",
    ),
    (
        "/permissions",
        "Permissions",
        "Who may do what, exactly as Feast decides",
    ),
    (
        "/topology",
        "Topology",
        "Feast deployments: Minimal, Standard or Enterprise",
    ),
    (
        "/cache",
        "Registry cache",
        "Registry copies, refresh cost and storm risk",
    ),
    (
        "/recovery",
        "Recovery",
        "RPO and RTO per component, in recovery order",
    ),
];
