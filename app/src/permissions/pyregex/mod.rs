//! Python `re.fullmatch` for permission name patterns, reproduced with the `regex` crate where the
//! two agree and reported where they may not (Feast matches names with `re.fullmatch(pattern,
//! name)`, no flags, on Python 3.11).

mod ast;
mod escape;
mod group;
mod parse;
mod tokenizer;
mod translate;

use regex::Regex;

pub use parse::{PyRegexError, MAX_PATTERN_CHARS, MAX_PATTERN_DEPTH};

/// The outcome of `re.fullmatch(pattern, name)`, as far as the console can tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatternMatch {
    Match,
    NoMatch,
    /// Python would answer, but the console cannot reproduce how; the reason says why.
    Unknown(String),
    /// Python raises while compiling the pattern (Feast turns it into HTTP 500 / gRPC UNKNOWN).
    Error(PyRegexError),
}

#[derive(Clone, Debug)]
enum Compiled {
    /// A plain case-sensitive string: full match is equality.
    Exact(String),
    Regex {
        regex: Regex,
        /// Used for the empty name when Python's answer differs there (`\B`).
        regex_for_empty: Option<Regex>,
        unicode_tables: bool,
        dollar_before_newline: bool,
    },
    Invalid(PyRegexError),
    Unsupported(String),
    /// Past `MAX_PATTERN_DEPTH` or `MAX_PATTERN_CHARS`; the text says which.
    BeyondLimits(String),
}

/// One `name_patterns` entry, compiled once.
#[derive(Clone, Debug)]
pub struct NamePattern {
    source: String,
    compiled: Compiled,
}

impl NamePattern {
    /// Compiles `pattern` as Python's `re` would (no flags, str pattern).
    pub fn compile(pattern: &str) -> NamePattern {
        let compiled = match parse::parse(pattern) {
            Err(parse::ParseError::Python(e)) => Compiled::Invalid(e),
            Err(parse::ParseError::BeyondLimits(reason)) => Compiled::BeyondLimits(reason),
            Ok(parsed) => match translate::translate(&parsed) {
                Err(reason) => Compiled::Unsupported(format!("uses {reason}")),
                Ok(t) => match t.exact_literal {
                    Some(s) => Compiled::Exact(s),
                    None => {
                        let for_empty = t
                            .rust_pattern_for_empty
                            .as_deref()
                            .map(Regex::new)
                            .transpose();
                        match (Regex::new(&t.rust_pattern), for_empty) {
                            (Ok(regex), Ok(regex_for_empty)) => Compiled::Regex {
                                regex,
                                regex_for_empty,
                                unicode_tables: t.unicode_tables,
                                dollar_before_newline: t.dollar_before_newline,
                            },
                            (Err(e), _) | (_, Err(e)) => Compiled::Unsupported(format!(
                                "cannot be compiled by the console's regex engine ({e})"
                            )),
                        }
                    }
                },
            },
        };
        NamePattern {
            source: pattern.to_string(),
            compiled,
        }
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Why Python rejects this pattern, if it does.
    pub fn python_error(&self) -> Option<&PyRegexError> {
        match &self.compiled {
            Compiled::Invalid(e) => Some(e),
            _ => None,
        }
    }

    /// Why the console cannot evaluate this pattern at all, if it cannot.
    pub fn unsupported_reason(&self) -> Option<&str> {
        match &self.compiled {
            Compiled::Unsupported(r) | Compiled::BeyondLimits(r) => Some(r),
            _ => None,
        }
    }

    /// Which of the console's limits (`MAX_PATTERN_DEPTH`, `MAX_PATTERN_CHARS`) the pattern
    /// passes, if any.
    pub fn beyond_limits(&self) -> Option<&str> {
        match &self.compiled {
            Compiled::BeyondLimits(r) => Some(r),
            _ => None,
        }
    }

    /// Whether the pattern is a plain case-sensitive name (full match = equality).
    pub fn is_exact_literal(&self) -> bool {
        matches!(self.compiled, Compiled::Exact(_))
    }

    /// `re.fullmatch(pattern, name)`.
    pub fn fullmatch(&self, name: &str) -> PatternMatch {
        match &self.compiled {
            Compiled::Exact(s) => bool_match(s == name),
            Compiled::Invalid(e) => PatternMatch::Error(e.clone()),
            Compiled::Unsupported(r) | Compiled::BeyondLimits(r) => {
                PatternMatch::Unknown(r.clone())
            }
            Compiled::Regex {
                regex,
                regex_for_empty,
                unicode_tables,
                dollar_before_newline,
            } => {
                if *unicode_tables && !name.is_ascii() {
                    return PatternMatch::Unknown(
                        "uses \\w, \\d, \\s, \\b or case-insensitive matching on a non-ASCII name \
                         (Unicode tables differ between Python and the console)"
                            .into(),
                    );
                }
                if *dollar_before_newline && name.contains('\n') {
                    return PatternMatch::Unknown("uses $ on a name containing a newline".into());
                }
                match regex_for_empty {
                    Some(r) if name.is_empty() => bool_match(r.is_match(name)),
                    _ => bool_match(regex.is_match(name)),
                }
            }
        }
    }
}

fn bool_match(b: bool) -> PatternMatch {
    if b {
        PatternMatch::Match
    } else {
        PatternMatch::NoMatch
    }
}

#[cfg(test)]
mod tests;
