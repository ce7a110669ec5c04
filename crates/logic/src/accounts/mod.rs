//! Accounts: registration, login, token refresh with rotation and reuse
//! detection, logout, and profiles.

mod bounded_body;
mod config;
mod devices;
mod external;
mod lifecycle;
mod moderation;
mod oidc;
mod password;
mod reset;
mod service;
mod sessions;
mod tokens;

pub use config::{AuthConfig, PasswordHashConfig};
pub use external::{BadExternalConfig, ExternalAuthConfig};
pub use oidc::{BadOidcConfig, OidcConfig};
pub use reset::issue_password_reset;
pub use service::Accounts;
pub(crate) use service::Ties;
pub(crate) use sessions::Sessions;
