//! Sign-in as the pages see it: the identity (exactly as Feast reads tokens), console roles,
//! demo users for development mode, and the header widget. The server decides; the pages only
//! show what it decided (hidden links are a courtesy, not the protection).

mod api;
pub mod demo;
mod header;
pub mod identity;
pub mod roles;
mod session;

pub use api::whoami;
pub use header::{AuthOffBanner, IdentityMenu};
pub use identity::Identity;
pub use roles::{role_for_page, ConsoleRole};
#[cfg(feature = "ssr")]
pub use session::require;
pub use session::{current_session, SessionView};
