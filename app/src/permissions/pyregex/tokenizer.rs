//! The tokenizer of CPython's `re/_parser.py`: characters and backslash escapes, with Python's
//! position and error behaviour (a trailing backslash fails as soon as it is looked at).

/// Why Python refuses a pattern (`re.error` or `OverflowError` at compile time).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PyRegexError {
    pub message: String,
    /// `re.error` or `OverflowError`.
    pub python_type: &'static str,
}

pub(super) fn err(message: impl Into<String>) -> PyRegexError {
    PyRegexError {
        message: message.into(),
        python_type: "re.error",
    }
}

/// One token: a character, or a backslash escape (`\` plus the next character).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tok {
    Char(char),
    Esc(char),
}

pub(super) struct Tokenizer {
    chars: Vec<char>,
    index: usize,
    pub(super) next: Option<Tok>,
}

impl Tokenizer {
    pub(super) fn new(pattern: &str) -> Result<Self, PyRegexError> {
        let mut t = Tokenizer {
            chars: pattern.chars().collect(),
            index: 0,
            next: None,
        };
        t.advance()?;
        Ok(t)
    }

    pub(super) fn advance(&mut self) -> Result<(), PyRegexError> {
        let Some(&c) = self.chars.get(self.index) else {
            self.next = None;
            return Ok(());
        };
        if c == '\\' {
            let Some(&d) = self.chars.get(self.index + 1) else {
                return Err(err("bad escape (end of pattern)"));
            };
            self.index += 2;
            self.next = Some(Tok::Esc(d));
        } else {
            self.index += 1;
            self.next = Some(Tok::Char(c));
        }
        Ok(())
    }

    pub(super) fn get(&mut self) -> Result<Option<Tok>, PyRegexError> {
        let this = self.next;
        self.advance()?;
        Ok(this)
    }

    pub(super) fn matches(&mut self, c: char) -> Result<bool, PyRegexError> {
        if self.next == Some(Tok::Char(c)) {
            self.advance()?;
            return Ok(true);
        }
        Ok(false)
    }

    pub(super) fn next_is(&self, c: char) -> bool {
        self.next == Some(Tok::Char(c))
    }

    pub(super) fn next_char_in(&self, set: &str) -> Option<char> {
        match self.next {
            Some(Tok::Char(c)) if set.contains(c) => Some(c),
            _ => None,
        }
    }

    pub(super) fn tell(&self) -> usize {
        match self.next {
            None => self.index,
            Some(Tok::Char(_)) => self.index - 1,
            Some(Tok::Esc(_)) => self.index - 2,
        }
    }

    pub(super) fn seek(&mut self, index: usize) -> Result<(), PyRegexError> {
        self.index = index;
        self.advance()
    }

    /// `getwhile(n, charset)`: up to `n` plain characters from `set`.
    pub(super) fn get_while(&mut self, n: usize, set: &str) -> Result<String, PyRegexError> {
        let mut out = String::new();
        for _ in 0..n {
            match self.next_char_in(set) {
                Some(c) => {
                    out.push(c);
                    self.advance()?;
                }
                None => break,
            }
        }
        Ok(out)
    }

    /// `getuntil(terminator, name)`; escapes count as two characters, as in Python.
    pub(super) fn get_until(
        &mut self,
        terminator: char,
        name: &str,
    ) -> Result<String, PyRegexError> {
        let mut out = String::new();
        loop {
            let c = self.get()?;
            match c {
                None if out.is_empty() => return Err(err(format!("missing {name}"))),
                None => return Err(err(format!("missing {terminator}, unterminated name"))),
                Some(Tok::Char(t)) if t == terminator => {
                    if out.is_empty() {
                        return Err(err(format!("missing {name}")));
                    }
                    return Ok(out);
                }
                Some(Tok::Char(t)) => out.push(t),
                Some(Tok::Esc(t)) => {
                    out.push('\\');
                    out.push(t);
                }
            }
        }
    }
}
