//! Escapes (`_escape`, `_class_escape`) and group names, as CPython's `re/_parser.py` reads them.

use super::ast::{AtCode, Category, ClassItem, Node};
use super::parse::{State, DIGITS, HEXDIGITS, OCTDIGITS};
use super::tokenizer::{err, PyRegexError, Tokenizer};

pub(super) fn escape_literal(
    source: &mut Tokenizer,
    c: char,
    in_class: bool,
) -> Result<Option<u32>, PyRegexError> {
    let simple = match c {
        'a' => Some(0x07),
        'f' => Some(0x0c),
        'n' => Some(0x0a),
        'r' => Some(0x0d),
        't' => Some(0x09),
        'v' => Some(0x0b),
        '\\' => Some(0x5c),
        'b' if in_class => Some(0x08),
        _ => None,
    };
    if simple.is_some() {
        return Ok(simple);
    }
    let hex = |source: &mut Tokenizer, n: usize| -> Result<u32, PyRegexError> {
        let digits = source.get_while(n, HEXDIGITS)?;
        if digits.chars().count() != n {
            return Err(err(format!("incomplete escape \\{c}{digits}")));
        }
        u32::from_str_radix(&digits, 16).map_err(|_| err(format!("bad escape \\{c}{digits}")))
    };
    match c {
        'x' => Ok(Some(hex(source, 2)?)),
        'u' => Ok(Some(hex(source, 4)?)),
        'U' => {
            let v = hex(source, 8)?;
            if v > 0x10FFFF {
                // chr() raises ValueError, which the parser reports as a bad escape.
                return Err(err(format!("bad escape \\U{v:08x}")));
            }
            Ok(Some(v))
        }
        _ => Ok(None),
    }
}

pub(super) fn category(c: char) -> Option<Category> {
    Some(match c {
        'd' => Category::Digit,
        'D' => Category::NotDigit,
        's' => Category::Space,
        'S' => Category::NotSpace,
        'w' => Category::Word,
        'W' => Category::NotWord,
        _ => return None,
    })
}

/// `_class_escape`: an escape inside `[...]`.
pub(super) fn class_escape(source: &mut Tokenizer, c: char) -> Result<ClassItem, PyRegexError> {
    if let Some(v) = escape_literal(source, c, true)? {
        return Ok(ClassItem::Literal(v));
    }
    if let Some(cat) = category(c) {
        return Ok(ClassItem::Category(cat));
    }
    if c == 'N' {
        return Ok(ClassItem::Unsupported("\\N{...} named characters"));
    }
    if OCTDIGITS.contains(c) {
        let more = source.get_while(2, OCTDIGITS)?;
        let text = format!("{c}{more}");
        let v = u32::from_str_radix(&text, 8).map_err(|_| err("bad escape"))?;
        if v > 0o377 {
            return Err(err(format!(
                "octal escape value \\{text} outside of range 0-0o377"
            )));
        }
        return Ok(ClassItem::Literal(v));
    }
    if DIGITS.contains(c) || c.is_ascii_alphabetic() {
        return Err(err(format!("bad escape \\{c}")));
    }
    Ok(ClassItem::Literal(c as u32))
}

/// `_escape`: an escape outside `[...]`.
pub(super) fn escape(source: &mut Tokenizer, state: &State, c: char) -> Result<Node, PyRegexError> {
    let at = match c {
        'A' => Some(AtCode::BeginningString),
        'b' => Some(AtCode::Boundary),
        'B' => Some(AtCode::NonBoundary),
        'Z' => Some(AtCode::EndString),
        _ => None,
    };
    if let Some(at) = at {
        return Ok(Node::At(at));
    }
    if let Some(cat) = category(c) {
        return Ok(Node::In {
            negate: false,
            items: vec![ClassItem::Category(cat)],
        });
    }
    if let Some(v) = escape_literal(source, c, false)? {
        return Ok(Node::Literal(v));
    }
    if c == 'N' {
        return Ok(Node::Unsupported("\\N{...} named characters"));
    }
    if c == '0' {
        let more = source.get_while(2, OCTDIGITS)?;
        let v = u32::from_str_radix(&format!("0{more}"), 8).map_err(|_| err("bad escape"))?;
        return Ok(Node::Literal(v));
    }
    if DIGITS.contains(c) {
        let mut text = c.to_string();
        if let Some(d) = source.next_char_in(DIGITS) {
            source.advance()?;
            text.push(d);
            if OCTDIGITS.contains(c) && OCTDIGITS.contains(d) {
                if let Some(e) = source.next_char_in(OCTDIGITS) {
                    source.advance()?;
                    text.push(e);
                    let v = u32::from_str_radix(&text, 8).map_err(|_| err("bad escape"))?;
                    if v > 0o377 {
                        return Err(err(format!(
                            "octal escape value \\{text} outside of range 0-0o377"
                        )));
                    }
                    return Ok(Node::Literal(v));
                }
            }
        }
        let group: usize = text.parse().map_err(|_| err("bad escape"))?;
        if group < state.groups() {
            if !state.check_group(group) {
                return Err(err("cannot refer to an open group"));
            }
            state.check_lookbehind_group(group)?;
            return Ok(Node::Unsupported("backreferences"));
        }
        return Err(err(format!("invalid group reference {group}")));
    }
    if c.is_ascii_alphabetic() {
        return Err(err(format!("bad escape \\{c}")));
    }
    Ok(Node::Literal(c as u32))
}

pub(super) fn is_ascii_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// `checkgroupname`: Python accepts any `str.isidentifier()` name. Non-ASCII identifiers follow
/// Unicode XID rules this port does not carry, so they are reported as unsupported.
pub(super) fn check_group_name(name: &str) -> Result<bool, PyRegexError> {
    if is_ascii_identifier(name) {
        return Ok(true);
    }
    if name.is_ascii() {
        return Err(err(format!("bad character in group name {name:?}")));
    }
    Ok(false)
}
