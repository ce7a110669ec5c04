//! Accounts: registration, login, token refresh with rotation and reuse
//! detection, logout, and profiles.

mod config;
mod lifecycle;
mod password;
mod service;
mod sessions;
mod tokens;

pub use config::{AuthConfig, PasswordHashConfig};
pub use service::Accounts;
pub(crate) use service::Ties;
pub(crate) use sessions::Sessions;
