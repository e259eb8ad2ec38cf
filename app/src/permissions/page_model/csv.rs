//! CSV exports of the views, as `data:` links (no server round trip, no JavaScript needed).

use super::model::{MatrixView, UserView};
use crate::util::csv::line;

/// The matrix as CSV: one line per principal × column.
pub fn matrix_csv(m: &MatrixView) -> String {
    let mut out = String::from("principal,type,action,allowed,total\n");
    for (p, row) in m.principals.iter().zip(&m.rows) {
        for ((t, a), c) in m.columns.iter().zip(row) {
            out.push_str(&line([
                p.as_str(),
                t.as_str(),
                a.as_str(),
                &c.allowed.to_string(),
                &c.total.to_string(),
            ]));
        }
    }
    out
}

/// The as-a-user list as CSV.
pub fn user_csv(u: &UserView) -> String {
    let mut out = String::from("type,name,action,allowed,why\n");
    for r in &u.rows {
        for (a, c) in u.actions.iter().zip(&r.cells) {
            out.push_str(&line([
                r.object_type.as_str(),
                &r.name,
                a.as_str(),
                &c.allowed.to_string(),
                &c.why,
            ]));
        }
    }
    out
}
