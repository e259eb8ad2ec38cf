//! Turns a parsed Python pattern into a Rust `regex` pattern with the same full-match meaning.
//!
//! Every literal is written as `\x{..}` and every flag is applied node by node, so Rust-only
//! syntax (`[[`, `&&`, `--` in classes, `(?x)` rules) can never change the meaning. What the two
//! engines answer differently is recorded instead of guessed:
//! - `\w \d \s \b` and case-insensitive matching use Unicode tables whose versions differ between
//!   Python 3.11 and the `regex` crate; on ASCII names they agree, so `unicode_tables` tells the
//!   matcher to refuse non-ASCII names;
//! - Python's `$` also matches before a final newline; `dollar_before_newline` tells the matcher
//!   to refuse names that contain a newline;
//! - Python's `\B` never matches in an empty string (Rust's does), so a second translation is
//!   kept for the empty name.

use std::fmt::Write;

use super::ast::{AtCode, Category, ClassItem, Flags, Node};
use super::parse::Parsed;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Translation {
    /// Anchored at both ends, like `re.fullmatch`.
    pub rust_pattern: String,
    pub unicode_tables: bool,
    pub dollar_before_newline: bool,
    /// For the empty name, when it needs its own translation (the pattern uses `\B`).
    pub rust_pattern_for_empty: Option<String>,
    /// The whole pattern is a plain case-sensitive string: a full match is string equality.
    pub exact_literal: Option<String>,
}

/// A character class no character belongs to (a lone surrogate in Python).
const NEVER: &str = r"[^\x{0}-\x{10FFFF}]";

struct Emitter {
    out: String,
    /// Translating for the empty name, where Python's `\B` fails.
    empty_subject: bool,
    non_boundary: bool,
    unicode_tables: bool,
    dollar_before_newline: bool,
}

pub fn translate(parsed: &Parsed) -> Result<Translation, &'static str> {
    if parsed.global_flags.template {
        return Err("the TEMPLATE flag (?t)");
    }
    let e = emit(parsed, false)?;
    let rust_pattern_for_empty = if e.non_boundary {
        Some(emit(parsed, true)?.out)
    } else {
        None
    };
    let exact_literal = if parsed.global_flags.ignorecase {
        None
    } else {
        parsed
            .nodes
            .iter()
            .map(|n| match n {
                Node::Literal(v) => char::from_u32(*v),
                _ => None,
            })
            .collect::<Option<String>>()
    };
    Ok(Translation {
        rust_pattern: e.out,
        unicode_tables: e.unicode_tables,
        dollar_before_newline: e.dollar_before_newline,
        rust_pattern_for_empty,
        exact_literal,
    })
}

fn emit(parsed: &Parsed, empty_subject: bool) -> Result<Emitter, &'static str> {
    let mut e = Emitter {
        out: String::from(r"\A(?:"),
        empty_subject,
        non_boundary: false,
        unicode_tables: false,
        dollar_before_newline: false,
    };
    e.seq(&parsed.nodes, parsed.global_flags)?;
    e.out.push_str(r")\z");
    Ok(e)
}

fn hex(out: &mut String, v: u32) {
    let _ = write!(out, r"\x{{{v:X}}}");
}

fn is_surrogate(v: u32) -> bool {
    (0xD800..=0xDFFF).contains(&v)
}

impl Emitter {
    fn seq(&mut self, nodes: &[Node], flags: Flags) -> Result<(), &'static str> {
        for n in nodes {
            self.node(n, flags)?;
        }
        Ok(())
    }

    fn node(&mut self, node: &Node, flags: Flags) -> Result<(), &'static str> {
        match node {
            Node::Literal(v) => {
                if flags.ignorecase {
                    self.unicode_tables = true;
                    if *v > 0x7F {
                        return Err("case-insensitive matching of non-ASCII characters");
                    }
                }
                match char::from_u32(*v) {
                    None => self.out.push_str(NEVER),
                    Some(_) if flags.ignorecase => {
                        self.out.push_str("(?i:");
                        hex(&mut self.out, *v);
                        self.out.push(')');
                    }
                    Some(_) => hex(&mut self.out, *v),
                }
            }
            Node::Any => self.out.push_str(if flags.dotall { "(?s:.)" } else { "." }),
            Node::In { negate, items } => self.class(*negate, items, flags)?,
            Node::At(at) => self.at(*at, flags),
            Node::Repeat {
                min,
                max,
                possessive,
                item,
            } => {
                if *possessive {
                    return Err("possessive quantifiers");
                }
                self.out.push_str("(?:");
                self.node(item, flags)?;
                self.out.push(')');
                match max {
                    Some(max) => {
                        let _ = write!(self.out, "{{{min},{max}}}");
                    }
                    None => {
                        let _ = write!(self.out, "{{{min},}}");
                    }
                }
            }
            Node::Group { add, del, body } => {
                self.out.push_str("(?:");
                self.seq(body, flags.union(*add).without(*del))?;
                self.out.push(')');
            }
            Node::Branch(alternatives) => {
                self.out.push_str("(?:");
                for (i, alt) in alternatives.iter().enumerate() {
                    if i > 0 {
                        self.out.push('|');
                    }
                    self.seq(alt, flags)?;
                }
                self.out.push(')');
            }
            Node::Unsupported(reason) => return Err(reason),
        }
        Ok(())
    }

    fn at(&mut self, at: AtCode, flags: Flags) {
        let s = match at {
            AtCode::Beginning if flags.multiline => "(?m:^)",
            AtCode::Beginning | AtCode::BeginningString => r"\A",
            AtCode::End if flags.multiline => "(?m:$)",
            AtCode::End => {
                self.dollar_before_newline = true;
                r"\z"
            }
            AtCode::EndString => r"\z",
            AtCode::Boundary => {
                self.unicode_tables = true;
                r"\b"
            }
            AtCode::NonBoundary => {
                self.unicode_tables = true;
                self.non_boundary = true;
                if self.empty_subject {
                    NEVER
                } else {
                    r"\B"
                }
            }
        };
        self.out.push_str(s);
    }

    fn class(
        &mut self,
        negate: bool,
        items: &[ClassItem],
        flags: Flags,
    ) -> Result<(), &'static str> {
        let mut body = String::new();
        for item in items {
            match *item {
                ClassItem::Literal(v) => {
                    if flags.ignorecase && v > 0x7F {
                        return Err("case-insensitive matching of non-ASCII characters");
                    }
                    if !is_surrogate(v) {
                        hex(&mut body, v);
                    }
                }
                ClassItem::Range(lo, hi) => {
                    if flags.ignorecase && hi > 0x7F {
                        return Err("case-insensitive matching of non-ASCII characters");
                    }
                    // Rust ranges are over scalar values: drop the surrogate part.
                    let lo = if is_surrogate(lo) { 0xE000 } else { lo };
                    let hi = if is_surrogate(hi) { 0xD7FF } else { hi };
                    if lo <= hi {
                        hex(&mut body, lo);
                        body.push('-');
                        hex(&mut body, hi);
                    }
                }
                ClassItem::Category(cat) => body.push_str(&self.category(cat, flags)),
                ClassItem::Unsupported(reason) => return Err(reason),
            }
        }
        if flags.ignorecase {
            self.unicode_tables = true;
        }
        let open = if flags.ignorecase { "(?i:" } else { "(?:" };
        self.out.push_str(open);
        if body.is_empty() {
            // Only lone surrogates were listed: the set matches nothing (or, negated, anything).
            self.out
                .push_str(if negate { r"[\x{0}-\x{10FFFF}]" } else { NEVER });
        } else {
            self.out.push_str(if negate { "[^" } else { "[" });
            self.out.push_str(&body);
            self.out.push(']');
        }
        self.out.push(')');
        Ok(())
    }

    /// A nested class for `\d \s \w` and their negations, as Python defines them.
    fn category(&mut self, cat: Category, flags: Flags) -> String {
        if flags.ascii {
            // ASCII semantics are exact: no Unicode tables involved.
            return match cat {
                Category::Digit => r"[0-9]",
                Category::NotDigit => r"[^0-9]",
                Category::Space => r"[\t\n\x0B\x0C\r ]",
                Category::NotSpace => r"[^\t\n\x0B\x0C\r ]",
                Category::Word => r"[0-9A-Za-z_]",
                Category::NotWord => r"[^0-9A-Za-z_]",
            }
            .to_string();
        }
        self.unicode_tables = true;
        // Python's str.isspace also accepts U+001C..U+001F, which Unicode White_Space does not.
        match cat {
            Category::Digit => r"[\d]",
            Category::NotDigit => r"[^\d]",
            Category::Space => r"[\s\x1C-\x1F]",
            Category::NotSpace => r"[^\s\x1C-\x1F]",
            Category::Word => r"[\w]",
            Category::NotWord => r"[^\w]",
        }
        .to_string()
    }
}
