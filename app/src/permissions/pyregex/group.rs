//! Groups and inline flags (`(?...)`), as CPython's `re/_parser.py` reads them.

use super::ast::{Flags, Node};
use super::escape::{check_group_name, is_ascii_identifier};
use super::parse::{parse_seq, parse_sub, State, MAXGROUPS};
use super::tokenizer::{err, PyRegexError, Tok, Tokenizer};

/// Parses after `(`. Returns `None` for constructs that add nothing (comments, global flags).
/// Each `(` is one level of `State::depth`, so nesting stops at `MAX_PATTERN_DEPTH`.
pub(super) fn parse_group(
    source: &mut Tokenizer,
    state: &mut State,
    verbose: &mut bool,
    nested: usize,
    first: bool,
    seq: &[Node],
) -> Result<Option<Node>, PyRegexError> {
    state.enter_group()?;
    let group = group_body(source, state, verbose, nested, first, seq);
    state.leave_group();
    group
}

fn group_body(
    source: &mut Tokenizer,
    state: &mut State,
    verbose: &mut bool,
    nested: usize,
    first: bool,
    seq: &[Node],
) -> Result<Option<Node>, PyRegexError> {
    let mut capture = true;
    let mut name: Option<String> = None;
    let mut add = Flags::default();
    let mut del = Flags::default();
    let mut unsupported: Option<&'static str> = None;
    if source.matches('?')? {
        let Some(tok) = source.get()? else {
            return Err(err("unexpected end of pattern"));
        };
        let ch = match tok {
            Tok::Char(c) => c,
            Tok::Esc(c) => return Err(err(format!("unknown extension ?\\{c}"))),
        };
        match ch {
            'P' => {
                if source.matches('<')? {
                    let n = source.get_until('>', "group name")?;
                    if !check_group_name(&n)? {
                        unsupported = Some("non-ASCII group names");
                    }
                    name = Some(n);
                } else if source.matches('=')? {
                    let n = source.get_until(')', "group name")?;
                    if !check_group_name(&n)? {
                        return Ok(Some(Node::Unsupported("non-ASCII group names")));
                    }
                    let Some(&(_, gid)) = state.group_names.iter().find(|(x, _)| *x == n) else {
                        return Err(err(format!("unknown group name {n:?}")));
                    };
                    if !state.check_group(gid) {
                        return Err(err("cannot refer to an open group"));
                    }
                    state.check_lookbehind_group(gid)?;
                    return Ok(Some(Node::Unsupported("backreferences")));
                } else {
                    return match source.get()? {
                        None => Err(err("unexpected end of pattern")),
                        Some(_) => Err(err("unknown extension ?P")),
                    };
                }
            }
            ':' => capture = false,
            '#' => {
                loop {
                    match source.get()? {
                        None => return Err(err("missing ), unterminated comment")),
                        Some(Tok::Char(')')) => break,
                        _ => {}
                    }
                }
                return Ok(None);
            }
            '=' | '!' | '<' => {
                let mut lookbehind = false;
                if ch == '<' {
                    match source.get()? {
                        None => return Err(err("unexpected end of pattern")),
                        Some(Tok::Char('=' | '!')) => {}
                        Some(_) => return Err(err("unknown extension ?<")),
                    }
                    lookbehind = true;
                }
                let saved = state.in_lookbehind_from;
                if lookbehind && saved.is_none() {
                    state.in_lookbehind_from = Some(state.groups());
                }
                parse_sub(source, state, *verbose, nested + 1)?;
                if lookbehind && saved.is_none() {
                    state.in_lookbehind_from = None;
                }
                if !source.matches(')')? {
                    return Err(err("missing ), unterminated subpattern"));
                }
                // Python's compiler also rejects variable-width lookbehind; either way the
                // console cannot evaluate lookaround, so the finer distinction is not made.
                return Ok(Some(Node::Unsupported("lookahead/lookbehind assertions")));
            }
            '(' => return parse_conditional(source, state, *verbose, nested),
            '>' => {
                capture = false;
                unsupported = Some("atomic groups");
            }
            c if "aiLmsuxt-".contains(c) => match parse_flags(source, state, c)? {
                None => {
                    if !first || !seq.is_empty() {
                        return Err(err("global flags not at the start of the expression"));
                    }
                    *verbose = state.flags.verbose;
                    return Ok(None);
                }
                Some((a, d)) => {
                    add = a;
                    del = d;
                    capture = false;
                }
            },
            c => return Err(err(format!("unknown extension ?{c}"))),
        }
    }
    let group = if capture {
        Some(state.open_group(name.as_deref())?)
    } else {
        None
    };
    let sub_verbose = (*verbose || add.verbose) && !del.verbose;
    let body = parse_sub(source, state, sub_verbose, nested + 1)?;
    if !source.matches(')')? {
        return Err(err("missing ), unterminated subpattern"));
    }
    if let Some(g) = group {
        state.group_closed[g] = true;
    }
    if let Some(reason) = unsupported {
        return Ok(Some(Node::Unsupported(reason)));
    }
    Ok(Some(Node::Group { add, del, body }))
}

pub(super) fn parse_conditional(
    source: &mut Tokenizer,
    state: &mut State,
    verbose: bool,
    nested: usize,
) -> Result<Option<Node>, PyRegexError> {
    let condname = source.get_until(')', "group name")?;
    if is_ascii_identifier(&condname) {
        if !state.group_names.iter().any(|(n, _)| *n == condname) {
            return Err(err(format!("unknown group name {condname:?}")));
        }
    } else if !condname.bytes().all(|b| b.is_ascii_digit()) {
        // Python hands these to int(), which accepts signs, underscores and non-ASCII digits;
        // conditionals are unsupported anyway, so the exact error is not reproduced.
        return Ok(Some(Node::Unsupported("conditional groups")));
    } else {
        let g: usize = condname.parse().unwrap_or(usize::MAX);
        if g == 0 {
            return Err(err("bad group number"));
        }
        if g >= MAXGROUPS {
            return Err(err(format!("invalid group reference {g}")));
        }
        state.cond_group_refs.push(g);
    }
    parse_seq(source, state, verbose, nested + 1, false)?;
    if source.matches('|')? {
        parse_seq(source, state, verbose, nested + 1, false)?;
        if source.next_is('|') {
            return Err(err("conditional backref with more than two branches"));
        }
    }
    if !source.matches(')')? {
        return Err(err("missing ), unterminated subpattern"));
    }
    Ok(Some(Node::Unsupported("conditional groups")))
}

pub(super) fn flag_of(c: char, flags: &mut Flags) -> bool {
    match c {
        'i' => flags.ignorecase = true,
        'L' => flags.locale = true,
        'm' => flags.multiline = true,
        's' => flags.dotall = true,
        'x' => flags.verbose = true,
        'a' => flags.ascii = true,
        't' => flags.template = true,
        'u' => flags.unicode = true,
        _ => return false,
    }
    true
}

/// `_parse_flags`. `Ok(None)` means global flags `(?...)`, already added to the state.
pub(super) fn parse_flags(
    source: &mut Tokenizer,
    state: &mut State,
    mut ch: char,
) -> Result<Option<(Flags, Flags)>, PyRegexError> {
    let mut add = Flags::default();
    let mut del = Flags::default();
    if ch != '-' {
        loop {
            if ch == 'L' {
                return Err(err(
                    "bad inline flags: cannot use 'L' flag with a str pattern",
                ));
            }
            flag_of(ch, &mut add);
            if add.ascii && add.unicode {
                return Err(err(
                    "bad inline flags: flags 'a', 'u' and 'L' are incompatible",
                ));
            }
            ch = match source.get()? {
                None => return Err(err("missing -, : or )")),
                Some(Tok::Char(c)) => c,
                Some(Tok::Esc(_)) => return Err(err("missing -, : or )")),
            };
            if ")-:".contains(ch) {
                break;
            }
            if !"aiLmsuxt".contains(ch) {
                return Err(err(if ch.is_alphabetic() {
                    "unknown flag"
                } else {
                    "missing -, : or )"
                }));
            }
        }
    }
    if ch == ')' {
        state.flags = state.flags.union(add);
        return Ok(None);
    }
    if add.template {
        return Err(err("bad inline flags: cannot turn on global flag"));
    }
    if ch == '-' {
        ch = match source.get()? {
            None => return Err(err("missing flag")),
            Some(Tok::Char(c)) if "aiLmsuxt".contains(c) => c,
            Some(Tok::Char(c)) if c.is_alphabetic() => return Err(err("unknown flag")),
            Some(_) => return Err(err("missing flag")),
        };
        loop {
            if "auL".contains(ch) {
                return Err(err(
                    "bad inline flags: cannot turn off flags 'a', 'u' and 'L'",
                ));
            }
            flag_of(ch, &mut del);
            ch = match source.get()? {
                None => return Err(err("missing :")),
                Some(Tok::Char(c)) => c,
                Some(Tok::Esc(_)) => return Err(err("missing :")),
            };
            if ch == ':' {
                break;
            }
            if !"aiLmsuxt".contains(ch) {
                return Err(err(if ch.is_alphabetic() {
                    "unknown flag"
                } else {
                    "missing :"
                }));
            }
        }
    }
    if del.template {
        return Err(err("bad inline flags: cannot turn off global flag"));
    }
    if add.intersects(del) {
        return Err(err("bad inline flags: flag turned on and off"));
    }
    Ok(Some((add, del)))
}
