//! The permission evaluator against Feast 0.67.0 itself: seeded random cases (permission sets,
//! names, tags, tricky patterns, users, action sets) are decided by `scripts/feast_oracle.py`
//! (Feast's own `enforce_policy`, run once for the whole batch) and by `PermissionEvaluator`.
//! Any disagreement fails and prints the case.
//!
//! Needs the pinned Feast venv: `scripts/feast-venv.sh` (creates `.venv/feast`). The Python is
//! taken from `FC_TEST_FEAST_PYTHON`, else `<workspace>/.venv/feast/bin/python`; without it the
//! tests fail. `FC_ORACLE_SEED` and `FC_ORACLE_CASES` change the seed and the number of
//! permission sets (20 queries each).

use crate::support;

use app::permissions::{ListOutcome, Outcome, PermissionEvaluator};
use serde_json::{json, Value};
use support::{required_feast_python, run_oracle, CaseGenerator};

fn outcome_name(o: &Outcome) -> Option<&'static str> {
    match o {
        Outcome::Allow => Some("allow"),
        Outcome::Deny => Some("deny"),
        Outcome::Error(_) => Some("error"),
        Outcome::Unknown(_) => None,
    }
}

fn list_name(o: &ListOutcome) -> Option<&'static str> {
    match o {
        ListOutcome::Allow => Some("allow"),
        ListOutcome::FilteredOut => Some("filtered_out"),
        ListOutcome::FailsCall => Some("denied_call"),
        ListOutcome::Error(_) => Some("error"),
        ListOutcome::Unknown(_) => None,
    }
}

#[test]
fn evaluator_agrees_with_feast_on_random_cases() {
    let python = required_feast_python();
    let seed = std::env::var("FC_ORACLE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_fea5);
    let case_count: usize = std::env::var("FC_ORACLE_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let mut gen = CaseGenerator::new(seed);
    let cases: Vec<support::Case> = (0..case_count).map(|_| gen.case(20)).collect();
    let input = json!({ "cases": cases.iter().map(support::Case::to_json).collect::<Vec<_>>() });
    let started = std::time::Instant::now();
    let output = run_oracle(&python, &input);
    let oracle_wall = started.elapsed();
    let results = output["results"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        results.len(),
        cases.len(),
        "oracle answered a different number of cases"
    );

    let mut compared = 0usize;
    let mut unknown = 0usize;
    let mut failures: Vec<String> = Vec::new();
    let started = std::time::Instant::now();
    for (case, answers) in cases.iter().zip(&results) {
        let evaluator = PermissionEvaluator::new(&case.permissions);
        for (q, want) in case
            .queries
            .iter()
            .zip(answers.as_array().into_iter().flatten())
        {
            let d = evaluator.evaluate(&q.user, &q.resource, &q.actions);
            let (Some(got_assert), Some(got_filter)) =
                (outcome_name(&d.outcome), list_name(&d.list_outcome))
            else {
                unknown += 1;
                continue;
            };
            compared += 1;
            let mut diffs = Vec::new();
            if want["assert"] != got_assert {
                diffs.push(format!(
                    "assert: feast {} / console {got_assert} ({:?})",
                    want["assert"], d.outcome
                ));
            }
            if want["filter"] != got_filter {
                diffs.push(format!(
                    "filter: feast {} / console {got_filter} ({:?})",
                    want["filter"], d.list_outcome
                ));
            }
            if got_assert != "error"
                && want["matching_permissions"] != json!(d.matching_permissions)
            {
                diffs.push(format!(
                    "matching: feast {} / console {:?}",
                    want["matching_permissions"], d.matching_permissions
                ));
            }
            if !diffs.is_empty() && failures.len() < 20 {
                failures.push(format!(
                    "{}\n  permissions: {}\n  query: {}\n  feast error: {}",
                    diffs.join("; "),
                    serde_json::to_string(&case.permissions).unwrap_or_default(),
                    q.to_json(),
                    want.get("error").unwrap_or(&Value::Null),
                ));
            }
        }
    }
    let console_time = started.elapsed();
    eprintln!(
        "oracle: {compared} decisions compared, {unknown} reported as undecidable by the console; \
         Feast {:.2}s in enforce_policy ({:.2}s wall incl. start-up), console {:.3}s (with explanations)",
        output["seconds"].as_f64().unwrap_or(f64::NAN),
        oracle_wall.as_secs_f64(),
        console_time.as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} disagreement(s) with Feast:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(
        compared >= 10_000 || case_count < 600,
        "only {compared} decisions were comparable"
    );
    // Undecidable answers must stay the exception (tricky patterns only).
    assert!(
        unknown * 20 < compared,
        "{unknown} undecidable out of {compared}"
    );
}

/// `name_patterns` alone, through Feast's own matcher: one permission with one pattern, every
/// test name. Random syntax soup included, so parse errors must agree too.
#[test]
fn name_patterns_agree_with_python_re_fullmatch() {
    use app::permissions::{Action, PermissionSpec, Policy, Resource, ResourceType, User};
    let python = required_feast_python();
    let seed = std::env::var("FC_ORACLE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x0dd_5eed);
    let mut gen = CaseGenerator::new(seed);
    let user = User::named("u").with_roles(&["r"]);
    let patterns: Vec<String> = (0..1500)
        .map(|i| {
            if i % 3 == 0 {
                gen.pattern_soup()
            } else {
                gen.pattern()
            }
        })
        .chain(support::PATTERNS.iter().map(|p| p.to_string()))
        .collect();
    let cases: Vec<(PermissionSpec, Vec<Resource>)> = patterns
        .iter()
        .map(|p| {
            let spec = PermissionSpec {
                name: "p".into(),
                types: vec![],
                name_patterns: vec![p.clone()],
                required_tags: Default::default(),
                actions: vec![Action::Describe],
                policy: Policy::RoleBased {
                    roles: vec!["r".into()],
                },
                tags: Default::default(),
            };
            (
                spec,
                support::NAMES
                    .iter()
                    .map(|n| Resource::new(ResourceType::Entity, *n))
                    .collect(),
            )
        })
        .collect();
    let input = json!({
        "assert_only": true,
        "cases": cases.iter().map(|(spec, objects)| json!({
            "permissions": [spec],
            "queries": objects.iter().map(|o| json!({ "user": user, "resource": o, "actions": ["DESCRIBE"] })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    let output = run_oracle(&python, &input);
    let mut compared = 0;
    let mut unknown = 0;
    let mut failures = Vec::new();
    for ((spec, objects), answers) in cases
        .iter()
        .zip(output["results"].as_array().into_iter().flatten())
    {
        let evaluator = PermissionEvaluator::new(std::slice::from_ref(spec));
        for (o, want) in objects.iter().zip(answers.as_array().into_iter().flatten()) {
            let Some(got) = outcome_name(&evaluator.outcome(&user, o, &[Action::Describe])) else {
                unknown += 1;
                continue;
            };
            compared += 1;
            if want["assert"] != got && failures.len() < 30 {
                failures.push(format!(
                    "re.fullmatch({:?}, {:?}): feast {} ({}), console {got}",
                    spec.name_patterns[0],
                    o.name,
                    want["assert"],
                    want.get("error").unwrap_or(&Value::Null)
                ));
            }
        }
    }
    eprintln!("patterns: {compared} pattern x name pairs compared, {unknown} undecidable");
    assert!(
        failures.is_empty(),
        "{} disagreement(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
