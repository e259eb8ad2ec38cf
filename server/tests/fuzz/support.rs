//! The runner every target shares and the hostile mutations of bytes and text.
//!
//! Each target runs `PROPTEST_CASES` cases (proptest's default, 256, in the normal test run;
//! `scripts/figures.sh` sets a large number) and prints one line, `fuzz <target>: N cases,
//! 0 panics`, that the figures script collects. A panic in a parser fails the test with the
//! shrunk input; that input then becomes a regression test beside the parser.

use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Runs `check` on `strategy`'s cases; fails with the smallest input that panicked.
pub fn fuzz<S: Strategy>(target: &str, strategy: S, check: impl Fn(S::Value)) {
    let config = Config {
        // Regressions are kept as named tests beside the parser, not in a side file.
        failure_persistence: None,
        ..Config::default()
    };
    let cases = config.cases;
    let tried = AtomicU64::new(0);
    let mut runner = TestRunner::new(config);
    let outcome = runner.run(&strategy, |input| {
        tried.fetch_add(1, Ordering::Relaxed);
        // proptest turns a panic in here into a failure and shrinks its input.
        check(input);
        Ok::<(), TestCaseError>(())
    });
    let tried = tried.load(Ordering::Relaxed);
    match outcome {
        Ok(()) => println!("fuzz {target}: {tried} cases, 0 panics (PROPTEST_CASES={cases})"),
        Err(e) => panic!("fuzz {target}: failed after {tried} cases: {e}"),
    }
}

/// Tokens that make decoders take unusual paths: varints of ten bytes, a length of 4 GiB,
/// start/end group tags, field number 0, wire types 6 and 7 (invalid).
const HOSTILE_BYTES: &[&[u8]] = &[
    &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
    &[0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f],
    &[0x12, 0x80, 0x80, 0x80, 0x80, 0x10],
    &[0x0b],
    &[0x0c],
    &[0x00],
    &[0x0e],
    &[0x0f],
    &[0x0a, 0x00],
    &[0x0a, 0x02, 0xc3, 0x28],
    &[0x22, 0x04, 0xf0, 0x9f, 0x92, 0x96],
];

/// One change to a byte string; positions wrap around the current length.
#[derive(Clone, Debug)]
pub enum Mutation {
    FlipBit {
        at: usize,
        bit: u8,
    },
    Insert {
        at: usize,
        bytes: Vec<u8>,
    },
    Delete {
        at: usize,
        len: usize,
    },
    Truncate {
        at: usize,
    },
    /// Copies a slice after itself (repeated fields, duplicated messages).
    Duplicate {
        at: usize,
        len: usize,
    },
    /// Wraps the whole value in `depth` length-delimited field-1 layers.
    Nest {
        depth: usize,
    },
    /// Prefixes `depth` start-group tags.
    Groups {
        depth: usize,
    },
}

fn hostile_insert() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::sample::select(HOSTILE_BYTES).prop_map(<[u8]>::to_vec),
        prop::collection::vec(any::<u8>(), 1..16),
    ]
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Mutation::FlipBit { at, bit }),
        3 => (any::<usize>(), hostile_insert()).prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        2 => (any::<usize>(), 1usize..64).prop_map(|(at, len)| Mutation::Delete { at, len }),
        1 => any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        1 => (any::<usize>(), 1usize..256).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
        1 => (1usize..200).prop_map(|depth| Mutation::Nest { depth }),
        1 => (1usize..2_000).prop_map(|depth| Mutation::Groups { depth }),
    ]
}

pub fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(mutation(), 0..6)
}

fn varint(mut n: usize, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// `seed` with `mutations` applied in order.
pub fn mutate(seed: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for m in mutations {
        let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
        match m {
            Mutation::FlipBit { at: i, bit } => {
                if !bytes.is_empty() {
                    let i = at(*i, bytes.len());
                    bytes[i] ^= 1 << bit;
                }
            }
            Mutation::Insert {
                at: i,
                bytes: extra,
            } => {
                let i = at(*i, bytes.len() + 1);
                bytes.splice(i..i, extra.iter().copied());
            }
            Mutation::Delete { at: i, len } => {
                let i = at(*i, bytes.len());
                let end = (i + len).min(bytes.len());
                bytes.drain(i..end);
            }
            Mutation::Truncate { at: i } => {
                let i = at(*i, bytes.len());
                bytes.truncate(i);
            }
            Mutation::Duplicate { at: i, len } => {
                let i = at(*i, bytes.len());
                let end = (i + len).min(bytes.len());
                let copy = bytes[i..end].to_vec();
                bytes.splice(end..end, copy);
            }
            Mutation::Nest { depth } => {
                for _ in 0..*depth {
                    let mut wrapped = vec![0x0a];
                    varint(bytes.len(), &mut wrapped);
                    wrapped.extend_from_slice(&bytes);
                    bytes = wrapped;
                }
            }
            Mutation::Groups { depth } => {
                let mut prefixed = vec![0x0b; *depth];
                prefixed.extend_from_slice(&bytes);
                bytes = prefixed;
            }
        }
    }
    bytes
}

/// Text that breaks naive string handling: multi-byte and combining characters, right-to-left
/// marks, NUL, escapes, very long runs.
pub fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "\\PC{0,40}",
        2 => prop::collection::vec(
            prop::sample::select(&[
                "é", "🦀", "\u{202e}", "\u{0301}", "\u{0}", "\u{feff}", "\\", "\"", "'", "%",
                "%ZZ", "%c3%28", "&", "=", "?", "#", "/", ".", "..", "*", "\n", "\r\n", "\t",
                " ", ":", "{", "}", "[", "]", "(", ")", "|", "^", "$", "a", "Z", "0", "-1",
                "18446744073709551616", "ǅ", "ß", "İ", "\u{10ffff}",
            ][..]),
            0..40,
        )
        .prop_map(|parts| parts.concat()),
        1 => ("[a-z🦀é]", 1usize..20_000).prop_map(|(c, n)| c.repeat(n)),
    ]
}

/// A text mutation: characters inserted, removed, or the text repeated/nested.
#[derive(Clone, Debug)]
pub enum TextMutation {
    Insert {
        at: usize,
        text: String,
    },
    Delete {
        at: usize,
        len: usize,
    },
    /// `depth` copies of an opener before the text (deep nesting).
    Open {
        opener: &'static str,
        depth: usize,
    },
}

pub fn text_mutations() -> impl Strategy<Value = Vec<TextMutation>> {
    let one = prop_oneof![
        4 => (any::<usize>(), hostile_text()).prop_map(|(at, text)| TextMutation::Insert { at, text }),
        2 => (any::<usize>(), 1usize..40).prop_map(|(at, len)| TextMutation::Delete { at, len }),
        1 => (prop::sample::select(&["[", "{", "- ", "a:\n ", "(", "(?:", "&a [", "*a "][..]), 1usize..3_000)
            .prop_map(|(opener, depth)| TextMutation::Open { opener, depth }),
    ];
    prop::collection::vec(one, 0..5)
}

/// `seed` with `mutations` applied; positions are snapped to character boundaries.
pub fn mutate_text(seed: &str, mutations: &[TextMutation]) -> String {
    let mut text = seed.to_string();
    let boundary = |text: &str, i: usize| {
        let mut i = if text.is_empty() {
            0
        } else {
            i % (text.len() + 1)
        };
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    for m in mutations {
        match m {
            TextMutation::Insert { at, text: extra } => {
                let i = boundary(&text, *at);
                text.insert_str(i, extra);
            }
            TextMutation::Delete { at, len } => {
                let i = boundary(&text, *at);
                let end = boundary(&text, (i + len).min(text.len()));
                if end > i {
                    text.replace_range(i..end, "");
                }
            }
            TextMutation::Open { opener, depth } => {
                text = opener.repeat(*depth) + &text;
            }
        }
    }
    text
}
