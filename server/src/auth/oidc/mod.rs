//! The console as an OpenID Connect relying party: discovery, the authorization request
//! (code + PKCE + state + nonce), the code exchange with ID token checks (signature from the
//! provider's JWKS, refetched once on an unknown key id; iss, aud, exp, nonce), refresh, and
//! RP-initiated logout.

mod claims;
mod flow;
mod http;
mod provider;

pub use claims::jwt_payload;
pub use flow::{AuthorizationStart, LoginError, Oidc, OidcSetupError, SignedIn};
