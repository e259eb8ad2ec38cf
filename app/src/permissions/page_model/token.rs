//! "As a user" from a pasted token: its claims read the way Feast's OIDC parser reads them.
//! Runs in the browser; the token is never sent.

/// Base64url (with or without padding) to bytes; None when it is not base64url.
fn base64url(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// The roles, groups and namespaces Feast would read from a pasted token (its claims are
/// read without verification; the token never leaves the browser). `client_id` is the
/// `client_id` of Feast's `auth: {type: oidc}` block. Returns (roles, groups, namespaces,
/// note), lists comma-separated.
pub fn user_from_token(
    token: &str,
    client_id: &str,
) -> Result<(String, String, String, String), String> {
    let payload = token
        .trim()
        .trim_start_matches("Bearer ")
        .split('.')
        .nth(1)
        .ok_or("not a JWT: expected header.payload.signature")?;
    let bytes = base64url(payload).ok_or("the payload is not base64url")?;
    let claims: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("the payload is not JSON: {e}"))?;
    // A Kubernetes service-account token: Feast asks TokenReview, which names
    // `system:serviceaccount:<ns>:<sa>`; the namespace is all it grants on.
    if claims.get("kubernetes.io").is_some_and(|v| v.is_object()) {
        let sub = claims.get("sub").and_then(|v| v.as_str()).unwrap_or("");
        let parts: Vec<&str> = sub.split(':').collect();
        return match parts.as_slice() {
            ["system", "serviceaccount", ns, _sa] => Ok((
                String::new(),
                String::new(),
                ns.to_string(),
                format!("Kubernetes service account {sub}: namespace {ns}, no roles or groups (assuming TokenReview confirms it)"),
            )),
            _ => Err(format!("a Kubernetes token whose sub `{sub}` is not system:serviceaccount:NS:SA")),
        };
    }
    let client = (!client_id.trim().is_empty()).then_some(client_id.trim());
    let id = crate::auth::Identity::from_claims(&claims, client).map_err(|e| e.to_string())?;
    let mut note = format!("{} (from {})", id.username, id.username_claim);
    if !id.realm_roles_ignored_by_feast.is_empty() {
        note.push_str(&format!(
            "; realm roles ignored by Feast: {}",
            id.realm_roles_ignored_by_feast.join(", ")
        ));
    }
    if client.is_none() && claims.get("resource_access").is_some() {
        note.push_str("; resource_access ignored: no client id given (Feast needs auth.client_id)");
    }
    Ok((
        id.feast_roles.join(", "),
        id.groups.join(", "),
        String::new(),
        note,
    ))
}
