//! CSV exports of the views, as `data:` links (no server round trip, no JavaScript needed).

use super::model::{MatrixView, UserView};

/// Quotes a CSV field when needed (RFC 4180).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The matrix as CSV: one line per principal × column.
pub fn matrix_csv(m: &MatrixView) -> String {
    let mut out = String::from("principal,type,action,allowed,total\n");
    for (p, row) in m.principals.iter().zip(&m.rows) {
        for ((t, a), c) in m.columns.iter().zip(row) {
            out.push_str(&format!(
                "{},{t},{a},{},{}\n",
                csv_field(p),
                c.allowed,
                c.total
            ));
        }
    }
    out
}

/// The as-a-user list as CSV.
pub fn user_csv(u: &UserView) -> String {
    let mut out = String::from("type,name,action,allowed,why\n");
    for r in &u.rows {
        for (a, c) in u.actions.iter().zip(&r.cells) {
            out.push_str(&format!(
                "{},{},{a},{},{}\n",
                r.object_type,
                csv_field(&r.name),
                c.allowed,
                csv_field(&c.why)
            ));
        }
    }
    out
}

/// Percent-encodes text for a `data:` URL.
pub fn data_url(mime: &str, text: &str) -> String {
    let mut out = format!("data:{mime};charset=utf-8,");
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
