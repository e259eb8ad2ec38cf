//! Percent-encoding of user text in URLs: one safe set for path segments, one for query values.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but RFC 3986's unreserved characters is encoded, `/` included, so a name can
/// never add a path segment.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Like a path segment, but `/` stays readable (`return_to=/recovery%3Fx%3D1`); `&`, `=`, `+`,
/// `#` and `?` are encoded, so a value cannot end itself or start another parameter.
const QUERY_VALUE: &AsciiSet = &PATH_SEGMENT.remove(b'/');

/// One URL path segment (names of registries, projects, objects, namespaces).
pub fn path_segment(text: &str) -> String {
    utf8_percent_encode(text, PATH_SEGMENT).to_string()
}

/// One query-string value (the text after `name=`).
pub fn query_value(text: &str) -> String {
    utf8_percent_encode(text, QUERY_VALUE).to_string()
}

/// A `data:` URL holding `text` (downloads without a server round trip or JavaScript).
pub fn data_url(mime: &str, text: &str) -> String {
    format!("data:{mime};charset=utf-8,{}", query_value(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_keep_only_unreserved_characters() {
        assert_eq!(path_segment("a-b_c.d~e09AZ"), "a-b_c.d~e09AZ");
        assert_eq!(path_segment("x\"/y"), "x%22%2Fy");
        assert_eq!(path_segment("r 1?#%"), "r%201%3F%23%25");
        assert_eq!(path_segment("é"), "%C3%A9");
    }

    #[test]
    fn query_values_keep_slashes_but_not_separators() {
        assert_eq!(query_value("/recovery?x=1"), "/recovery%3Fx%3D1");
        assert_eq!(query_value("a&b+c#d"), "a%26b%2Bc%23d");
        assert_eq!(query_value("team=a b"), "team%3Da%20b");
    }

    #[test]
    fn data_urls_encode_their_text() {
        assert_eq!(
            data_url("text/csv", "a b\n"),
            "data:text/csv;charset=utf-8,a%20b%0A"
        );
    }
}
