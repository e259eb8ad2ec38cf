//! Expected answers were produced by CPython 3.11.7's `re.fullmatch` (the Python Feast 0.67 runs
//! on); `Unknown` marks patterns the console must report instead of evaluating.

use super::{NamePattern, PatternMatch};

fn outcome(pattern: &str, name: &str) -> &'static str {
    match NamePattern::compile(pattern).fullmatch(name) {
        PatternMatch::Match => "Match",
        PatternMatch::NoMatch => "NoMatch",
        PatternMatch::Unknown(_) => "Unknown",
        PatternMatch::Error(e) if e.python_type == "re.error" => "Error",
        PatternMatch::Error(e) => e.python_type,
    }
}

fn check(cases: &[(&str, &str, &str)]) {
    let mut failures = Vec::new();
    for (pattern, name, want) in cases {
        let got = outcome(pattern, name);
        if got != *want {
            failures.push(format!(
                "re.fullmatch({pattern:?}, {name:?}): want {want}, got {got}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fullmatch_is_anchored_and_case_sensitive() {
    check(&[
        ("driver", "driver", "Match"),
        ("driver", "Driver", "NoMatch"),
        ("driver", "driver_x", "NoMatch"),
        (".*pii.*", "Card_PII_Features", "NoMatch"),
        ("(?i).*pii.*", "Card_PII_Features", "Match"),
        ("^driver$", "driver", "Match"),
        ("team_a_.*", "team_a_fv", "Match"),
        ("team_a_.*", "team_a_fv\n", "NoMatch"),
        ("a|ab", "ab", "Match"),
        ("(a|b)+", "abba", "Match"),
    ]);
}

#[test]
fn quantifiers_and_braces_follow_python() {
    check(&[
        ("a{2,3}", "aaaa", "NoMatch"),
        ("a{,2}", "", "Match"),
        ("a{2, 3}", "a{2, 3}", "Match"),
        ("x{}", "x{}", "Match"),
        ("a**", "a", "Error"),
        ("*a", "a", "Error"),
        ("a{3,2}", "a", "Error"),
        ("a{99999999999}", "a", "OverflowError"),
    ]);
}

#[test]
fn character_classes_follow_python_not_rust_set_syntax() {
    check(&[
        ("[]a]+", "]a]", "Match"),
        ("[^]a]", "b", "Match"),
        ("[a-]", "-", "Match"),
        ("[[a]", "[", "Match"),
        ("[a&&b]", "&", "Match"),
        ("[a--b]", "-", "Error"),
        ("[z-a]", "a", "Error"),
        (r"[\d-z]", "a", "Error"),
        (r"[\ud800-\udfff]", "a", "NoMatch"),
        (r"\ud800", "a", "NoMatch"),
    ]);
}

#[test]
fn categories_and_anchors() {
    check(&[
        (r"\d+", "123", "Match"),
        (r"\s", "\u{1c}", "Match"),
        (r"(?a)\s", "\u{1c}", "NoMatch"),
        (r"\w+", "ab_9", "Match"),
        (r"\W", "-", "Match"),
        (r"\bfoo\b", "foo", "Match"),
        (r"a\Z", "a", "Match"),
        ("(?m)a$\n", "a\n", "Match"),
        ("(?s).", "\n", "Match"),
        // Python's \B never matches in an empty string; \b neither (found by the oracle).
        (r"\B", "", "NoMatch"),
        (r"(?:\B)?x?", "", "Match"),
        (r"\B?", "", "Error"),
        (r"\b", "", "NoMatch"),
        (r"a\B", "a", "NoMatch"),
        (r"a\Bb", "ab", "Match"),
        (".", "\n", "NoMatch"),
    ]);
}

#[test]
fn flags_escapes_and_groups() {
    check(&[
        ("(?x) a b # c", "ab", "Match"),
        ("(?i)K", "k", "Match"),
        ("(?i:a)b", "Ab", "Match"),
        ("(?i:a)b", "AB", "NoMatch"),
        ("(?i)a(?-i:b)", "AB", "NoMatch"),
        (r"\x41", "A", "Match"),
        (r"\101", "A", "Match"),
        (r"\0", "\0", "Match"),
        ("(?P<x>a)", "a", "Match"),
        ("a(?#c)b", "ab", "Match"),
        ("(?i)(?m)a", "A", "Match"),
    ]);
}

#[test]
fn invalid_patterns_are_errors_like_python() {
    check(&[
        ("\\", "x", "Error"),
        ("(", "x", "Error"),
        (r"\q", "q", "Error"),
        (r"\1", "a", "Error"),
        ("a(?i)", "a", "Error"),
        ("(?L)a", "a", "Error"),
        ("(?au)a", "a", "Error"),
        ("(?a)(?u)a", "a", "ValueError"),
    ]);
}

#[test]
fn python_only_syntax_is_reported_not_guessed() {
    check(&[
        (r"(a)\1", "aa", "Unknown"),
        ("(?=a)a", "a", "Unknown"),
        ("a*+", "aa", "Unknown"),
        ("(?>a)", "a", "Unknown"),
        ("(?t)a", "a", "Unknown"),
        (r"\N{LATIN SMALL LETTER A}", "a", "Unknown"),
        // Python's `$` also matches before a final newline.
        ("a$", "a\n", "Unknown"),
        // Unicode tables differ between Python and the regex crate.
        (r"\w", "\u{bd}", "Unknown"),
        ("(?i)caf\u{e9}", "CAF\u{c9}", "Unknown"),
    ]);
}

#[test]
fn patterns_beyond_the_console_limits_are_unknown() {
    use super::{MAX_PATTERN_CHARS, MAX_PATTERN_DEPTH};
    let at_limit = format!(
        "{}a{}",
        "(".repeat(MAX_PATTERN_DEPTH),
        ")".repeat(MAX_PATTERN_DEPTH)
    );
    assert_eq!(outcome(&at_limit, "a"), "Match");
    let too_deep = format!("(?:{at_limit})");
    assert_eq!(outcome(&too_deep, "a"), "Unknown");
    let lookahead_deep = format!("{}a{}", "(?=".repeat(1000), ")".repeat(1000));
    assert_eq!(outcome(&lookahead_deep, "a"), "Unknown");
    assert_eq!(
        outcome(
            &"a".repeat(MAX_PATTERN_CHARS),
            &"a".repeat(MAX_PATTERN_CHARS)
        ),
        "Match"
    );
    let too_long = "a".repeat(MAX_PATTERN_CHARS + 1);
    assert_eq!(outcome(&too_long, &too_long), "Unknown");
    let p = NamePattern::compile(&too_long);
    assert!(p.beyond_limits().is_some() && p.python_error().is_none());
}
