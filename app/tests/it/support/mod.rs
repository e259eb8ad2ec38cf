//! Shared by the oracle test and the benchmark: a seeded case generator and the Feast oracle
//! runner. Tests must not depend on anything outside the repository.

#![allow(dead_code)]

use std::{collections::BTreeMap, path::PathBuf, process::Command};

use app::permissions::{Action, PermissionSpec, Policy, Resource, ResourceType, User};
use serde_json::{json, Value};

/// SplitMix64: tiny, seedable, and good enough to spread test cases.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub fn some<T: Clone>(&mut self, items: &[T], max: usize) -> Vec<T> {
        let n = self.below(max + 1);
        (0..n).map(|_| self.pick(items).clone()).collect()
    }
}

pub const NAMES: &[&str] = &[
    "driver",
    "driver_stats",
    "Driver",
    "driver_hourly_stats",
    "team_a_fv",
    "team_b_fv",
    "team_a_private",
    "card_pii_features",
    "Card_PII_Features",
    "fraud",
    "fraud_detection",
    "a",
    "ab",
    "aab",
    "",
    "x1",
    "x12",
    "tmp_1",
    "caf\u{e9}",
    "\u{212a}elvin",
    "a.b",
    "a-b",
    "[x]",
    "{1}",
    "a b",
    " driver",
    "line\nbreak",
    "driver\n",
    "123",
    "_",
    "\u{1c}",
    "Team_A_FV",
];

/// Hand-written patterns: everyday ones and every Python/Rust difference we know of.
pub const PATTERNS: &[&str] = &[
    "driver",
    "driver.*",
    ".*_fv",
    "team_[ab]_.*",
    ".*pii.*",
    "(?i).*pii.*",
    "(?i)DRIVER",
    "^driver$",
    "driver|fraud",
    "fraud(_detection)?",
    "a{1,2}b?",
    "x\\d+",
    "x\\d{1,}",
    "\\w+",
    "[^_]+",
    ".*",
    "",
    " driver ",
    "\\bdriver\\b",
    "driver\\Z",
    "(?x) d r i v e r",
    "(?s).*",
    "[[x]]",
    "[a-]",
    "[]x[]+",
    "\\x64river",
    "(?i:D)river",
    "(?a)\\w+",
    "team_a_.*$",
    "driver$\n",
    "(?m)driver$",
    "a{,2}b",
    "{1}",
    "\\{1}",
    "x{}",
    "a{2, 3}",
    "[\\s]",
    "\\s",
    "\\S+",
    "\\W",
    "(?i)[a-z]+",
    "(?i)[^a-z_]+",
    "[\\w.-]+",
    "(?P<n>a)b",
    "a(?#c)b",
    "\\101",
    "\\0",
    "caf\u{e9}",
    "(?i)CAF\u{c9}",
    "(?i)k.*",
    "[z-a]",
    "(",
    "a**",
    "*a",
    "\\q",
    "\\1",
    "a(?i)",
    "(?L)a",
    "(?a)(?u)a",
    "a{99999999999}",
    "(?=d).*",
    "(?!tmp).*",
    "(d)\\1.*",
    "a*+",
    "(?>a)b",
    "(?t)a",
    "\\N{LATIN SMALL LETTER A}",
    "(?(1)a|b)",
    "\\",
    "[a--b]",
    "[a&&b]",
    "[^\\W_]+",
    "(?i)_",
    "(?u)driver",
    ".+?",
    "a|",
    "(|a)b",
    "()",
];

/// Pieces for generated patterns.
const ATOMS: &[&str] = &[
    "a", "b", "d", "r", "_", ".", "\\d", "\\w", "\\s", "\\W", "[a-c]", "[^a]", "[_x]", "(?:a|b)",
    "(a)", "x", "1", "\\.", "-", "[.]", "^", "$", "\\b", "\\B", "\\A", "\\Z", "(?i:a)", "(?s:.)",
    "[a-]", "[\\d_]", "e", "i", "v",
];
const QUANTIFIERS: &[&str] = &[
    "", "", "", "*", "+", "?", "{2}", "{1,2}", "{,1}", "*?", "{0}",
];

pub const ROLES: &[&str] = &["admin", "reader", "writer", "Admin", "", "ops"];
pub const GROUPS: &[&str] = &["/dev", "dev", "ops", "/team-a"];
pub const NAMESPACES: &[&str] = &["team-a", "team-b", "feast"];
const TAG_KEYS: &[&str] = &["team", "visibility", " team ", "env"];
const TAG_VALUES: &[&str] = &["a", "b", "shared", " a ", "private", ""];

#[derive(Clone, Debug)]
pub struct Query {
    pub user: User,
    pub resource: Resource,
    pub actions: Vec<Action>,
}

impl Query {
    pub fn to_json(&self) -> Value {
        json!({ "user": self.user, "resource": self.resource, "actions": self.actions })
    }
}

#[derive(Clone, Debug)]
pub struct Case {
    pub permissions: Vec<PermissionSpec>,
    pub queries: Vec<Query>,
}

impl Case {
    pub fn to_json(&self) -> Value {
        json!({
            "permissions": self.permissions,
            "queries": self.queries.iter().map(Query::to_json).collect::<Vec<_>>(),
        })
    }
}

pub struct CaseGenerator {
    pub rng: Rng,
}

impl CaseGenerator {
    pub fn new(seed: u64) -> Self {
        CaseGenerator {
            rng: Rng::new(seed),
        }
    }

    pub fn pattern(&mut self) -> String {
        if self.rng.chance(60) {
            return self.rng.pick(PATTERNS).to_string();
        }
        if self.rng.chance(30) {
            // A name, used literally: the most common real pattern.
            return self.rng.pick(NAMES).to_string();
        }
        let mut p = String::new();
        if self.rng.chance(10) {
            p.push_str("(?i)");
        }
        for _ in 0..1 + self.rng.below(5) {
            p.push_str(self.rng.pick::<&str>(ATOMS));
            p.push_str(self.rng.pick::<&str>(QUANTIFIERS));
        }
        p
    }

    /// A random string of regex syntax: mostly invalid or odd patterns, to compare how Python
    /// and the console parse them.
    pub fn pattern_soup(&mut self) -> String {
        const SOUP: &[&str] = &[
            "a", "b", "_", "(", ")", "[", "]", "{", "}", "^", "$", "|", "*", "+", "?", ".", "\\",
            "\\d", "\\w", "\\s", "\\b", "\\B", "\\Z", "\\A", "-", ",", "1", "2", "(?i)", "(?:",
            "(?P<g>", "(?P=g)", "(?#x)", "\\x61", "\\0", "\\1", "\u{e9}", "(?x)", " ", "#", "\\n",
            "\n", "(?s)", "(?m)", "(?a)", "[^", "a-z", "\\-", "{1}", "{,2}", "{2,1}", "*?", "+?",
            "??", "(?=", "(?<!", "(?>", "\\.", "r",
        ];
        let n = 1 + self.rng.below(8);
        (0..n).map(|_| *self.rng.pick(SOUP)).collect()
    }

    fn tags(&mut self, max: usize) -> BTreeMap<String, String> {
        (0..self.rng.below(max + 1))
            .map(|_| {
                (
                    self.rng.pick(TAG_KEYS).to_string(),
                    self.rng.pick(TAG_VALUES).to_string(),
                )
            })
            .collect()
    }

    fn strings(&mut self, pool: &[&str], max: usize) -> Vec<String> {
        self.rng
            .some(pool, max)
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    pub fn policy(&mut self) -> Policy {
        match self.rng.below(9) {
            0..=2 => Policy::RoleBased {
                roles: self.strings(ROLES, 3),
            },
            3 | 4 => Policy::GroupBased {
                groups: self.strings(GROUPS, 2),
            },
            5 | 6 => Policy::NamespaceBased {
                namespaces: self.strings(NAMESPACES, 2),
            },
            7 => Policy::CombinedGroupNamespace {
                groups: self.strings(GROUPS, 2),
                namespaces: self.strings(NAMESPACES, 2),
            },
            _ => Policy::AllowAll,
        }
    }

    pub fn permission(&mut self, i: usize) -> PermissionSpec {
        let types = if self.rng.chance(20) {
            vec![]
        } else {
            self.rng.some(&ResourceType::ALL, 3)
        };
        let name_patterns = if self.rng.chance(45) {
            vec![]
        } else {
            (0..1 + self.rng.below(3)).map(|_| self.pattern()).collect()
        };
        let mut actions = self.rng.some(&Action::ALL, 5);
        if actions.is_empty() || self.rng.chance(15) {
            actions.extend_from_slice(&Action::UPDATE_REQUEST);
        }
        PermissionSpec {
            name: format!("perm_{i}"),
            types,
            name_patterns,
            required_tags: if self.rng.chance(30) {
                self.tags(2)
            } else {
                BTreeMap::new()
            },
            actions,
            policy: self.policy(),
            tags: self.tags(1),
        }
    }

    pub fn user(&mut self) -> User {
        User {
            username: if self.rng.chance(5) {
                String::new()
            } else {
                "alice".into()
            },
            roles: self.strings(ROLES, 2),
            groups: self.strings(GROUPS, 2),
            namespaces: self.strings(NAMESPACES, 1),
        }
    }

    pub fn resource(&mut self) -> Resource {
        let resource_type = *self.rng.pick(&ResourceType::ALL);
        let mut r = Resource::new(resource_type, *self.rng.pick(NAMES));
        r.tags = self.tags(2);
        if resource_type == ResourceType::Permission {
            r.required_tags = self.tags(2);
        }
        r
    }

    pub fn actions(&mut self) -> Vec<Action> {
        match self.rng.below(6) {
            0 => Action::UPDATE_REQUEST.to_vec(),
            1 => self.rng.some(&Action::ALL, 3),
            _ => vec![*self.rng.pick(&Action::ALL)],
        }
    }

    pub fn case(&mut self, queries: usize) -> Case {
        let n = if self.rng.chance(5) {
            0
        } else {
            1 + self.rng.below(6)
        };
        let permissions = (0..n).map(|i| self.permission(i)).collect();
        let queries = (0..queries)
            .map(|_| {
                let mut actions = self.actions();
                if actions.is_empty() {
                    actions.push(Action::Describe);
                }
                Query {
                    user: self.user(),
                    resource: self.resource(),
                    actions,
                }
            })
            .collect();
        Case {
            permissions,
            queries,
        }
    }
}

/// Fails the test because something it needs is missing: `what` it needs, the `problem`
/// found, and `how` to get it. A test never passes by skipping its work: scripts/test.sh
/// provides everything the tests need, and a missing piece is a failure that says so.
#[track_caller]
pub fn missing(what: &str, problem: impl std::fmt::Display, how: &str) -> ! {
    panic!("needs {what}: {problem}; {how}")
}

/// Where the Feast venv's Python is: `FC_TEST_FEAST_PYTHON`, else
/// `<workspace>/.venv/feast/bin/python`. It may not exist.
pub fn feast_python_path() -> PathBuf {
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace holds the app crate")
        .to_path_buf();
    std::env::var_os("FC_TEST_FEAST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join(".venv/feast/bin/python"))
}

/// The Feast venv's Python, which the oracle tests need; the test fails when it is absent.
#[track_caller]
pub fn required_feast_python() -> PathBuf {
    let python = feast_python_path();
    if !python.exists() {
        missing(
            "the Feast venv",
            format_args!("{} does not exist", python.display()),
            "run scripts/feast-venv.sh (scripts/test.sh does), or set FC_TEST_FEAST_PYTHON",
        );
    }
    python
}

/// For the benchmark only (app/benches), whose comparison with Feast is an optional extra:
/// the Feast venv's Python, or `None` with a note. Tests use [`required_feast_python`].
pub fn feast_python() -> Option<PathBuf> {
    let python = feast_python_path();
    if python.exists() {
        return Some(python);
    }
    eprintln!(
        "note: no Feast Python at {}; the benchmark leaves Feast out (run scripts/feast-venv.sh or set FC_TEST_FEAST_PYTHON)",
        python.display()
    );
    None
}

/// Runs `scripts/feast_oracle.py` once on `input` and returns its JSON answer.
pub fn run_oracle(python: &PathBuf, input: &Value) -> Value {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/feast_oracle.py");
    let path = std::env::temp_dir().join(format!(
        "fc-oracle-{}-{:?}.json",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::write(&path, serde_json::to_vec(input).expect("serialize cases"))
        .expect("write oracle input");
    let out = Command::new(python)
        .arg(&script)
        .arg(&path)
        .output()
        .expect("run the Feast oracle");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "the Feast oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("oracle output is JSON")
}
