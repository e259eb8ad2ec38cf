//! A port of CPython 3.11's `re/_parser.py` (the Python Feast 0.67 runs on), reduced to what
//! deciding a `re.fullmatch` needs. It follows the Python code step by step so that a pattern
//! Python rejects is rejected here with the same message, and everything Python accepts but
//! this console cannot reproduce (backreferences, lookaround, ...) becomes `Node::Unsupported`.

use super::ast::{AtCode, ClassItem, Flags, Node};
use super::escape::{class_escape, escape};
use super::group::parse_group;
pub use super::tokenizer::PyRegexError;
use super::tokenizer::{err, Tok, Tokenizer};

/// CPython's `_sre.MAXREPEAT`: repeat counts at or above it raise `OverflowError`.
pub(super) const MAXREPEAT: u64 = 4_294_967_295;
/// CPython's `_sre.MAXGROUPS` on 64-bit builds.
pub(super) const MAXGROUPS: usize = 1_073_741_823;

pub(super) const DIGITS: &str = "0123456789";
pub(super) const OCTDIGITS: &str = "01234567";
pub(super) const HEXDIGITS: &str = "0123456789abcdefABCDEF";

/// Groups nested deeper than this are not parsed: the parser recurses once per level, and a
/// hostile pattern of 100,000 `(` would overflow the stack. Real name patterns nest a few levels.
pub const MAX_PATTERN_DEPTH: usize = 64;
/// Longer patterns are not parsed (names are at most a few hundred characters).
pub const MAX_PATTERN_CHARS: usize = 4_096;

/// Why a pattern was not turned into a `Parsed`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// Python rejects it too.
    Python(PyRegexError),
    /// Beyond `MAX_PATTERN_DEPTH` or `MAX_PATTERN_CHARS`: Python may accept it, the console
    /// does not evaluate it. The text says which limit.
    BeyondLimits(String),
}

/// Parsed pattern: the top-level sequence and the global flags set inline (`(?i)` at the start).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub nodes: Vec<Node>,
    pub global_flags: Flags,
}

pub(super) struct State {
    pub(super) flags: Flags,
    /// Widths are not needed; only whether each group is closed, for backreference errors.
    pub(super) group_closed: Vec<bool>,
    pub(super) group_names: Vec<(String, usize)>,
    pub(super) in_lookbehind_from: Option<usize>,
    pub(super) cond_group_refs: Vec<usize>,
    /// Groups open around the current position.
    pub(super) depth: usize,
    /// Set when `depth` went past `MAX_PATTERN_DEPTH`; the error then unwinds the parser.
    pub(super) beyond_limits: Option<String>,
}

impl State {
    pub(super) fn groups(&self) -> usize {
        self.group_closed.len()
    }

    pub(super) fn open_group(&mut self, name: Option<&str>) -> Result<usize, PyRegexError> {
        let gid = self.groups();
        self.group_closed.push(false);
        if self.groups() > MAXGROUPS {
            return Err(err("too many groups"));
        }
        if let Some(name) = name {
            if let Some((_, ogid)) = self.group_names.iter().find(|(n, _)| n == name) {
                return Err(err(format!(
                    "redefinition of group name {name:?} as group {gid}; was group {ogid}"
                )));
            }
            self.group_names.push((name.to_string(), gid));
        }
        Ok(gid)
    }

    /// Enters one group level; past `MAX_PATTERN_DEPTH` it fails (and records why), so the
    /// recursion stops there.
    pub(super) fn enter_group(&mut self) -> Result<(), PyRegexError> {
        self.depth += 1;
        if self.depth > MAX_PATTERN_DEPTH {
            let reason = format!(
                "nests groups more than {MAX_PATTERN_DEPTH} levels deep (the console's limit)"
            );
            self.beyond_limits = Some(reason.clone());
            return Err(err(reason));
        }
        Ok(())
    }

    pub(super) fn leave_group(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    pub(super) fn check_group(&self, gid: usize) -> bool {
        gid < self.groups() && self.group_closed[gid]
    }

    pub(super) fn check_lookbehind_group(&self, gid: usize) -> Result<(), PyRegexError> {
        if let Some(from) = self.in_lookbehind_from {
            if !self.check_group(gid) {
                return Err(err("cannot refer to an open group"));
            }
            if gid >= from {
                return Err(err(
                    "cannot refer to group defined in the same lookbehind subpattern",
                ));
            }
        }
        Ok(())
    }
}

/// Parses a Python `str` pattern the way `re.compile(pattern)` does, within the console's
/// limits (`MAX_PATTERN_CHARS`, `MAX_PATTERN_DEPTH`).
pub fn parse(pattern: &str) -> Result<Parsed, ParseError> {
    if pattern.chars().count() > MAX_PATTERN_CHARS {
        return Err(ParseError::BeyondLimits(format!(
            "is longer than {MAX_PATTERN_CHARS} characters (the console's limit)"
        )));
    }
    let mut state = State {
        flags: Flags::default(),
        group_closed: vec![true], // group 0
        group_names: Vec::new(),
        in_lookbehind_from: None,
        cond_group_refs: Vec::new(),
        depth: 0,
        beyond_limits: None,
    };
    parse_within_limits(pattern, &mut state).map_err(|e| match state.beyond_limits.take() {
        Some(reason) => ParseError::BeyondLimits(reason),
        None => ParseError::Python(e),
    })
}

fn parse_within_limits(pattern: &str, state: &mut State) -> Result<Parsed, PyRegexError> {
    let mut source = Tokenizer::new(pattern)?;
    let nodes = parse_sub(&mut source, state, false, 0)?;
    // fix_flags: a str pattern cannot combine ASCII and UNICODE.
    if state.flags.ascii && state.flags.unicode {
        return Err(PyRegexError {
            message: "ASCII and UNICODE flags are incompatible".into(),
            python_type: "ValueError",
        });
    }
    if source.next.is_some() {
        return Err(err("unbalanced parenthesis"));
    }
    if let Some(g) = state.cond_group_refs.iter().find(|&&g| g >= state.groups()) {
        return Err(err(format!("invalid group reference {g}")));
    }
    Ok(Parsed {
        nodes,
        global_flags: state.flags,
    })
}

pub(super) fn parse_sub(
    source: &mut Tokenizer,
    state: &mut State,
    mut verbose: bool,
    nested: usize,
) -> Result<Vec<Node>, PyRegexError> {
    let mut items: Vec<Vec<Node>> = Vec::new();
    loop {
        let first = nested == 0 && items.is_empty();
        items.push(parse_seq(source, state, verbose, nested + 1, first)?);
        if !source.matches('|')? {
            break;
        }
        if nested == 0 {
            verbose = state.flags.verbose;
        }
    }
    if items.len() == 1 {
        return Ok(items.pop().unwrap_or_default());
    }
    // Python factors common prefixes and merges single-character branches into a set here;
    // both are optimisations with the same meaning, so a plain alternation is kept.
    Ok(vec![Node::Branch(items)])
}

pub(super) fn parse_class(source: &mut Tokenizer) -> Result<Node, PyRegexError> {
    let negate = source.matches('^')?;
    let mut set: Vec<ClassItem> = Vec::new();
    loop {
        let this = source.get()?;
        let code1 = match this {
            None => return Err(err("unterminated character set")),
            Some(Tok::Char(']')) if !set.is_empty() => break,
            Some(Tok::Esc(c)) => class_escape(source, c)?,
            Some(Tok::Char(c)) => ClassItem::Literal(c as u32),
        };
        if source.matches('-')? {
            let that = source.get()?;
            let code2 = match that {
                None => return Err(err("unterminated character set")),
                Some(Tok::Char(']')) => {
                    set.push(code1);
                    set.push(ClassItem::Literal('-' as u32));
                    break;
                }
                Some(Tok::Esc(c)) => class_escape(source, c)?,
                Some(Tok::Char(c)) => ClassItem::Literal(c as u32),
            };
            match (code1, code2) {
                (ClassItem::Literal(lo), ClassItem::Literal(hi)) if hi >= lo => {
                    set.push(ClassItem::Range(lo, hi));
                }
                (ClassItem::Unsupported(r), _) | (_, ClassItem::Unsupported(r)) => {
                    set.push(ClassItem::Unsupported(r));
                }
                _ => return Err(err("bad character range")),
            }
        } else {
            set.push(code1);
        }
    }
    Ok(Node::In { negate, items: set })
}

pub(super) fn parse_seq(
    source: &mut Tokenizer,
    state: &mut State,
    mut verbose: bool,
    nested: usize,
    first: bool,
) -> Result<Vec<Node>, PyRegexError> {
    let mut seq: Vec<Node> = Vec::new();
    loop {
        let this = match source.next {
            None => break,
            Some(Tok::Char('|' | ')')) => break,
            Some(t) => t,
        };
        source.advance()?;
        if verbose {
            if let Tok::Char(c) = this {
                if " \t\n\r\u{b}\u{c}".contains(c) {
                    continue;
                }
                if c == '#' {
                    loop {
                        match source.get()? {
                            None | Some(Tok::Char('\n')) => break,
                            _ => {}
                        }
                    }
                    continue;
                }
            }
        }
        let c = match this {
            Tok::Esc(c) => {
                seq.push(escape(source, state, c)?);
                continue;
            }
            Tok::Char(c) => c,
        };
        match c {
            '[' => seq.push(parse_class(source)?),
            '*' | '+' | '?' | '{' => parse_repeat(source, &mut seq, c)?,
            '.' => seq.push(Node::Any),
            '(' => {
                if let Some(node) = parse_group(source, state, &mut verbose, nested, first, &seq)? {
                    seq.push(node);
                }
            }
            '^' => seq.push(Node::At(AtCode::Beginning)),
            '$' => seq.push(Node::At(AtCode::End)),
            _ => seq.push(Node::Literal(c as u32)),
        }
    }
    Ok(seq)
}

pub(super) fn parse_repeat(
    source: &mut Tokenizer,
    seq: &mut Vec<Node>,
    this: char,
) -> Result<(), PyRegexError> {
    let here = source.tell();
    let (min, max): (u32, Option<u32>) = match this {
        '?' => (0, Some(1)),
        '*' => (0, None),
        '+' => (1, None),
        _ => {
            if source.next_is('}') {
                seq.push(Node::Literal('{' as u32));
                return Ok(());
            }
            let lo = source.get_while(usize::MAX, DIGITS)?;
            let hi = if source.matches(',')? {
                source.get_while(usize::MAX, DIGITS)?
            } else {
                lo.clone()
            };
            if !source.matches('}')? {
                seq.push(Node::Literal('{' as u32));
                source.seek(here)?;
                return Ok(());
            }
            let number = |s: &str| -> Result<u64, PyRegexError> {
                // Any run of digits longer than u64 is certainly above MAXREPEAT.
                let v = s.parse::<u64>().unwrap_or(u64::MAX);
                if v >= MAXREPEAT {
                    return Err(PyRegexError {
                        message: "the repetition number is too large".into(),
                        python_type: "OverflowError",
                    });
                }
                Ok(v)
            };
            let min = if lo.is_empty() { 0 } else { number(&lo)? };
            let max = if hi.is_empty() {
                None
            } else {
                Some(number(&hi)?)
            };
            if let Some(max) = max {
                if max < min {
                    return Err(err("min repeat greater than max repeat"));
                }
            }
            // Both are below MAXREPEAT, so they fit in u32.
            (min as u32, max.map(|m| m as u32))
        }
    };
    let item = match seq.pop() {
        None | Some(Node::At(_)) => return Err(err("nothing to repeat")),
        Some(Node::Repeat { .. }) => return Err(err("multiple repeat")),
        Some(item) => item,
    };
    let possessive = if source.matches('?')? {
        false // lazy: the same answer for a full match
    } else {
        source.matches('+')?
    };
    seq.push(Node::Repeat {
        min,
        max,
        possessive,
        item: Box::new(item),
    });
    Ok(())
}
