use super::*;
use crate::permissions::model::Policy;
use crate::permissions::page_model::csv::{matrix_csv, user_csv};
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
    assert!(
        cell.explanation[0].contains("readers: grants DESCRIBE"),
        "{cell:?}"
    );
    assert!(cell
        .explanation
        .iter()
        .any(|l| l.contains("Denied on card_stats")));
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
