//! Benchmark (not a test): effective access for 1,000 permissions × 10,000 objects × 8 actions ×
//! 100 principals (8 million decisions; target under 1 s), and a sample of the same decisions
//! through Feast's own `enforce_policy` in the same run, extrapolated, for the ratio.
//!
//!     scripts/feast-venv.sh   # once, for the Feast part (skipped without it)
//!     cargo bench -p app --bench permissions_effective_access
//!
//! `FC_BENCH_ORACLE_SAMPLE` sets how many decisions Feast makes (default 2,000).

#[path = "../tests/it/support/mod.rs"]
mod support;

use std::{collections::BTreeMap, time::Instant};

use app::permissions::{
    access::single_action_requests, effective_access, Access, Action, PermissionEvaluator,
    PermissionSpec, Policy, Principal, Resource, ResourceType, User,
};
use serde_json::json;
use support::{feast_python, run_oracle, Rng};

const PERMISSIONS: usize = 1_000;
const OBJECTS: usize = 10_000;
const PRINCIPALS: usize = 100;
const TEAMS: usize = 50;

fn values(prefix: &str, rng: &mut Rng, max: usize) -> Vec<String> {
    (0..1 + rng.below(max))
        .map(|_| format!("{prefix}{}", rng.below(40)))
        .collect()
}

/// Permissions shaped like real ones: team prefixes, literal names, PII patterns, tag scopes.
fn permissions(rng: &mut Rng) -> Vec<PermissionSpec> {
    (0..PERMISSIONS)
        .map(|i| {
            let team = rng.below(TEAMS);
            let name_patterns = match rng.below(8) {
                0 | 1 => vec![],
                2 | 3 => vec![format!("team_{team}_.*")],
                4 => vec![format!("team_{team}_fv_{}", rng.below(OBJECTS / TEAMS))],
                5 => vec![".*_pii".to_string(), format!("team_{team}_secret_.*")],
                6 => vec!["(?i).*pii.*".to_string()],
                _ => vec![
                    format!("team_{team}_(fv|src)_\\d+"),
                    format!("team_{}_.*", rng.below(TEAMS)),
                ],
            };
            let types = if rng.chance(20) {
                vec![]
            } else {
                rng.some(&ResourceType::ALL, 3)
            };
            let mut actions = rng.some(&Action::ALL, 4);
            if actions.is_empty() {
                actions.push(Action::Describe);
            }
            let policy = match rng.below(4) {
                0 => Policy::RoleBased {
                    roles: values("role_", rng, 3),
                },
                1 => Policy::GroupBased {
                    groups: values("/group_", rng, 2),
                },
                2 => Policy::NamespaceBased {
                    namespaces: values("ns_", rng, 2),
                },
                _ => Policy::CombinedGroupNamespace {
                    groups: values("/group_", rng, 2),
                    namespaces: values("ns_", rng, 1),
                },
            };
            let mut required_tags = BTreeMap::new();
            if rng.chance(15) {
                required_tags.insert("team".to_string(), format!("team_{team}"));
            }
            PermissionSpec {
                name: format!("perm_{i}"),
                types,
                name_patterns,
                required_tags,
                actions,
                policy,
                tags: BTreeMap::new(),
            }
        })
        .collect()
}

fn objects(rng: &mut Rng) -> Vec<Resource> {
    (0..OBJECTS)
        .map(|i| {
            let t = *rng.pick(&ResourceType::ALL);
            let team = i % TEAMS;
            let kind = match rng.below(4) {
                0 => "src",
                1 => "secret",
                _ => "fv",
            };
            let suffix = if rng.chance(5) { "_pii" } else { "" };
            Resource::new(t, format!("team_{team}_{kind}_{}{suffix}", i / TEAMS))
                .with_tag("team", &format!("team_{team}"))
        })
        .collect()
}

fn principals(rng: &mut Rng) -> Vec<Principal> {
    (0..PRINCIPALS)
        .map(|i| {
            let user = User {
                username: format!("user_{i}"),
                roles: values("role_", rng, 2),
                groups: values("/group_", rng, 2),
                namespaces: values("ns_", rng, 1),
            };
            Principal::new(format!("user_{i}"), user)
        })
        .collect()
}

fn main() {
    let mut rng = Rng::new(2026);
    let perms = permissions(&mut rng);
    let objs = objects(&mut rng);
    let users = principals(&mut rng);
    let requests = single_action_requests();

    let started = Instant::now();
    let evaluator = PermissionEvaluator::new(&perms);
    let access = effective_access(&evaluator, &users, &objs, &requests, false);
    let console = started.elapsed().as_secs_f64();
    let cells = access.cells().len();
    let allowed = access
        .cells()
        .iter()
        .filter(|c| **c == Access::Allow)
        .count();
    println!(
        "console: {PERMISSIONS} permissions x {OBJECTS} objects x {} actions x {PRINCIPALS} principals = {cells} decisions \
         in {console:.3} s ({:.0} ns/decision), {allowed} allowed",
        requests.len(),
        console * 1e9 / cells as f64
    );

    let Some(python) = feast_python() else { return };
    let sample: usize = std::env::var("FC_BENCH_ORACLE_SAMPLE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000);
    let picks: Vec<(usize, usize, usize)> = (0..sample)
        .map(|_| {
            (
                rng.below(users.len()),
                rng.below(objs.len()),
                rng.below(requests.len()),
            )
        })
        .collect();
    let queries: Vec<_> = picks
        .iter()
        .map(|&(u, o, r)| json!({ "user": users[u].user, "resource": objs[o], "actions": requests[r] }))
        .collect();
    let input =
        json!({ "assert_only": true, "cases": [{ "permissions": perms, "queries": queries }] });
    let out = run_oracle(&python, &input);
    let feast_seconds = out["seconds"].as_f64().unwrap_or(f64::NAN);
    let answers = out["results"][0].as_array().cloned().unwrap_or_default();
    let disagreements = picks
        .iter()
        .zip(&answers)
        .filter(|((u, o, r), a)| {
            let want = match access.get(*u, *o, *r) {
                Access::Allow => "allow",
                Access::Deny => "deny",
                Access::Error => "error",
                Access::Unknown => return false,
            };
            a["assert"] != want
        })
        .count();
    let per_decision = feast_seconds / sample as f64;
    let extrapolated = per_decision * cells as f64;
    println!(
        "feast:   {sample} sampled decisions in {feast_seconds:.3} s inside enforce_policy ({:.1} us/decision); \
         all {cells} would take ~{extrapolated:.0} s (~{:.1} h)",
        per_decision * 1e6,
        extrapolated / 3600.0
    );
    println!(
        "ratio:   Feast / console ~ {:.0}x per decision; sample disagreements: {disagreements}",
        extrapolated / console
    );
    assert_eq!(
        disagreements, 0,
        "the console disagrees with Feast on the sample"
    );
}
