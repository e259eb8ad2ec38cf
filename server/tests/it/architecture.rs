//! No cycles between files: reads every `.rs` file under `app/src` and `server/src`, builds the
//! file-level dependency graph and fails listing each strongly connected component.
//!
//! How a file depends on another (kept simple on purpose):
//! - a path that starts with `crate::`, `super::`, `self::` or the name of a child module of the
//!   file (`model::X` in `cache/mod.rs`), in a `use` tree or anywhere in the code, resolves to the
//!   file of the longest module prefix it names: `a/b.rs` or `a/b/mod.rs`; a name inside a file
//!   (an item, an inline module) means that file, so an item re-exported from `mod.rs` counts as
//!   `mod.rs`;
//! - `mod x;` declares a child, it is not a dependency;
//! - comments, string literals, `#[cfg(test)]` items and test files (`tests.rs`, `*_tests.rs`,
//!   `tests_*.rs`, anything under `tests/`) are ignored; `super::` inside an inline module is
//!   read as if it were at the file's top level.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Cycles that are allowed, by the files they are made of.
fn allowed(cycle: &[String]) -> bool {
    let all_under = |prefix: &str| cycle.iter().all(|f| f.starts_with(prefix));
    // The Python regex parser is recursive descent: a group holds an alternation, which holds
    // groups, so its files call each other by design.
    all_under("app/src/permissions/pyregex/")
}

#[test]
fn no_cycles_between_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace holds the server crate");
    let mut graph = BTreeMap::new();
    for krate in ["app/src", "server/src"] {
        graph.extend(crate_graph(root, krate));
    }
    let cycles: Vec<Vec<String>> = strongly_connected(&graph)
        .into_iter()
        .filter(|c| c.len() > 1 && !allowed(c))
        .collect();
    let report: Vec<String> = cycles
        .iter()
        .map(|cycle| {
            let edges: Vec<String> = cycle
                .iter()
                .flat_map(|from| {
                    graph[from]
                        .iter()
                        .filter(|(to, _)| cycle.contains(to))
                        .map(move |(to, via)| format!("    {from} -> {to} ({via})"))
                })
                .collect();
            format!("cycle of {} files:\n{}", cycle.len(), edges.join("\n"))
        })
        .collect();
    assert!(report.is_empty(), "{}", report.join("\n"));
}

/// File (relative to the workspace) -> the files it depends on, each with one path that shows it.
type Graph = BTreeMap<String, BTreeMap<String, String>>;

fn crate_graph(root: &Path, krate: &str) -> Graph {
    let mut files = Vec::new();
    rust_files(&root.join(krate), &mut files);
    // Module path -> file; `main.rs` is the binary's own crate and names the library as `server::`.
    let modules: BTreeMap<Vec<String>, String> = files
        .iter()
        .filter_map(|f| {
            let rel = f.strip_prefix(root.join(krate)).ok()?;
            let module = module_path(rel)?;
            Some((module, format!("{krate}/{}", rel.display())))
        })
        .filter(|(_, name)| !is_test_file(name))
        .collect();
    let mut graph = Graph::new();
    for (module, name) in &modules {
        let text = std::fs::read_to_string(root.join(name)).expect("read a source file");
        let deps = graph.entry(name.clone()).or_default();
        for path in paths_in(&without_tests(&tokens(&text))) {
            let Some(target) = resolve(&modules, module, &path) else {
                continue;
            };
            if &target != name {
                deps.entry(target).or_insert_with(|| path.join("::"));
            }
        }
    }
    graph
}

/// Tarjan's algorithm: the strongly connected components, each sorted, in a stable order.
fn strongly_connected(graph: &Graph) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeMap<&'a str, bool>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, node: &'a str) {
        let n = s.index.len();
        s.index.insert(node, n);
        s.low.insert(node, n);
        s.stack.push(node);
        s.on_stack.insert(node, true);
        let graph = s.graph;
        for next in graph.get(node).into_iter().flat_map(|deps| deps.keys()) {
            let next = next.as_str();
            if !s.index.contains_key(next) {
                visit(s, next);
                let low = s.low[node].min(s.low[next]);
                s.low.insert(node, low);
            } else if s.on_stack.get(next).copied().unwrap_or(false) {
                let low = s.low[node].min(s.index[next]);
                s.low.insert(node, low);
            }
        }
        if s.low[node] == s.index[node] {
            let mut component = Vec::new();
            while let Some(top) = s.stack.pop() {
                s.on_stack.insert(top, false);
                component.push(top.to_string());
                if top == node {
                    break;
                }
            }
            component.sort();
            s.out.push(component);
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeMap::new(),
        out: Vec::new(),
    };
    for node in graph.keys() {
        if !state.index.contains_key(node.as_str()) {
            visit(&mut state, node);
        }
    }
    state.out.sort();
    state.out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read a source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `lib.rs` -> [], `a/b.rs` and `a/b/mod.rs` -> [a, b]; `main.rs` is not part of the library.
fn module_path(rel: &Path) -> Option<Vec<String>> {
    let mut parts: Vec<String> = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    match parts.last().map(String::as_str) {
        Some("main") if parts.len() == 1 => return None,
        Some("lib") if parts.len() == 1 => parts.clear(),
        Some("mod") => {
            parts.pop();
        }
        _ => {}
    }
    Some(parts)
}

fn is_test_file(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name);
    name.contains("/tests/")
        || file == "tests.rs"
        || file.ends_with("_tests.rs")
        || file.starts_with("tests_")
}

/// The file a path names: the longest module prefix that is a file of the crate.
fn resolve(
    modules: &BTreeMap<Vec<String>, String>,
    here: &[String],
    path: &[String],
) -> Option<String> {
    let mut absolute: Vec<String> = match path.first()?.as_str() {
        "crate" => Vec::new(),
        "self" | "super" => here.to_vec(),
        child => {
            let mut module = here.to_vec();
            module.push(child.to_string());
            modules.contains_key(&module).then_some(())?;
            here.to_vec()
        }
    };
    let mut rest = path
        .iter()
        .skip(usize::from(path[0] == "crate" || path[0] == "self"));
    // Leading `super`s climb; the rest descend.
    let mut rest_vec = Vec::new();
    let mut climbing = true;
    for seg in rest.by_ref() {
        if climbing && seg == "super" {
            absolute.pop()?;
        } else {
            climbing = false;
            rest_vec.push(seg.clone());
        }
    }
    absolute.extend(rest_vec);
    (0..=absolute.len())
        .rev()
        .find_map(|n| modules.get(&absolute[..n]).cloned())
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Ident(String),
    PathSep,
    Punct(char),
}

/// Identifiers, `::` and punctuation, with comments, strings and char literals left out.
fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == '"' {
            i = skip_string(&chars, i + 1);
        } else if c == 'r' && matches!(next, Some('"') | Some('#')) && raw_string_start(&chars, i) {
            i = skip_raw_string(&chars, i + 1);
        } else if c == 'b' && next == Some('"') {
            i = skip_string(&chars, i + 2);
        } else if c == '\'' {
            // A char literal ('a', '\n', '"'); otherwise a lifetime.
            if next == Some('\\') {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if c == ':' && next == Some(':') {
            out.push(Token::PathSep);
            i += 2;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token::Ident(chars[start..i].iter().collect()));
        } else {
            if !c.is_whitespace() {
                out.push(Token::Punct(c));
            }
            i += 1;
        }
    }
    out
}

/// Past the closing quote of a string whose contents start at `i`.
fn skip_string(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() && chars[i] != '"' {
        i += if chars[i] == '\\' { 2 } else { 1 };
    }
    i + 1
}

fn raw_string_start(chars: &[char], i: usize) -> bool {
    let before_is_ident = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
    let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
    !before_is_ident && chars.get(i + 1 + hashes) == Some(&'"')
}

/// Past the end of a raw string; `i` is just after the `r`.
fn skip_raw_string(chars: &[char], mut i: usize) -> usize {
    let hashes = chars[i..].iter().take_while(|c| **c == '#').count();
    i += hashes + 1;
    while i < chars.len() {
        if chars[i] == '"' && chars[i + 1..].iter().take_while(|c| **c == '#').count() >= hashes {
            return i + 1 + hashes;
        }
        i += 1;
    }
    i
}

/// The tokens without the items marked `#[cfg(test)]`.
fn without_tests(code: &[Token]) -> Vec<Token> {
    let cfg_test = tokens("#[cfg(test)]");
    let mut out = Vec::new();
    let mut i = 0;
    while i < code.len() {
        if code[i..].starts_with(&cfg_test) {
            i = end_of_item(code, i + cfg_test.len());
        } else {
            out.push(code[i].clone());
            i += 1;
        }
    }
    out
}

/// The index after the item that starts at `i`: its `;` or its first `{ … }` block at depth 0.
fn end_of_item(tokens: &[Token], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < tokens.len() {
        match tokens[i] {
            Token::Punct('(' | '[') => depth += 1,
            Token::Punct(')' | ']') => depth = depth.saturating_sub(1),
            Token::Punct(';') if depth == 0 => return i + 1,
            Token::Punct('{') => {
                let mut braces = 0usize;
                while i < tokens.len() {
                    match tokens[i] {
                        Token::Punct('{') => braces += 1,
                        Token::Punct('}') => {
                            braces -= 1;
                            if braces == 0 && depth == 0 {
                                return i + 1;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    i
}

/// Every path of two or more segments, with `use` trees expanded into full paths.
fn paths_in(tokens: &[Token]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let after_sep = i > 0 && tokens[i - 1] == Token::PathSep;
        match &tokens[i] {
            Token::Ident(word) if word == "use" && !after_sep => {
                i = use_tree(tokens, i + 1, &[], &mut out);
            }
            Token::Ident(first) if !after_sep => {
                let mut path = vec![first.clone()];
                i += 1;
                while let (Some(Token::PathSep), Some(Token::Ident(seg))) =
                    (tokens.get(i), tokens.get(i + 1))
                {
                    path.push(seg.clone());
                    i += 2;
                }
                if path.len() > 1 {
                    out.push(path);
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// Reads one use tree at `i` under `prefix`, pushing each full path; returns the index after it.
fn use_tree(
    tokens: &[Token],
    mut i: usize,
    prefix: &[String],
    out: &mut Vec<Vec<String>>,
) -> usize {
    let mut path = prefix.to_vec();
    loop {
        match tokens.get(i) {
            Some(Token::PathSep) => i += 1,
            Some(Token::Ident(word)) if word == "as" => i += 2,
            Some(Token::Ident(seg)) => {
                path.push(seg.clone());
                i += 1;
            }
            Some(Token::Punct('{')) => {
                i += 1;
                while !matches!(tokens.get(i), Some(Token::Punct('}')) | None) {
                    i = use_tree(tokens, i, &path, out);
                    if tokens.get(i) == Some(&Token::Punct(',')) {
                        i += 1;
                    }
                }
                return i + 1;
            }
            Some(Token::Punct('*')) => i += 1,
            _ => {
                // `self` in a group names the prefix itself.
                if path.last().is_some_and(|s| s == "self") && path.len() > prefix.len() {
                    path.pop();
                }
                if !path.is_empty() {
                    out.push(path);
                }
                // Leave `,` and `}` to the group; step over the `;` that ends a declaration.
                return if tokens.get(i) == Some(&Token::Punct(';')) {
                    i + 1
                } else {
                    i
                };
            }
        }
    }
}
