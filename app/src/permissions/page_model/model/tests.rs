use super::*;
use crate::permissions::model::Policy;
use crate::permissions::page_model::csv::{matrix_csv, user_csv};
use crate::permissions::page_model::explain::{cell_explanation, cell_key};
use crate::permissions::page_model::token::user_from_token;
use crate::util::csv::{cell, formula_cells};
use crate::util::percent::data_url;

fn data() -> ProjectData {
    ProjectData {
        registry: "r".into(),
        project: "p".into(),
        permissions: vec![PermissionSpec {
            name: "readers".into(),
            types: vec![ResourceType::FeatureView],
            name_patterns: vec!["driver.*".into()],
            required_tags: Default::default(),
            actions: vec![Action::Describe],
            policy: Policy::RoleBased {
                roles: vec!["reader".into()],
            },
            tags: Default::default(),
        }],
        objects: vec![
            Resource::new(ResourceType::Project, "p"),
            Resource::new(ResourceType::FeatureView, "driver_stats"),
            Resource::new(ResourceType::FeatureView, "card_stats"),
            Resource::new(ResourceType::Entity, "driver"),
        ],
        notes: vec![],
    }
}

#[test]
fn matrix_cells_count_and_explain() {
    let v = project_view(&data(), &ViewQuery::default());
    assert_eq!(v.matrix.principals, vec!["role:reader"]);
    let col = v
        .matrix
        .columns
        .iter()
        .position(|(t, a)| t == "FEATURE_VIEW" && a == "DESCRIBE")
        .unwrap();
    let cell = &v.matrix.rows[0][col];
    assert_eq!((cell.allowed, cell.total), (1, 2));
    let d = data();
    let evaluator = PermissionEvaluator::new(&d.permissions);
    let key = cell_key(0, col);
    let why = cell_explanation(&d, &ViewQuery::default(), &key, &evaluator).unwrap();
    assert_eq!((why.allowed, why.total), (1, 2));
    assert_eq!(
        (
            why.principal.as_str(),
            why.object_type.as_str(),
            why.action.as_str()
        ),
        ("role:reader", "FEATURE_VIEW", "DESCRIBE")
    );
    assert!(why.lines[0].contains("readers: grants DESCRIBE"), "{why:?}");
    assert!(why.lines.iter().any(|l| l.contains("Denied on card_stats")));
    // The page names the same explanation when asked by key (the path without JavaScript).
    let asked = ViewQuery {
        explain: key,
        ..ViewQuery::default()
    };
    assert_eq!(project_view(&d, &asked).explained, Some(why));
    // The entity is covered by nothing: denied, and a lint says so.
    assert!(
        v.lints.iter().any(|l| l.code == "objects_uncovered"),
        "{:?}",
        v.lints
    );
}

#[test]
fn filters_and_as_a_user() {
    let q = ViewQuery {
        r#type: "FEATURE_VIEW".into(),
        action: "DESCRIBE".into(),
        roles: "reader".into(),
        principals: "group:x, bogus".into(),
        ..Default::default()
    };
    let v = project_view(&data(), &q);
    assert_eq!(
        v.matrix.columns,
        vec![("FEATURE_VIEW".to_string(), "DESCRIBE".to_string())]
    );
    assert_eq!(v.matrix.principals, vec!["role:reader", "group:x"]);
    assert!(v.notes.iter().any(|n| n.contains("bogus")));
    let u = v.as_user.unwrap();
    assert_eq!(u.actions, vec!["DESCRIBE", "DESCRIBE+UPDATE"]);
    let driver = u.rows.iter().find(|r| r.name == "driver_stats").unwrap();
    assert!(driver.cells[0].allowed);
    assert_eq!(driver.cells[0].why, "granted by readers");
    assert!(!driver.cells[1].allowed);
    let csv = user_csv(&u);
    assert!(csv.starts_with("type,name,action,allowed,why\n"));
    assert!(matrix_csv(&v.matrix).contains("role:reader,FEATURE_VIEW,DESCRIBE,1,2"));
}

#[test]
fn csv_quoting_and_data_urls() {
    assert_eq!(cell("a,b"), "\"a,b\"");
    assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_eq!(
        data_url("text/csv", "a b\n"),
        "data:text/csv;charset=utf-8,a%20b%0A"
    );
}

#[test]
fn a_pasted_token_is_read_the_way_feast_reads_it() {
    let enc = |v: serde_json::Value| {
        let text = v.to_string();
        // base64url without padding, written out to keep the test free of dependencies.
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in text.as_bytes().chunks(3) {
            let n =
                chunk.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
            for i in 0..=chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        format!("e30.{out}.sig")
    };
    let oidc = enc(serde_json::json!({
        "preferred_username": "ana",
        "roles": ["top"],
        "groups": ["/team-a"],
        "realm_access": {"roles": ["realm-admin"]},
        "resource_access": {"feast": {"roles": ["reader"]}}
    }));
    let (roles, groups, namespaces, note) = user_from_token(&oidc, "feast").unwrap();
    assert_eq!(
        (roles.as_str(), groups.as_str(), namespaces.as_str()),
        ("reader, top", "/team-a", "")
    );
    assert!(
        note.contains("realm roles ignored by Feast: realm-admin"),
        "{note}"
    );
    let (roles, _, _, note) = user_from_token(&oidc, "").unwrap();
    assert_eq!(roles, "top");
    assert!(note.contains("resource_access ignored"));
    let sa = enc(
        serde_json::json!({"sub": "system:serviceaccount:team-b:reader", "kubernetes.io": {"namespace": "team-b"}}),
    );
    assert_eq!(user_from_token(&sa, "").unwrap().2, "team-b");
    assert!(user_from_token("nope", "").is_err());
}

const HOSTILE: [&str; 5] = [
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "+cmd",
    "@SUM(1+1)",
    "\tX",
    "\rX",
];

/// Roles, permission and object names are registry text: the matrix and as-a-user exports
/// must not hand a spreadsheet a formula.
#[test]
fn the_matrix_and_as_a_user_exports_neutralise_formulas() {
    let mut d = data();
    d.permissions[0].name = HOSTILE[0].into();
    d.permissions[0].name_patterns = vec![".*".into()];
    d.permissions[0].policy = Policy::RoleBased {
        roles: HOSTILE.iter().map(|h| h.to_string()).collect(),
    };
    for h in HOSTILE {
        d.objects.push(Resource::new(ResourceType::FeatureView, h));
    }
    let q = ViewQuery {
        roles: HOSTILE.join(","),
        ..Default::default()
    };
    let v = project_view(&d, &q);
    let matrix = matrix_csv(&v.matrix);
    assert!(matrix.contains("role:"), "{matrix}");
    assert!(formula_cells(&matrix).is_empty(), "{matrix}");
    let user = user_csv(&v.as_user.unwrap());
    assert!(formula_cells(&user).is_empty(), "{user}");
    for h in HOSTILE {
        assert!(user.contains(&cell(h)), "{h:?} not guarded: {user}");
    }
}

/// Every cell's explanation agrees with the matrix's counts and with the evaluator's own
/// reason for each denied object it names; a key outside the matrix explains nothing.
#[test]
fn every_cell_explains_itself_like_the_evaluator() {
    let mut d = data();
    d.permissions.push(PermissionSpec {
        name: "writers".into(),
        types: vec![],
        name_patterns: vec![],
        required_tags: Default::default(),
        actions: vec![Action::Update, Action::Describe],
        policy: Policy::GroupBased {
            groups: vec!["w".into()],
        },
        tags: Default::default(),
    });
    let evaluator = PermissionEvaluator::new(&d.permissions);
    let q = ViewQuery::default();
    let v = project_view(&d, &q);
    for (pi, row) in v.matrix.rows.iter().enumerate() {
        for (ci, cell) in row.iter().enumerate() {
            let why = cell_explanation(&d, &q, &cell_key(pi, ci), &evaluator).unwrap();
            assert_eq!((why.allowed, why.total), (cell.allowed, cell.total));
            assert_eq!(why.principal, v.matrix.principals[pi]);
            let t = ResourceType::ALL
                .into_iter()
                .find(|t| t.name() == why.object_type)
                .unwrap();
            let a = Action::ALL
                .into_iter()
                .find(|a| a.name() == why.action)
                .unwrap();
            for line in why.lines.iter().filter(|l| l.starts_with("Denied on ")) {
                let name = &line["Denied on ".len()..line.find(':').unwrap()];
                let object = d
                    .objects
                    .iter()
                    .cloned()
                    .chain(d.permissions.iter().map(Resource::of_permission))
                    .find(|o| o.resource_type == t && o.name == name)
                    .unwrap();
                let user =
                    &crate::permissions::matrix::principals_from_policies(&d.permissions, &[])[pi]
                        .user;
                let decision = evaluator.evaluate(user, &object, &[a]);
                assert_ne!(decision.outcome, Outcome::Allow, "{line}");
            }
        }
    }
    for bad in ["", "9.0", "0.999", "x.y", "0", &"1".repeat(100)] {
        assert_eq!(cell_explanation(&d, &q, bad, &evaluator), None, "{bad}");
    }
}

/// The per-object list shows one page of objects; a page past the end shows the last one.
#[test]
fn objects_are_paged() {
    let mut d = data();
    d.objects
        .extend((0..60).map(|i| Resource::new(ResourceType::FeatureView, &format!("v{i:02}"))));
    let total = d.objects.len() + d.permissions.len();
    let first = project_view(&d, &ViewQuery::default());
    assert_eq!(first.objects.len(), OBJECTS_PER_PAGE);
    assert_eq!(first.objects_total, total);
    assert_eq!(
        (first.objects_page, first.objects_pages),
        (1, total.div_ceil(OBJECTS_PER_PAGE))
    );
    let last = project_view(
        &d,
        &ViewQuery {
            page: "99".into(),
            ..ViewQuery::default()
        },
    );
    assert_eq!(last.objects_page, last.objects_pages);
    assert_eq!(
        last.objects.len(),
        total - (last.objects_pages - 1) * OBJECTS_PER_PAGE
    );
}
