//! Sign-in keys: the identity provider, the session cookie and lifetimes, console role
//! mappings, and the development-mode escape hatch. Checked with the other keys at start-up.

use std::{fmt, net::SocketAddr, time::Duration};

use app::auth::roles::{ClaimMatch, RoleMapping};

use super::error::ConfigError;
use super::layers::Layers;
use super::origin::Origin;

/// A secret that never prints.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Clone, Debug)]
pub struct OidcConfig {
    /// Issuer URL; discovery reads `<issuer>/.well-known/openid-configuration`.
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// Feast's `client_id`: its roles are the ones Feast reads from `resource_access`.
    pub feast_client_id: Option<String>,
    pub scopes: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// Origin the browser uses, without a trailing slash (`public_url`, default `http://<listen>`).
    pub public_url: String,
    /// None: development mode (no sign-in, demo users).
    pub oidc: Option<OidcConfig>,
    pub cookie_secure: bool,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// How long past its access token's expiry a session outlives an unreachable identity
    /// provider (`idp_outage_grace_seconds`).
    pub idp_outage_grace: Duration,
    pub role_mapping: RoleMapping,
    /// Allows development mode on a non-loopback address (logged at every start).
    pub insecure_no_auth: bool,
    /// Sign-ins in progress one client may hold (`pending_logins_per_client`, default 20).
    pub pending_logins_per_client: u64,
    /// Proxies whose `X-Forwarded-For` is believed (`trusted_proxies`, default none).
    pub trusted_proxies: Vec<crate::auth::client::IpRange>,
}

impl AuthConfig {
    /// Redirect URL registered with the identity provider.
    pub fn redirect_url(&self) -> String {
        format!("{}/auth/callback", self.public_url)
    }
}

fn invalid(key: &'static str, origin: Origin, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key,
        origin,
        reason: reason.into(),
    }
}

fn non_empty(text: String) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

pub(super) fn validate(layers: &Layers, listen: SocketAddr) -> Result<AuthConfig, ConfigError> {
    let (public_url, o) = layers.get("public_url");
    let public_url = match non_empty(public_url) {
        None => format!("http://{listen}"),
        Some(url) => check_origin_url(&url).map_err(|r| invalid("public_url", o, r))?,
    };

    let (issuer, o) = layers.get("oidc_issuer_url");
    let oidc = match non_empty(issuer) {
        None => None,
        Some(issuer_url) => {
            check_issuer(&issuer_url).map_err(|r| invalid("oidc_issuer_url", o, r))?;
            let (client_id, o) = layers.get("oidc_client_id");
            let client_id = non_empty(client_id)
                .ok_or_else(|| invalid("oidc_client_id", o, "must not be empty"))?;
            let (feast_client_id, _) = layers.get("oidc_feast_client_id");
            let (scopes, _) = layers.get("oidc_scopes");
            let mut scopes: Vec<String> = scopes
                .split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            if !scopes.iter().any(|s| s == "openid") {
                scopes.insert(0, "openid".to_string());
            }
            Some(OidcConfig {
                issuer_url,
                client_id,
                client_secret: client_secret(layers)?,
                feast_client_id: non_empty(feast_client_id),
                scopes,
            })
        }
    };

    let cookie_secure = layers.bool("cookie_secure")?;
    if !cookie_secure && !listen.ip().is_loopback() {
        return Err(invalid(
            "cookie_secure",
            layers.get("cookie_secure").1,
            format!("false is only allowed for plain-HTTP development on a loopback address, not {listen}"),
        ));
    }

    let idle = layers.number("session_idle_minutes")?;
    let absolute = layers.number("session_absolute_hours")?;
    let idp_outage_grace = Duration::from_secs(layers.number("idp_outage_grace_seconds")?);

    let mapping = |key: &'static str| -> Result<Vec<ClaimMatch>, ConfigError> {
        let (text, o) = layers.get(key);
        ClaimMatch::parse_list(&text).map_err(|r| invalid(key, o, r))
    };
    let role_mapping = RoleMapping {
        viewer: mapping("console_role_viewer")?,
        sre: mapping("console_role_sre")?,
        admin: mapping("console_role_admin")?,
    };

    Ok(AuthConfig {
        public_url,
        oidc,
        cookie_secure,
        session_idle: Duration::from_secs(idle * 60),
        session_absolute: Duration::from_secs(absolute * 3600),
        idp_outage_grace,
        role_mapping,
        insecure_no_auth: layers.bool("insecure_no_auth")?,
        pending_logins_per_client: layers.number("pending_logins_per_client")?,
        trusted_proxies: trusted_proxies(layers)?,
    })
}

fn trusted_proxies(layers: &Layers) -> Result<Vec<crate::auth::client::IpRange>, ConfigError> {
    let (entries, o) = layers.list("trusted_proxies");
    entries
        .iter()
        .map(|e| {
            crate::auth::client::IpRange::parse(e)
                .map_err(|r| invalid("trusted_proxies", o.clone(), r))
        })
        .collect()
}

/// The secret comes from a file (preferred) or `FEAST_CONSOLE_OIDC_CLIENT_SECRET`; the key
/// declaration keeps it out of the configuration file itself (`Sources::EnvOnly`).
fn client_secret(layers: &Layers) -> Result<Secret, ConfigError> {
    let (inline, _) = layers.get("oidc_client_secret");
    let (path, o) = layers.get("oidc_client_secret_file");
    match (non_empty(path), non_empty(inline)) {
        (Some(_), Some(_)) => Err(invalid(
            "oidc_client_secret_file",
            o,
            "give the client secret once: either this file or FEAST_CONSOLE_OIDC_CLIENT_SECRET",
        )),
        (Some(path), None) => {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                invalid(
                    "oidc_client_secret_file",
                    o.clone(),
                    format!("cannot read {path}: {e}"),
                )
            })?;
            non_empty(text)
                .map(Secret)
                .ok_or_else(|| invalid("oidc_client_secret_file", o, format!("{path} is empty")))
        }
        (None, Some(secret)) => Ok(Secret(secret)),
        (None, None) => Err(invalid(
            "oidc_client_secret_file",
            o,
            "oidc_issuer_url is set, so the console needs its client secret: a file path here, or \
             FEAST_CONSOLE_OIDC_CLIENT_SECRET",
        )),
    }
}

fn check_origin_url(url: &str) -> Result<String, String> {
    let parsed =
        openidconnect::url::Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(format!(
            "`{url}` must be an http:// or https:// URL with a host"
        ));
    }
    if parsed.path() != "/" || parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(format!(
            "`{url}` must be an origin only (scheme, host, port), without a path"
        ));
    }
    Ok(parsed.origin().ascii_serialization())
}

fn check_issuer(url: &str) -> Result<(), String> {
    let parsed =
        openidconnect::url::Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
    let loopback = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(format!(
            "`{url}` must be https:// (plain http only for a loopback test provider)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Config, ConfigError, Layers};

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (format!("FEAST_CONSOLE_{}", k.to_uppercase()), v.to_string()))
            .collect()
    }

    fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Layers::default().with_env(env(pairs))?.validate()
    }

    fn temp(name: &str, text: &str) -> std::path::PathBuf {
        let path =
            std::env::temp_dir().join(format!("fc-auth-config-{}-{name}", std::process::id()));
        std::fs::write(&path, text).unwrap();
        path
    }

    const ISSUER: (&str, &str) = ("oidc_issuer_url", "https://sso.example.com/realms/feast");

    #[test]
    fn defaults_are_development_mode() {
        let c = Config::defaults();
        assert!(c.auth.oidc.is_none());
        assert!(c.auth.cookie_secure);
        assert_eq!(c.auth.public_url, "http://127.0.0.1:3000");
        assert_eq!(c.auth.redirect_url(), "http://127.0.0.1:3000/auth/callback");
        assert_eq!(c.auth.session_idle.as_secs(), 30 * 60);
        assert_eq!(c.auth.idp_outage_grace.as_secs(), 300);
    }

    #[test]
    fn secret_from_env_or_file_never_from_the_config_file() {
        let c = load(&[ISSUER, ("oidc_client_secret", "s3cret")]).unwrap();
        let oidc = c.auth.oidc.unwrap();
        assert_eq!(oidc.client_secret.expose(), "s3cret");
        assert!(
            !format!("{oidc:?}").contains("s3cret"),
            "secrets never print"
        );

        let file = temp("secret", "from-file\n");
        let c = load(&[ISSUER, ("oidc_client_secret_file", file.to_str().unwrap())]).unwrap();
        assert_eq!(c.auth.oidc.unwrap().client_secret.expose(), "from-file");

        let both = load(&[
            ISSUER,
            ("oidc_client_secret", "a"),
            ("oidc_client_secret_file", file.to_str().unwrap()),
        ]);
        assert!(both
            .unwrap_err()
            .to_string()
            .contains("give the client secret once"));

        let missing = load(&[ISSUER]).unwrap_err().to_string();
        assert!(
            missing.contains("`oidc_client_secret_file`")
                && missing.contains("FEAST_CONSOLE_OIDC_CLIENT_SECRET"),
            "{missing}"
        );

        let toml = temp("console.toml", "oidc_issuer_url = \"https://sso.example.com/realms/x\"\noidc_client_secret = \"plain\"\n");
        let err = Layers::default()
            .with_file(&toml)
            .unwrap()
            .validate()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`oidc_client_secret`")
                && err.contains("do not belong in the configuration file"),
            "{err}"
        );
    }

    #[test]
    fn bad_values_name_their_key() {
        let cases: [(&[(&str, &str)], &str); 7] = [
            (
                &[("cookie_secure", "false"), ("listen", "0.0.0.0:3000")],
                "`cookie_secure`",
            ),
            (&[("cookie_secure", "maybe")], "`cookie_secure`"),
            (
                &[("public_url", "https://console.example.com/app")],
                "`public_url`",
            ),
            (
                &[
                    ("oidc_issuer_url", "http://sso.example.com/realms/x"),
                    ("oidc_client_secret", "s"),
                ],
                "`oidc_issuer_url`",
            ),
            (&[("console_role_admin", "admins")], "`console_role_admin`"),
            (&[("session_idle_minutes", "0")], "`session_idle_minutes`"),
            (
                &[("trusted_proxies", "10.0.0.0/8, ingress")],
                "`trusted_proxies`",
            ),
        ];
        for (pairs, key) in cases {
            let err = load(pairs).unwrap_err().to_string();
            assert!(err.contains(key), "{pairs:?}: {err}");
        }
    }

    #[test]
    fn plain_http_cookies_and_provider_allowed_on_loopback() {
        let c = load(&[
            ("cookie_secure", "false"),
            ("oidc_issuer_url", "http://127.0.0.1:8080/realms/dev"),
            ("oidc_client_secret", "s"),
            ("public_url", "http://localhost:3000/"),
        ])
        .unwrap();
        assert!(!c.auth.cookie_secure);
        assert_eq!(c.auth.public_url, "http://localhost:3000");
        assert_eq!(c.auth.oidc.unwrap().scopes, ["openid", "profile", "email"]);
    }
}
