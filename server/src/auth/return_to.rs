//! Where to go after sign-in: only a path on this console, never another site.

/// Accepts `/path?query` on this origin; anything else (absolute URLs, `//host`, `/\host`,
/// control characters, auth pages) becomes `/`.
pub fn sanitize(requested: Option<&str>) -> String {
    let Some(path) = requested else {
        return "/".to_string();
    };
    let safe = path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !path.chars().any(|c| c.is_control() || c == '\\')
        && !path.starts_with("/auth/")
        && path.len() <= 2048;
    if safe {
        path.to_string()
    } else {
        "/".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn only_local_paths_survive() {
        assert_eq!(sanitize(Some("/catalog?project=a")), "/catalog?project=a");
        assert_eq!(sanitize(Some("/")), "/");
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "evil",
            "/a\r\nSet-Cookie: x",
            "/\\/evil",
            "javascript:alert(1)",
            "/auth/login",
            "",
        ] {
            assert_eq!(sanitize(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(sanitize(None), "/");
    }
}
