//! The name rule the API server applies to every custom resource (apimachinery's
//! `NameIsDNSSubdomain`), with its messages: the CRD's schema never mentions it, so a
//! schema-only check would accept `Feast_Store`, which the API server refuses.

/// Longest name (`validation.DNS1123SubdomainMaxLength`).
const MAX_LENGTH: usize = 253;

const MAX_LENGTH_MESSAGE: &str = "must be no more than 253 characters";

const FORMAT_MESSAGE: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/// What `IsDNS1123Subdomain` says about `name`, in its order: empty when it is valid.
pub fn dns1123_subdomain_problems(name: &str) -> Vec<&'static str> {
    let mut problems = Vec::new();
    if name.len() > MAX_LENGTH {
        problems.push(MAX_LENGTH_MESSAGE);
    }
    if !is_subdomain(name) {
        problems.push(FORMAT_MESSAGE);
    }
    problems
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*`, anchored.
fn is_subdomain(name: &str) -> bool {
    name.split('.').all(|label| {
        let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        let bytes = label.as_bytes();
        match (bytes.first(), bytes.last()) {
            (Some(&first), Some(&last)) => {
                alnum(first) && alnum(last) && bytes.iter().all(|&c| alnum(c) || c == b'-')
            }
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_the_api_server_checks_them() {
        for good in ["sample", "feast-prod", "a.b-c.d", "0", "x1"] {
            assert!(dns1123_subdomain_problems(good).is_empty(), "{good}");
        }
        for bad in [
            "Feast",
            "feast_prod",
            "-a",
            "a-",
            "a..b",
            ".a",
            "a.",
            "caf\u{e9}",
        ] {
            assert_eq!(
                dns1123_subdomain_problems(bad),
                vec![FORMAT_MESSAGE],
                "{bad}"
            );
        }
        let long = "a".repeat(254);
        assert_eq!(dns1123_subdomain_problems(&long), vec![MAX_LENGTH_MESSAGE]);
    }
}
