//! The Atom 1.0 feed (RFC 4287) of a registry's or a project's timeline, for chat and mail
//! tools. Every text is user data from a registry: escaped, and characters XML 1.0 cannot
//! carry (most control characters) replaced, so a hostile name cannot break the document.

use super::timeline::{when_text, TimelineEntry};
use crate::util::percent::path_segment;
use crate::util::time::Instant;

/// How long a feed link with a key (for feed readers that cannot sign in) works.
pub const FEED_KEY_DAYS: u64 = 90;
/// Entries in a feed: the newest.
pub const FEED_ENTRIES: usize = 50;

/// What names a feed: its title and absolute links.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedLinks {
    pub title: String,
    /// The feed's own absolute URL (also its id).
    pub self_url: String,
    /// The timeline page it follows (absolute).
    pub page_url: String,
    /// The console's public URL, without a trailing `/`: entry links are made absolute with it.
    pub base: String,
}

/// The feed document. `updated` when there are no entries (the newest entry's time otherwise).
pub fn atom(links: &FeedLinks, entries: &[TimelineEntry], updated: Instant) -> String {
    let updated = entries.first().map(|e| e.observed_at).unwrap_or(updated);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    element(&mut out, "  ", "title", &links.title);
    element(&mut out, "  ", "id", &links.self_url);
    element(&mut out, "  ", "updated", &updated.to_rfc3339());
    link(&mut out, "  ", "self", &links.self_url);
    link(&mut out, "  ", "alternate", &links.page_url);
    out.push_str("  <author><name>feast-console</name></author>\n");
    out.push_str("  <generator>feast-console</generator>\n");
    for e in entries {
        entry(&mut out, links, e);
    }
    out.push_str("</feed>\n");
    out
}

fn entry(out: &mut String, links: &FeedLinks, e: &TimelineEntry) {
    out.push_str("  <entry>\n");
    element(
        out,
        "    ",
        "title",
        &format!("{} ({})", e.title(), e.project),
    );
    element(
        out,
        "    ",
        "id",
        &format!(
            "urn:feast-console:history:{}:{}",
            path_segment(&e.registry),
            e.id
        ),
    );
    element(out, "    ", "updated", &e.observed_at.to_rfc3339());
    out.push_str("    <author><name>");
    out.push_str(&escape(&e.who()));
    out.push_str("</name></author>\n");
    link(
        out,
        "    ",
        "alternate",
        &format!("{}{}", links.base, e.history_href()),
    );
    element(out, "    ", "summary", &summary(e));
    out.push_str("  </entry>\n");
}

/// The entry's text: when, who, and each changed field on a line.
pub fn summary(e: &TimelineEntry) -> String {
    let mut text = format!(
        "{} in {}/{}, {}, by {}.",
        e.title(),
        e.registry,
        e.project,
        e.when(),
        e.who()
    );
    if let Some(audit) = e.reverts_audit {
        text.push_str(&format!(" Reverted a console edit (audit entry {audit})."));
    }
    if let Some(row) = e.row_updated {
        text.push_str(&format!(" Row updated {}.", when_text(row)));
    }
    for f in &e.fields {
        text.push_str(&format!(
            "\n{}: {} → {}",
            f.path,
            f.before.as_deref().unwrap_or("(none)"),
            f.after.as_deref().unwrap_or("(none)")
        ));
    }
    text
}

fn element(out: &mut String, indent: &str, name: &str, text: &str) {
    out.push_str(&format!("{indent}<{name}>{}</{name}>\n", escape(text)));
}

fn link(out: &mut String, indent: &str, rel: &str, href: &str) {
    out.push_str(&format!(
        "{indent}<link rel=\"{rel}\" href=\"{}\"/>\n",
        escape(href)
    ));
}

/// Text for XML content and attribute values: markup characters escaped, characters XML 1.0
/// does not allow replaced by U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::model::ObjectKind;
    use crate::history::model::{ChangeType, FieldChange};

    fn links() -> FeedLinks {
        FeedLinks {
            title: "prod & <staging>".into(),
            self_url: "https://console.example/history/prod.atom".into(),
            page_url: "https://console.example/history?registry=prod".into(),
            base: "https://console.example".into(),
        }
    }

    fn hostile_entry() -> TimelineEntry {
        TimelineEntry {
            id: 12,
            registry: "prod".into(),
            project: "p\u{1}<x>".into(),
            kind: ObjectKind::FeatureView,
            name: "a]]>&\"'".into(),
            change: ChangeType::Changed,
            fields: vec![FieldChange {
                path: "description".into(),
                before: Some("<b>old</b>".into()),
                after: None,
            }],
            observed_at: Instant {
                seconds: 1_764_547_200,
                nanos: 0,
            },
            not_before: None,
            row_updated: None,
            audit_id: Some(3),
            actor: Some("eve <script>".into()),
            reverts_audit: None,
        }
    }

    #[test]
    fn escapes_markup_and_replaces_characters_xml_forbids() {
        assert_eq!(escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
        assert_eq!(escape("x\u{0}y\u{1b}z\n"), "x\u{FFFD}y\u{FFFD}z\n");
    }

    #[test]
    fn a_feed_holds_its_entries_escaped() {
        let xml = atom(
            &links(),
            &[hostile_entry()],
            Instant {
                seconds: 0,
                nanos: 0,
            },
        );
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
        assert!(
            xml.contains("<title>prod &amp; &lt;staging&gt;</title>"),
            "{xml}"
        );
        assert!(
            xml.contains("<updated>2025-12-01T00:00:00Z</updated>"),
            "newest entry: {xml}"
        );
        assert!(xml.contains("<id>urn:feast-console:history:prod:12</id>"));
        assert!(xml.contains("<name>eve &lt;script&gt;</name>"));
        assert!(xml.contains("a]]&gt;&amp;&quot;&apos;"));
        assert!(xml.contains("p\u{FFFD}&lt;x&gt;"));
        assert!(xml.contains("description: &lt;b&gt;old&lt;/b&gt; → (none)"));
        assert!(!xml.contains('\u{1}') && !xml.contains("<script>"));
        let empty = atom(
            &links(),
            &[],
            Instant {
                seconds: 60,
                nanos: 0,
            },
        );
        assert!(empty.contains("<updated>1970-01-01T00:01:00Z</updated>"));
        assert!(!empty.contains("<entry>"));
    }
}
