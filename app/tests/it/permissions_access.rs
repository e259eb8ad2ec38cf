//! The bulk effective-access computation (bit sets, shared pattern evaluation) must give exactly
//! the answers of the per-request evaluator, which the oracle test checks against Feast.

use crate::support;

use app::permissions::Action;
use app::permissions::{effective_access, Access, Outcome, PermissionEvaluator, Principal};
use support::CaseGenerator;

#[test]
fn bulk_access_equals_single_decisions() {
    let mut gen = CaseGenerator::new(7);
    let mut cells = 0;
    for _ in 0..100 {
        let case = gen.case(12);
        let evaluator = PermissionEvaluator::new(&case.permissions);
        let principals: Vec<Principal> = case
            .queries
            .iter()
            .enumerate()
            .map(|(i, q)| Principal::new(format!("p{i}"), q.user.clone()))
            .collect();
        let objects: Vec<_> = case.queries.iter().map(|q| q.resource.clone()).collect();
        let mut requests: Vec<Vec<Action>> = Action::ALL.iter().map(|a| vec![*a]).collect();
        requests.push(Action::UPDATE_REQUEST.to_vec());
        requests.extend(case.queries.iter().map(|q| q.actions.clone()));
        for intended in [false, true] {
            let access = effective_access(&evaluator, &principals, &objects, &requests, intended);
            for (pi, p) in principals.iter().enumerate() {
                for (oi, o) in objects.iter().enumerate() {
                    for (ri, r) in requests.iter().enumerate() {
                        let d = evaluator.evaluate(&p.user, o, r);
                        let single = if intended { d.intended } else { d.outcome };
                        let want = match single {
                            Outcome::Allow => Access::Allow,
                            Outcome::Deny => Access::Deny,
                            Outcome::Error(_) => Access::Error,
                            Outcome::Unknown(_) => Access::Unknown,
                        };
                        assert_eq!(
                            access.get(pi, oi, ri),
                            want,
                            "intended={intended} user={:?} object={o:?} request={r:?} permissions={:?}",
                            p.user,
                            case.permissions
                        );
                        cells += 1;
                    }
                }
            }
        }
    }
    assert!(cells > 50_000);
}
