//! The Python a team adds to its feature repository so that `feast apply` keeps a permission
//! saved in the console: `feast apply` deletes (or reverts) every permission of the project that
//! the repository does not define (see docs/permissions.md).
//!
//! The text is what a person would write: the imports Feast 0.67 needs, then one
//! `Permission(...)` call with an argument per line, formatted as black formats it (88 columns,
//! a list on one line when it fits, else one item per line with a trailing comma). Strings are
//! Python literals that give back the exact stored text, whatever it holds.

use std::collections::BTreeMap;

use super::model::{python_strip, Action, PermissionSpec, Policy, ResourceType};

/// black's default line length.
const LINE: usize = 88;
const INDENT: &str = "    ";

/// Why the snippet is shown, in one line (the editor and the audit entry show it beside it).
pub const WHY: &str = "`feast apply` of a repository without this definition deletes it: add this to your feature repository.";

/// The module and class Feast 0.67 exports for a permission type.
pub fn type_import(t: ResourceType) -> (&'static str, &'static str) {
    let module = match t {
        ResourceType::FeatureView => "feast.feature_view",
        ResourceType::OnDemandFeatureView => "feast.on_demand_feature_view",
        ResourceType::BatchFeatureView => "feast.batch_feature_view",
        ResourceType::StreamFeatureView => "feast.stream_feature_view",
        ResourceType::Entity => "feast.entity",
        ResourceType::FeatureService => "feast.feature_service",
        ResourceType::DataSource => "feast.data_source",
        ResourceType::ValidationReference | ResourceType::SavedDataset => "feast.saved_dataset",
        ResourceType::Permission => "feast.permissions.permission",
        ResourceType::Project => "feast.project",
        ResourceType::LabelView => "feast.labeling.label_view",
    };
    (module, t.class_name())
}

/// Feast's action aliases (`feast.permissions.action`), used when the actions are exactly one.
fn action_alias(actions: &[Action]) -> Option<&'static str> {
    use Action::*;
    let aliases: [(&'static str, &[Action]); 4] = [
        ("ALL_ACTIONS", &Action::ALL),
        ("READ", &[ReadOffline, ReadOnline]),
        ("WRITE", &[WriteOffline, WriteOnline]),
        ("CRUD", &[Create, Describe, Update, Delete]),
    ];
    aliases
        .into_iter()
        .find(|(_, a)| *a == actions)
        .map(|(name, _)| name)
}

fn policy_class(p: &Policy) -> &'static str {
    match p {
        Policy::RoleBased { .. } => "RoleBasedPolicy",
        Policy::GroupBased { .. } => "GroupBasedPolicy",
        Policy::NamespaceBased { .. } => "NamespaceBasedPolicy",
        Policy::CombinedGroupNamespace { .. } => "CombinedGroupNamespacePolicy",
        Policy::AllowAll => "AllowAll",
    }
}

/// A Python string literal (double quotes) whose value is `s`. Control characters, and the
/// invisible characters that can make source read differently from what it does (bidi
/// controls, zero-width characters, line separators), are written as escapes.
pub fn py_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || ('\u{7f}'..='\u{9f}').contains(&c) => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2069}'
            | '\u{feff}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Python's keywords (soft keywords are fine as names).
const KEYWORDS: [&str; 35] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// The variable the snippet binds: the name in snake case (ASCII letters, digits and `_`), so
/// it cannot clash with the imported classes, which are capitalised.
pub fn variable_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let mut out = out.trim_matches('_').to_string();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out = format!("permission_{out}")
            .trim_end_matches('_')
            .to_string();
    }
    if KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// A Python expression, enough for a `Permission(...)` call.
enum Expr {
    /// Written as is: a name, an attribute or a string literal.
    Atom(String),
    List(Vec<Expr>),
    Dict(Vec<(Expr, Expr)>),
    Call(&'static str, Vec<(&'static str, Expr)>),
}

impl Expr {
    fn strings(items: &[String]) -> Expr {
        Expr::List(items.iter().map(|s| Expr::Atom(py_str(s))).collect())
    }

    fn dict(map: &BTreeMap<String, String>) -> Expr {
        Expr::Dict(
            map.iter()
                .map(|(k, v)| (Expr::Atom(py_str(k)), Expr::Atom(py_str(v))))
                .collect(),
        )
    }

    /// The brackets and the items as they read on one line.
    fn parts(&self) -> Option<(String, String, Vec<String>)> {
        match self {
            Expr::Atom(_) => None,
            Expr::List(items) => Some(("[".into(), "]".into(), items.iter().map(flat).collect())),
            Expr::Dict(pairs) => Some((
                "{".into(),
                "}".into(),
                pairs
                    .iter()
                    .map(|(k, v)| format!("{}: {}", flat(k), flat(v)))
                    .collect(),
            )),
            Expr::Call(f, args) => Some((
                format!("{f}("),
                ")".into(),
                args.iter()
                    .map(|(k, v)| format!("{k}={}", flat(v)))
                    .collect(),
            )),
        }
    }
}

/// `e` on one line.
fn flat(e: &Expr) -> String {
    match e {
        Expr::Atom(s) => s.clone(),
        _ => {
            let (open, close, items) = e.parts().unwrap_or_default();
            format!("{open}{}{close}", items.join(", "))
        }
    }
}

/// `e` starting after `lead` (already written at `depth`), followed by `tail` on its last line,
/// split as black splits it: on one line if it fits; else, for a call, the arguments on one
/// line between the brackets; else one item per line with a trailing comma (none after a
/// single item).
fn format(e: &Expr, depth: usize, lead: &str, tail: &str, out: &mut String) {
    let pad = INDENT.repeat(depth);
    let one = flat(e);
    let Some((open, close, items)) = e.parts() else {
        out.push_str(&format!("{pad}{lead}{one}{tail}\n"));
        return;
    };
    if pad.len() + lead.len() + one.chars().count() + tail.len() <= LINE || items.is_empty() {
        out.push_str(&format!("{pad}{lead}{one}{tail}\n"));
        return;
    }
    out.push_str(&format!("{pad}{lead}{open}\n"));
    let inner = items.join(", ");
    // One item: black moves it onto a line of its own and adds no comma.
    let tail_each = if items.len() == 1 { "" } else { "," };
    // A call's arguments may share a line; a list or dict literal of several items is split
    // one per line (black's `should_split_line`).
    let call = matches!(e, Expr::Call(..));
    if call && INDENT.len() * (depth + 1) + inner.chars().count() <= LINE && items.len() > 1 {
        out.push_str(&format!("{pad}{INDENT}{inner}\n"));
    } else {
        match e {
            Expr::List(xs) => xs
                .iter()
                .for_each(|x| format(x, depth + 1, "", tail_each, out)),
            Expr::Dict(pairs) => pairs
                .iter()
                .for_each(|(k, v)| format(v, depth + 1, &format!("{}: ", flat(k)), tail_each, out)),
            Expr::Call(_, args) => args
                .iter()
                .for_each(|(k, v)| format(v, depth + 1, &format!("{k}="), tail_each, out)),
            Expr::Atom(_) => {}
        }
    }
    out.push_str(&format!("{pad}{close}{tail}\n"));
}

fn policy_expr(p: &Policy) -> Expr {
    let call = |args: Vec<(&'static str, Expr)>| Expr::Call(policy_class(p), args);
    match p {
        Policy::RoleBased { roles } => call(vec![("roles", Expr::strings(roles))]),
        Policy::GroupBased { groups } => call(vec![("groups", Expr::strings(groups))]),
        Policy::NamespaceBased { namespaces } => {
            call(vec![("namespaces", Expr::strings(namespaces))])
        }
        Policy::CombinedGroupNamespace { groups, namespaces } => call(vec![
            ("groups", Expr::strings(groups)),
            ("namespaces", Expr::strings(namespaces)),
        ]),
        Policy::AllowAll => Expr::Atom("AllowAll".into()),
    }
}

/// What Feast's constructor would change: it strips name patterns and tag keys and values.
fn feast_strips(spec: &PermissionSpec) -> bool {
    let changed = |s: &String| python_strip(s) != s;
    spec.name_patterns.iter().any(changed)
        || [&spec.tags, &spec.required_tags]
            .iter()
            .any(|m| m.iter().any(|(k, v)| changed(k) || changed(v)))
}

/// The imports and the `Permission(...)` definition of `spec`, ending in a newline.
pub fn python_snippet(spec: &PermissionSpec) -> String {
    let mut imports: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut import = |module: &'static str, name: &'static str| {
        let names = imports.entry(module).or_default();
        if !names.contains(&name) {
            names.push(name);
        }
    };
    import("feast.permissions.permission", "Permission");
    import("feast.permissions.policy", policy_class(&spec.policy));
    let mut args: Vec<(&'static str, Expr)> = vec![("name", Expr::Atom(py_str(&spec.name)))];
    if !spec.types.is_empty() {
        for t in &spec.types {
            let (module, class) = type_import(*t);
            import(module, class);
        }
        let types = spec.types.iter().map(|t| Expr::Atom(t.class_name().into()));
        args.push(("types", Expr::List(types.collect())));
    }
    if !spec.name_patterns.is_empty() {
        args.push(("name_patterns", Expr::strings(&spec.name_patterns)));
    }
    if !spec.required_tags.is_empty() {
        args.push(("required_tags", Expr::dict(&spec.required_tags)));
    }
    let actions = match action_alias(&spec.actions) {
        Some(alias) => {
            import("feast.permissions.action", alias);
            Expr::Atom(alias.into())
        }
        None => {
            import("feast.permissions.action", "AuthzedAction");
            let each = spec.actions.iter();
            Expr::List(
                each.map(|a| Expr::Atom(format!("AuthzedAction.{}", a.name())))
                    .collect(),
            )
        }
    };
    args.push(("actions", actions));
    args.push(("policy", policy_expr(&spec.policy)));
    if !spec.tags.is_empty() {
        args.push(("tags", Expr::dict(&spec.tags)));
    }

    let mut out = String::new();
    for (module, mut names) in imports {
        names.sort_unstable();
        let line = format!("from {module} import {}", names.join(", "));
        if line.len() <= LINE {
            out.push_str(&line);
            out.push('\n');
        } else {
            out.push_str(&format!("from {module} import (\n"));
            names
                .iter()
                .for_each(|n| out.push_str(&format!("{INDENT}{n},\n")));
            out.push_str(")\n");
        }
    }
    out.push('\n');
    if spec.types.is_empty() {
        out.push_str("# No types: the permission covers every type (Feast stores all of them).\n");
    }
    if feast_strips(spec) {
        out.push_str("# Feast strips the spaces around name patterns and tag keys and values.\n");
    }
    if spec.policy == Policy::AllowAll {
        out.push_str("# Feast 0.67 stores AllowAll but cannot read it back: prefer a policy.\n");
    }
    out.push_str(&format!("{} = Permission(\n", variable_name(&spec.name)));
    for (k, v) in &args {
        format(v, 1, &format!("{k}="), ",", &mut out);
    }
    out.push_str(")\n");
    out
}

#[cfg(test)]
mod tests;
