//! What each person sees of a registry equals what Feast lets them DESCRIBE (issue #16).
//!
//! Three generated registries (seeded, so a failure is reproducible) hold several projects
//! with objects of every kind, names and tags, and random permissions: name patterns with
//! anchors and alternation, required tags, every policy kind, actions with and without
//! DESCRIBE, one project with no permissions at all, and one whose permissions exercise
//! required tags. For each of 42 identities the console's answer is read through the real code
//! paths (`CatalogService::list`, `search`, `project`, `detail` and the export's
//! `query::filtered`) and compared with Feast 0.67's own `enforce_policy`
//! (scripts/feast_oracle.py, "assert": the single-object decision), asked about every
//! (identity, object) with that object's project's permissions.
//!
//! One dedicated project has a pattern the console's evaluator cannot decide (a lookahead):
//! what it decides is compared too, what it cannot is checked to be hidden and counted in
//! `undecided`, and not compared.
//!
//! Needs the Feast venv (scripts/feast-venv.sh; FC_TEST_FEAST_PYTHON overrides); the test
//! fails without it.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use app::auth::identity::Identity;
use app::auth::{ConsoleRole, SessionView};
use app::catalog::api::CatalogBackend;
use app::catalog::model::{
    CatalogObject, DataSourceDetail, Detail, ObjectKind, OnDemandDetail, PermissionDetail,
    ViewDetail, DUMMY_ENTITY_NAME,
};
use app::catalog::query::{filtered, ListQuery, Visibility, LIST_SLUGS, MAX_PAGE_SIZE, VIEW_KINDS};
use app::catalog::visibility::VisibilityRule;
use app::permissions::model::Policy;
use serde_json::{json, Value};
use server::catalog::backend::CatalogService;
use server::catalog::cross_check::CrossCheck;
use server::catalog::visibility::{CatalogVisibility, VisibilityCache};
use server::registry::refresher::{Registries, RegistryHandle};
use server::registry::{RegistrySnapshot, RegistrySource, SourceKind};

use crate::registry::fixtures::{feast_python, workspace_root};

/// splitmix64: a few lines, no crate, the same sequence everywhere.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Each item with probability `percent`, in order.
    fn subset(&mut self, items: &[&str], percent: u64) -> Vec<String> {
        items
            .iter()
            .filter(|_| self.chance(percent))
            .map(|s| s.to_string())
            .collect()
    }
}

const ROLES: [&str; 5] = ["reader", "writer", "admin", "analyst", "ml-eng"];
const GROUPS: [&str; 4] = ["team-a", "team-b", "/org/data", "ops"];
const NAMESPACES: [&str; 3] = ["ns-a", "ns-b", "feast"];

const PREFIXES: [&str; 7] = [
    "driver", "customer", "store", "team_a", "shared", "orders", "ds",
];
const SUFFIXES: [&str; 6] = ["stats", "v2", "daily", "01", "07", "hourly"];

/// Name patterns the console's evaluator decides (anchors, alternation, classes, groups,
/// counted repeats, a pattern Feast strips).
const PATTERNS: [&str; 14] = [
    ".*",
    "driver_.*",
    "^customer.*",
    "(driver|store)_.*",
    ".*_v2$",
    "^(team_a|shared)_.*$",
    "[a-m].*",
    "store_0[0-9]",
    "retail|fraud|ml",
    "(?:customer|driver)_stats",
    " shared_.* ",
    "orders_(daily|hourly)",
    "team_a_.+|.*_07",
    r"\w+_\d{2}",
];

const TYPE_NAMES: [&str; 12] = [
    "PROJECT",
    "ENTITY",
    "DATA_SOURCE",
    "FEATURE_VIEW",
    "BATCH_FEATURE_VIEW",
    "STREAM_FEATURE_VIEW",
    "ON_DEMAND_FEATURE_VIEW",
    "LABEL_VIEW",
    "FEATURE_SERVICE",
    "SAVED_DATASET",
    "VALIDATION_REFERENCE",
    "PERMISSION",
];

const ACTIONS: [&str; 7] = [
    "CREATE",
    "UPDATE",
    "DELETE",
    "READ_ONLINE",
    "READ_OFFLINE",
    "WRITE_ONLINE",
    "WRITE_OFFLINE",
];

/// The dedicated project whose one permission has a pattern the console cannot decide.
const UNDECIDABLE: &str = "undecidable";

/// The Feast permission type of a kind, written out here rather than taken from the console's
/// own conversion, so a mistake there shows up as a disagreement.
fn feast_type(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Project => "PROJECT",
        ObjectKind::Entity => "ENTITY",
        ObjectKind::DataSource => "DATA_SOURCE",
        ObjectKind::FeatureView => "FEATURE_VIEW",
        ObjectKind::BatchFeatureView => "BATCH_FEATURE_VIEW",
        ObjectKind::StreamFeatureView => "STREAM_FEATURE_VIEW",
        ObjectKind::OnDemandFeatureView => "ON_DEMAND_FEATURE_VIEW",
        ObjectKind::LabelView => "LABEL_VIEW",
        ObjectKind::FeatureService => "FEATURE_SERVICE",
        ObjectKind::SavedDataset => "SAVED_DATASET",
        ObjectKind::ValidationReference => "VALIDATION_REFERENCE",
        ObjectKind::Permission => "PERMISSION",
    }
}

fn tags(rng: &mut Seeded) -> BTreeMap<String, String> {
    let mut t = BTreeMap::new();
    if rng.chance(60) {
        t.insert("team".into(), rng.pick(&["a", "b", "c"]).to_string());
    }
    if rng.chance(40) {
        t.insert("env".into(), rng.pick(&["prod", "dev"]).to_string());
    }
    if rng.chance(15) {
        t.insert("pii".into(), "true".into());
    }
    t
}

fn object(kind: ObjectKind, project: &str, name: &str, detail: Detail) -> CatalogObject {
    let mut o = CatalogObject::unreadable(kind, project, name, String::new());
    o.detail = detail;
    o
}

fn detail_of(kind: ObjectKind) -> Detail {
    let view = || {
        Detail::View(ViewDetail {
            entities: vec![],
            features: vec![],
            entity_columns: vec![],
            ttl_seconds: 0,
            online: true,
            batch_source: None,
            stream_source: None,
            materialization_intervals: vec![],
            mode: Default::default(),
        })
    };
    match kind {
        ObjectKind::Project => Detail::Project,
        ObjectKind::Entity => Detail::Entity {
            join_key: "id".into(),
            value_type: "INT64".into(),
        },
        ObjectKind::DataSource => Detail::DataSource(DataSourceDetail {
            source_type: "BATCH_FILE".into(),
            timestamp_field: "ts".into(),
            location: "data.parquet".into(),
            batch_source: None,
            schema: vec![],
        }),
        ObjectKind::FeatureView
        | ObjectKind::BatchFeatureView
        | ObjectKind::StreamFeatureView
        | ObjectKind::LabelView => view(),
        ObjectKind::OnDemandFeatureView => Detail::OnDemandView(OnDemandDetail::default()),
        ObjectKind::FeatureService => Detail::FeatureService {
            projections: vec![],
        },
        ObjectKind::SavedDataset => Detail::SavedDataset {
            features: vec![],
            join_keys: vec![],
            storage: String::new(),
        },
        ObjectKind::ValidationReference => Detail::ValidationReference {
            reference_dataset: "ds".into(),
        },
        ObjectKind::Permission => unreachable!("permissions are generated on their own"),
    }
}

/// A random permission of `project`.
fn permission(rng: &mut Seeded, project: &str, i: usize) -> CatalogObject {
    let name = format!(
        "{}_{i}",
        rng.pick(&[
            "readers",
            "writers",
            "team_a_access",
            "shared_view",
            "driver_ops"
        ])
    );
    let types = if rng.chance(25) {
        vec![]
    } else {
        let mut t: Vec<String> = (0..1 + rng.below(4))
            .map(|_| rng.pick(&TYPE_NAMES).to_string())
            .collect();
        t.dedup();
        t
    };
    let name_patterns = if rng.chance(40) {
        vec![]
    } else {
        (0..1 + rng.below(2))
            .map(|_| rng.pick(&PATTERNS).to_string())
            .collect()
    };
    let mut required_tags = BTreeMap::new();
    if rng.chance(30) {
        required_tags.insert("team".into(), rng.pick(&["a", "b"]).to_string());
        if rng.chance(30) {
            required_tags.insert("env".into(), "prod".into());
        }
    }
    let mut actions = Vec::new();
    if rng.chance(75) {
        actions.push("DESCRIBE".to_string());
    }
    actions.extend(rng.subset(&ACTIONS, 20));
    if actions.is_empty() {
        actions.push("UPDATE".into());
    }
    let mut roles = rng.subset(&ROLES, 30);
    roles.push(rng.pick(&["auditor", "reader", "analyst"]).to_string());
    let mut groups = rng.subset(&GROUPS, 30);
    groups.push(rng.pick(&["nobody-group", "team-a"]).to_string());
    let mut namespaces = rng.subset(&NAMESPACES, 30);
    namespaces.push(rng.pick(&["ns-none", "ns-b"]).to_string());
    let policy = match rng.below(100) {
        0..35 => Policy::RoleBased { roles },
        35..55 => Policy::GroupBased { groups },
        55..70 => Policy::NamespaceBased { namespaces },
        70..90 => Policy::CombinedGroupNamespace { groups, namespaces },
        _ => Policy::AllowAll,
    };
    let mut o = object(
        ObjectKind::Permission,
        project,
        &name,
        Detail::Permission(PermissionDetail {
            types,
            name_patterns,
            required_tags,
            actions,
            policy: Some(policy),
        }),
    );
    o.tags = tags(rng).into();
    o
}

/// One project's objects: every kind with generated names and tags, Feast's `__dummy`
/// entity, and `permissions` random permissions.
fn project(rng: &mut Seeded, name: &str, permissions: usize) -> Vec<CatalogObject> {
    let mut out = vec![object(ObjectKind::Project, name, name, Detail::Project)];
    out[0].tags = tags(rng).into();
    out.push(object(
        ObjectKind::Entity,
        name,
        DUMMY_ENTITY_NAME,
        Detail::Entity {
            join_key: "__dummy_id".into(),
            value_type: "INVALID".into(),
        },
    ));
    let counts = [
        (ObjectKind::Entity, 3),
        (ObjectKind::DataSource, 3),
        (ObjectKind::FeatureView, 3),
        (ObjectKind::BatchFeatureView, 2),
        (ObjectKind::StreamFeatureView, 2),
        (ObjectKind::OnDemandFeatureView, 2),
        (ObjectKind::LabelView, 1),
        (ObjectKind::FeatureService, 2),
        (ObjectKind::SavedDataset, 2),
        (ObjectKind::ValidationReference, 1),
    ];
    // Feast names are unique per kind, and across every kind of feature view.
    let mut taken: BTreeSet<(ObjectKind, String)> = BTreeSet::new();
    for (kind, n) in counts {
        let family = if VIEW_KINDS.contains(&kind) {
            ObjectKind::FeatureView
        } else {
            kind
        };
        for _ in 0..n {
            let base = format!("{}_{}", rng.pick(&PREFIXES), rng.pick(&SUFFIXES));
            let mut candidate = base.clone();
            let mut n = 0;
            while !taken.insert((family, candidate.clone())) {
                n += 1;
                candidate = format!("{base}_{n}");
            }
            let mut o = object(kind, name, &candidate, detail_of(kind));
            o.tags = tags(rng).into();
            out.push(o);
        }
    }
    let mut names = BTreeSet::new();
    for i in 0..permissions {
        let p = permission(rng, name, i);
        if names.insert(p.name.clone()) {
            out.push(p);
        }
    }
    out
}

/// Hand-written permissions of the `tagged` project: Feast checks `required_tags` only
/// against a permission object's own `required_tags` (met, unmet, a superset, none at all),
/// and ignores them for every other kind.
fn tagged_permissions() -> Vec<CatalogObject> {
    let permission = |name: &str, types: &[&str], required: &[(&str, &str)], policy| {
        object(
            ObjectKind::Permission,
            "tagged",
            name,
            Detail::Permission(PermissionDetail {
                types: types.iter().map(|t| t.to_string()).collect(),
                name_patterns: vec![],
                required_tags: required
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                actions: vec!["DESCRIBE".into()],
                policy: Some(policy),
            }),
        )
    };
    let strings = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        permission(
            "tag_guard",
            &["PERMISSION"],
            &[("team", "a")],
            Policy::RoleBased {
                roles: strings(&["reader"]),
            },
        ),
        permission(
            "needs_team_a",
            &["FEATURE_VIEW"],
            &[("team", "a")],
            Policy::RoleBased {
                roles: strings(&["writer"]),
            },
        ),
        permission(
            "needs_team_b",
            &["ENTITY", "PERMISSION"],
            &[("team", "b")],
            Policy::NamespaceBased {
                namespaces: strings(&["ns-a"]),
            },
        ),
        permission(
            "needs_a_and_prod",
            &["PROJECT", "PERMISSION"],
            &[("team", "a"), ("env", "prod")],
            Policy::GroupBased {
                groups: strings(&["team-a"]),
            },
        ),
        permission(
            "no_tags_needed",
            &["DATA_SOURCE", "PERMISSION"],
            &[],
            Policy::CombinedGroupNamespace {
                groups: strings(&["ops"]),
                namespaces: strings(&["feast"]),
            },
        ),
    ]
}

/// The registries: the same project names in several of them (each decided by its own
/// registry's permissions), a project without permissions, and the undecidable project.
fn registries() -> Registries {
    let layout: [(&str, u64, &[(&str, usize)]); 3] = [
        ("alpha", 11, &[("retail", 5), ("fraud", 4), ("open", 0)]),
        ("beta", 22, &[("retail", 6), ("fraud", 3), ("ml", 5)]),
        (
            "gamma",
            33,
            &[("retail", 4), ("ops", 6), ("tagged", 0), (UNDECIDABLE, 0)],
        ),
    ];
    let handles = layout
        .iter()
        .map(|(registry, seed, projects)| {
            let mut rng = Seeded(*seed);
            let mut objects = Vec::new();
            for (name, permissions) in projects.iter() {
                objects.extend(project(&mut rng, name, *permissions));
                if *name == "tagged" {
                    objects.extend(tagged_permissions());
                }
            }
            if projects.iter().any(|(p, _)| *p == UNDECIDABLE) {
                // Names matching the first pattern are decided; a lookahead is not something
                // the console evaluates, so every other name is undecidable.
                objects.push(object(
                    ObjectKind::Permission,
                    UNDECIDABLE,
                    "half_known",
                    Detail::Permission(PermissionDetail {
                        types: vec![],
                        name_patterns: vec!["ds_.*".into(), "(?=x).*".into()],
                        required_tags: BTreeMap::new(),
                        actions: vec!["DESCRIBE".into()],
                        policy: Some(Policy::AllowAll),
                    }),
                ));
            }
            let handle = RegistryHandle::new(&RegistrySource {
                name: registry.to_string(),
                kind: SourceKind::File("/nonexistent/registry.db".into()),
                token: None,
            });
            handle.record(Ok(Some(RegistrySnapshot::build(
                objects,
                vec![],
                SystemTime::now(),
                Duration::ZERO,
            ))));
            Arc::new(handle)
        })
        .collect();
    Registries { handles }
}

fn identities() -> Vec<Identity> {
    let mut rng = Seeded(7);
    let mut out: Vec<Identity> = (0..40)
        .map(|i| Identity {
            username: format!("user{i}"),
            feast_roles: rng.subset(&ROLES, 30),
            groups: rng.subset(&GROUPS, 25),
            namespaces: rng.subset(&NAMESPACES, 20),
            ..Identity::default()
        })
        .collect();
    // A token without a username, but with roles and a group.
    out.push(Identity {
        username: String::new(),
        feast_roles: vec!["reader".into()],
        groups: vec!["team-a".into()],
        ..Identity::default()
    });
    // A username and nothing else.
    out.push(Identity {
        username: "solo".into(),
        ..Identity::default()
    });
    out
}

fn user_json(identity: &Identity) -> Value {
    json!({
        "username": identity.username,
        "roles": identity.feast_roles,
        "groups": identity.groups,
        "namespaces": identity.namespaces,
    })
}

/// A permission as the oracle takes it, straight from the generated detail.
fn permission_json(o: &CatalogObject) -> Value {
    let Detail::Permission(d) = &o.detail else {
        panic!("{} is not a permission", o.name)
    };
    json!({
        "name": o.name,
        "types": d.types,
        "name_patterns": d.name_patterns,
        "required_tags": d.required_tags,
        "actions": d.actions,
        "tags": o.tags,
        "policy": d.policy,
    })
}

fn resource_json(o: &CatalogObject) -> Value {
    let mut r = json!({ "type": feast_type(o.kind), "name": o.name, "tags": o.tags });
    if let Detail::Permission(d) = &o.detail {
        r["required_tags"] = json!(d.required_tags);
    }
    r
}

/// (registry, project, kind, name)
type Key = (String, String, ObjectKind, String);

fn key(registry: &str, o: &CatalogObject) -> Key {
    (
        registry.to_string(),
        o.project.to_string(),
        o.kind,
        o.name.to_string(),
    )
}

/// Whether the console's evaluator is expected to leave `o` undecided (see `UNDECIDABLE`).
fn undecidable(o: &CatalogObject) -> bool {
    o.project == UNDECIDABLE && !o.name.starts_with("ds_")
}

/// Everything `visibility` shows, through each real path, non-project objects only.
struct Shown {
    list: BTreeSet<Key>,
    search: BTreeSet<Key>,
    export: BTreeSet<Key>,
    detail: BTreeSet<Key>,
    projects: BTreeSet<Key>,
}

async fn shown(
    catalog: &CatalogService,
    registries: &Registries,
    visibility: &dyn Visibility,
) -> Shown {
    let mut list = BTreeSet::new();
    let mut export = BTreeSet::new();
    for slug in LIST_SLUGS {
        let mut page = 1;
        loop {
            let query = ListQuery {
                list: slug.into(),
                page,
                page_size: MAX_PAGE_SIZE,
                ..ListQuery::default()
            };
            let found = catalog.list(&query, visibility).await.unwrap();
            for r in &found.rows {
                assert!(
                    list.insert((
                        r.registry.clone(),
                        r.project.clone(),
                        r.kind,
                        r.name.clone()
                    )),
                    "listed twice: {r:?}"
                );
            }
            if page >= found.pages {
                break;
            }
            page += 1;
        }
        let snapshots = catalog.snapshots();
        let query = ListQuery {
            list: slug.into(),
            ..ListQuery::default()
        };
        for s in filtered(snapshots.objects(), &query, visibility).unwrap() {
            export.insert(key(s.registry, s.object));
        }
    }
    let mut search = BTreeSet::new();
    let mut detail = BTreeSet::new();
    let mut projects = BTreeSet::new();
    for handle in &registries.handles {
        let name = &handle.name;
        let results = catalog
            .search(&format!("registry:{name}"), usize::MAX, visibility)
            .await
            .unwrap();
        for hit in results.groups.iter().flat_map(|g| &g.hits) {
            search.insert((
                hit.registry.clone(),
                hit.project.clone(),
                hit.kind,
                hit.name.clone(),
            ));
        }
        let snapshot = handle.snapshot().unwrap();
        for p in &snapshot.projects {
            if catalog
                .project(name, &p.name, visibility)
                .await
                .unwrap()
                .is_some()
            {
                projects.insert(key(name, p));
            }
        }
        for o in &snapshot.objects {
            let found = catalog
                .detail(name, &o.project, o.kind, &o.name, visibility)
                .await
                .unwrap();
            if let Some(d) = found {
                assert_eq!((d.object.kind, &d.object.name), (o.kind, &o.name));
                detail.insert(key(name, o));
            }
        }
    }
    Shown {
        list,
        search,
        export,
        detail,
        projects,
    }
}

fn describe(identity: &Identity) -> String {
    format!(
        "{:?} roles {:?} groups {:?} namespaces {:?}",
        identity.username, identity.feast_roles, identity.groups, identity.namespaces
    )
}

#[tokio::test]
async fn each_identity_sees_what_feast_lets_it_describe() {
    let python = feast_python();
    let registries = registries();
    let identities = identities();

    // The oracle's cases: one per (registry, project), with that project's permissions, asking
    // about every identity × every object the console decides (internal `__dummy` entities are
    // never listed; the undecidable ones are checked separately).
    let mut cases = Vec::new();
    let mut asked: Vec<Vec<(usize, Key)>> = Vec::new();
    let mut permissions_of: BTreeMap<(String, String), Value> = BTreeMap::new();
    let mut undecided_expected = 0;
    let mut compared_objects = 0;
    for handle in &registries.handles {
        let snapshot = handle.snapshot().unwrap();
        let all: Vec<&CatalogObject> = snapshot
            .projects
            .iter()
            .chain(snapshot.objects.iter())
            .map(|o| &**o)
            .collect();
        for p in &snapshot.projects {
            let members: Vec<&CatalogObject> = all
                .iter()
                .copied()
                .filter(|o| o.project == p.name && !o.is_internal())
                .collect();
            let permissions: Vec<Value> = members
                .iter()
                .filter(|o| o.kind == ObjectKind::Permission)
                .map(|o| permission_json(o))
                .collect();
            undecided_expected += members.iter().filter(|o| undecidable(o)).count();
            let decided: Vec<&CatalogObject> =
                members.into_iter().filter(|o| !undecidable(o)).collect();
            compared_objects += decided.len();
            let mut queries = Vec::new();
            let mut keys = Vec::new();
            for (i, identity) in identities.iter().enumerate() {
                for o in &decided {
                    queries.push(json!({
                        "user": user_json(identity),
                        "resource": resource_json(o),
                        "actions": ["DESCRIBE"],
                    }));
                    keys.push((i, key(&handle.name, o)));
                }
            }
            permissions_of.insert(
                (handle.name.clone(), p.name.to_string()),
                json!(permissions),
            );
            cases.push(json!({ "permissions": permissions, "queries": queries }));
            asked.push(keys);
        }
    }
    assert!(undecided_expected > 3, "the undecidable project is empty");

    let dir = std::env::temp_dir().join(format!("fc-visibility-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("cases.json");
    std::fs::write(
        &file,
        serde_json::to_vec(&json!({ "assert_only": true, "cases": cases })).unwrap(),
    )
    .unwrap();
    let out = Command::new(&python)
        .arg(workspace_root().join("scripts/feast_oracle.py"))
        .arg(&file)
        .output()
        .expect("run the oracle");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Value = serde_json::from_slice(&out.stdout).expect("oracle JSON");
    let results = answers["results"].as_array().expect("results");
    assert_eq!(results.len(), asked.len());

    // Feast's side: per identity, what it may describe.
    let mut feast: Vec<BTreeSet<Key>> = vec![BTreeSet::new(); identities.len()];
    let mut decisions = 0;
    for (keys, answers) in asked.iter().zip(results) {
        let answers = answers.as_array().expect("answers");
        assert_eq!(answers.len(), keys.len());
        for ((identity, key), answer) in keys.iter().zip(answers) {
            decisions += 1;
            match answer["assert"].as_str() {
                Some("allow") => {
                    feast[*identity].insert(key.clone());
                }
                Some("deny") => {}
                other => panic!(
                    "Feast answered {other:?} for {} on {key:?}: {answer} (generated \
                     permissions must not make Feast fail)",
                    describe(&identities[*identity])
                ),
            }
        }
    }

    // The console's side, through the real paths.
    let catalog = CatalogService::new(registries.clone());
    let visibility = CatalogVisibility::new(
        VisibilityRule::Feast,
        VisibilityRule::Feast,
        registries.clone(),
        Arc::new(VisibilityCache::new(64 << 20)),
        Arc::new(CrossCheck::new(0)),
    );
    let mut failures = Vec::new();
    let mut allowed = 0;
    let mut seen_counts = Vec::new();
    for (i, identity) in identities.iter().enumerate() {
        let session = SessionView {
            identity: Some(identity.clone()),
            role: Some(ConsoleRole::Viewer),
            auth_off: true,
        };
        let request = visibility.for_session(&session);
        let shown = shown(&catalog, &registries, &request).await;
        let (want_projects, want_objects): (BTreeSet<Key>, BTreeSet<Key>) = feast[i]
            .iter()
            .cloned()
            .partition(|k| k.2 == ObjectKind::Project);
        allowed += feast[i].len();
        seen_counts.push(shown.list.len());
        for (path, got, want) in [
            ("list", &shown.list, &want_objects),
            ("search", &shown.search, &want_objects),
            ("export", &shown.export, &want_objects),
            ("detail", &shown.detail, &want_objects),
            ("project page", &shown.projects, &want_projects),
        ] {
            for k in got.difference(want) {
                failures.push(format!(
                    "{}: {path} shows {k:?}, Feast denies DESCRIBE; permissions {}",
                    describe(identity),
                    permissions_of[&(k.0.clone(), k.1.clone())]
                ));
            }
            for k in want.difference(got) {
                failures.push(format!(
                    "{}: {path} hides {k:?}, Feast allows DESCRIBE; permissions {}",
                    describe(identity),
                    permissions_of[&(k.0.clone(), k.1.clone())]
                ));
            }
        }
        if shown
            .list
            .iter()
            .chain(&shown.projects)
            .any(|k| k.1 == UNDECIDABLE && !k.3.starts_with("ds_"))
        {
            failures.push(format!(
                "{}: an undecidable object is shown",
                describe(identity)
            ));
        }
        if request.undecided() != undecided_expected {
            failures.push(format!(
                "{}: {} undecided, expected {undecided_expected}",
                describe(identity),
                request.undecided()
            ));
        }
    }

    // No identity at all sees nothing.
    let nobody = visibility.for_session(&SessionView::default());
    let none = shown(&catalog, &registries, &nobody).await;
    assert!(
        none.list.is_empty() && none.search.is_empty() && none.projects.is_empty(),
        "a session without an identity sees something"
    );

    assert!(
        failures.is_empty(),
        "{} disagreement(s) with Feast:\n{}",
        failures.len(),
        failures
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Not vacuous: the generated permissions split what people see.
    assert!(
        allowed > decisions / 10 && allowed < decisions * 9 / 10,
        "{allowed} of {decisions} allowed: the generated permissions do not discriminate"
    );
    let distinct: BTreeSet<usize> = seen_counts.iter().copied().collect();
    assert!(
        distinct.len() > 10,
        "identities see too few different catalogs: {seen_counts:?}"
    );
    eprintln!(
        "visibility oracle: {} registries, {} identities, {compared_objects} objects, \
         {decisions} decisions agree ({allowed} allowed), {undecided_expected} undecidable \
         objects hidden and counted",
        registries.handles.len(),
        identities.len()
    );
}
