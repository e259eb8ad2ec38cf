//! `feast-console permissions evaluate|lint` on a JSON file of permissions and objects.

use std::process::Command;

use serde_json::{json, Value};

fn write(name: &str, v: &Value) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("fc-perm-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec(v).expect("json")).expect("write");
    path
}

fn permissions_file() -> std::path::PathBuf {
    write(
        "permissions.json",
        &json!({
            "project": "driver_ranking",
            "permissions": [
                {"name": "team_a_read_shared", "types": ["FEATURE_VIEW"], "required_tags": {"visibility": "shared"},
                 "actions": ["DESCRIBE", "READ"], "policy": {"kind": "namespace_based", "namespaces": ["team-b"]}},
                {"name": "admins", "actions": ["ALL"], "policy": {"kind": "role_based", "roles": ["feast-admin"]}}
            ],
            "resources": [
                {"type": "BATCH_FEATURE_VIEW", "name": "driver_quality_sensitive", "tags": {"visibility": "private"}},
                {"type": "ON_DEMAND_FEATURE_VIEW", "name": "conv_rate"}
            ]
        }),
    )
}

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_feast-console"))
        .args(args)
        .output()
        .expect("run feast-console");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn evaluate_prints_one_decision_per_user_resource_and_request() {
    let perms = permissions_file();
    let queries = write(
        "queries.json",
        &json!({
            "users": [{"username": "team-b:reader", "namespaces": ["team-b"]}, {"username": "alice", "roles": ["feast-admin"]}],
            "resources": "all",
            "actions": ["READ_OFFLINE", ["DESCRIBE", "UPDATE"]]
        }),
    );
    let (code, stdout) = run(&[
        "permissions",
        "evaluate",
        "--permissions",
        perms.to_str().unwrap_or_default(),
        "--queries",
        queries.to_str().unwrap_or_default(),
    ]);
    assert_eq!(code, 0, "{stdout}");
    let v: Value = serde_json::from_str(&stdout).expect("JSON output");
    let decisions = v["decisions"].as_array().expect("decisions");
    // 2 users × (2 objects + 2 permission objects) × 2 requests.
    assert_eq!(decisions.len(), 16);
    let sensitive = decisions
        .iter()
        .find(|d| {
            d["user"] == "team-b:reader"
                && d["resource"]["name"] == "driver_quality_sensitive"
                && d["actions"] == json!(["READ_OFFLINE"])
        })
        .expect("decision present");
    assert_eq!(sensitive["allowed"], true, "Feast ignores required_tags");
    assert_eq!(sensitive["intended_allowed"], false);
    assert_eq!(sensitive["granted_by"], "team_a_read_shared");
    let odfv = decisions
        .iter()
        .find(|d| d["user"] == "team-b:reader" && d["resource"]["name"] == "conv_rate")
        .expect("decision present");
    assert_eq!(
        odfv["allowed"], false,
        "FEATURE_VIEW does not cover on-demand views"
    );
}

#[test]
fn lint_exits_1_on_errors_and_prints_json() {
    let perms = permissions_file();
    let (code, stdout) = run(&[
        "permissions",
        "lint",
        "--permissions",
        perms.to_str().unwrap_or_default(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{stdout}");
    let v: Value = serde_json::from_str(&stdout).expect("JSON output");
    let lint = v["lints"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|l| l["code"] == "required_tags_ignored")
        .expect("lint");
    assert_eq!(lint["severity"], "error");
    assert_eq!(lint["principals"], json!(["namespace:team-b"]));
}
