//! CSV cells for every export: RFC 4180 quoting plus a guard against spreadsheet formulas.

/// First characters that make a spreadsheet read a cell as a formula.
pub const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// One CSV cell. Text a spreadsheet would run as a formula (a leading `=`, `+`, `-`, `@`, TAB
/// or CR) gets a `'` in front, because exported names and descriptions are user text; then
/// the cell is quoted when it holds a comma, a quote or a line break (RFC 4180).
pub fn cell(text: &str) -> String {
    let guarded = if text.starts_with(FORMULA_START) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// One CSV line (with its `\n`) from cells written by [`cell`].
pub fn line<S: AsRef<str>>(cells: impl IntoIterator<Item = S>) -> String {
    let mut out = cells
        .into_iter()
        .map(|c| cell(c.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    out.push('\n');
    out
}

/// The cells of `text` (RFC 4180) a spreadsheet would run as formulas: none in anything
/// [`line`] wrote. Every export's tests check their output with it.
pub fn formula_cells(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut end_cell = |current: &mut String| {
        if current.starts_with(FORMULA_START) {
            found.push(current.clone());
        }
        current.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                current.push('"');
            }
            '"' if quoted => quoted = false,
            '"' if current.is_empty() => quoted = true,
            ',' | '\n' if !quoted => end_cell(&mut current),
            c => current.push(c),
        }
    }
    end_cell(&mut current);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_per_rfc_4180() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn neutralises_formulas() {
        assert_eq!(cell("=cmd()"), "'=cmd()");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(cell("\rx"), "\"'\rx\"");
        assert_eq!(cell("=a,\"b\""), "\"'=a,\"\"b\"\"\"");
        assert_eq!(cell("a=b"), "a=b");
    }

    #[test]
    fn formula_cells_are_found_after_unquoting() {
        let text = "a,=b\n\"'=c\",\"=d,e\"\n\"\"\"x\"\"\",@f";
        assert_eq!(formula_cells(text), vec!["=b", "=d,e", "@f"]);
        assert!(formula_cells(&line(["=a", "+b", "-c", "@d", "\te", "\rf"])).is_empty());
    }

    #[test]
    fn lines_join_cells() {
        assert_eq!(line(["a", "b,c", "=d"]), "a,\"b,c\",'=d\n");
    }
}
