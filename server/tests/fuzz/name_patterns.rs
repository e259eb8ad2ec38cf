//! Permission name patterns through the real Python-`re` parser and translator
//! (`app::permissions::pyregex`): patterns assembled from regex syntax (groups, classes,
//! repeats, escapes, flags, look-arounds, back-references), deep nesting, multi-byte
//! characters, then matched against hostile names.

use app::permissions::pyregex::{NamePattern, MAX_PATTERN_CHARS, MAX_PATTERN_DEPTH};
use proptest::prelude::*;

use crate::support::{fuzz, hostile_text, mutate_text, text_mutations};

const TOKENS: &[&str] = &[
    "a",
    "b",
    "é",
    "🦀",
    ".",
    "^",
    "$",
    "|",
    "*",
    "+",
    "?",
    "*?",
    "+?",
    "??",
    "{2}",
    "{2,}",
    "{,3}",
    "{2,1}",
    "{99999999999}",
    "{1000}",
    "(",
    ")",
    "(?:",
    "(?P<n>",
    "(?P=n)",
    "(?=",
    "(?!",
    "(?<=",
    "(?<!",
    "(?i)",
    "(?s:",
    "(?x)",
    "(?#c)",
    "(?(1)a|b)",
    "[",
    "]",
    "[^",
    "a-z",
    "z-a",
    "[[:alpha:]]",
    "\\",
    "\\d",
    "\\w",
    "\\s",
    "\\b",
    "\\B",
    "\\A",
    "\\Z",
    "\\z",
    "\\1",
    "\\99",
    "\\x4",
    "\\x41",
    "\\u00e9",
    "\\U0001F980",
    "\\N{DASH}",
    "\\0",
    "\\07",
    "\\777",
    "\\p{L}",
    "\\Q",
    "\\E",
    "-",
    ",",
    "{",
    "}",
    "\n",
    "\u{0}",
    "\u{301}",
];

fn pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(prop::sample::select(TOKENS), 0..30).prop_map(|t| t.concat()),
        1 => (prop::sample::select(&["(", "(?:", "[", "(?P<g>", "(?=", "(a|"][..]), 1usize..200)
            .prop_map(|(open, depth)| open.repeat(depth) + "a" + &")".repeat(depth)),
        1 => (1usize..(MAX_PATTERN_DEPTH + 8)).prop_map(|d| "(".repeat(d) + &")".repeat(d)),
        1 => (MAX_PATTERN_CHARS - 4..MAX_PATTERN_CHARS + 4).prop_map(|n| "a".repeat(n)),
        1 => (1u32..2_000, 1u32..2_000).prop_map(|(a, b)| format!("(a{{{a}}}){{{b}}}")),
        2 => (Just("(feature|driver)_[a-z]+(_v[0-9]+)?"), text_mutations())
            .prop_map(|(seed, changes)| mutate_text(seed, &changes)),
    ]
}

#[test]
fn name_patterns() {
    let strategy = (pattern(), prop::collection::vec(hostile_text(), 0..4));
    fuzz("name patterns", strategy, |(source, names)| {
        let pattern = NamePattern::compile(&source);
        let _ = pattern.is_exact_literal();
        for name in names
            .iter()
            .map(String::as_str)
            .chain(["", "a", "driver_v1"])
        {
            let _ = pattern.fullmatch(name);
        }
    });
}
