//! The parsed form of a Python pattern: CPython's sre opcodes, reduced to what a full match needs.

/// Inline flags (`(?aiLmsux)`); `locale` is always rejected for str patterns but kept for parsing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    pub ignorecase: bool,
    pub locale: bool,
    pub multiline: bool,
    pub dotall: bool,
    pub verbose: bool,
    pub ascii: bool,
    pub template: bool,
    pub unicode: bool,
}

impl Flags {
    pub fn union(self, o: Flags) -> Flags {
        Flags {
            ignorecase: self.ignorecase || o.ignorecase,
            locale: self.locale || o.locale,
            multiline: self.multiline || o.multiline,
            dotall: self.dotall || o.dotall,
            verbose: self.verbose || o.verbose,
            ascii: self.ascii || o.ascii,
            template: self.template || o.template,
            unicode: self.unicode || o.unicode,
        }
    }

    /// `self` with the flags in `del` turned off.
    pub fn without(self, del: Flags) -> Flags {
        Flags {
            ignorecase: self.ignorecase && !del.ignorecase,
            locale: self.locale && !del.locale,
            multiline: self.multiline && !del.multiline,
            dotall: self.dotall && !del.dotall,
            verbose: self.verbose && !del.verbose,
            ascii: self.ascii && !del.ascii,
            template: self.template && !del.template,
            unicode: self.unicode && !del.unicode,
        }
    }

    pub fn intersects(self, o: Flags) -> bool {
        (self.ignorecase && o.ignorecase)
            || (self.locale && o.locale)
            || (self.multiline && o.multiline)
            || (self.dotall && o.dotall)
            || (self.verbose && o.verbose)
            || (self.ascii && o.ascii)
            || (self.template && o.template)
            || (self.unicode && o.unicode)
    }
}

/// `\d \D \s \S \w \W`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Digit,
    NotDigit,
    Space,
    NotSpace,
    Word,
    NotWord,
}

/// Zero-width assertions (sre `AT` codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtCode {
    /// `^`
    Beginning,
    /// `\A`
    BeginningString,
    /// `$`: end, or before a final newline (or any newline with MULTILINE)
    End,
    /// `\Z`
    EndString,
    /// `\b`
    Boundary,
    /// `\B`
    NonBoundary,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClassItem {
    /// A code point; may be a lone surrogate, which no Rust string contains.
    Literal(u32),
    Range(u32, u32),
    Category(Category),
    Unsupported(&'static str),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Literal(u32),
    Any,
    In {
        negate: bool,
        items: Vec<ClassItem>,
    },
    At(AtCode),
    /// `max: None` is unbounded. Laziness does not change whether a full match exists.
    Repeat {
        min: u32,
        max: Option<u32>,
        possessive: bool,
        item: Box<Node>,
    },
    /// A group, capturing or not, with the flags it turns on and off for its body.
    Group {
        add: Flags,
        del: Flags,
        body: Vec<Node>,
    },
    Branch(Vec<Vec<Node>>),
    /// Valid Python the console cannot evaluate (backreferences, lookaround, ...).
    Unsupported(&'static str),
}
