//! The logic role: the rules behind every request. It owns accounts and
//! sessions now; conversations, groups and the message path join it.
//!
//! It sees only ports (`Arc<dyn Store>`, ...), never a concrete adapter, and
//! is reached through the role APIs in `ferrochat-ports::api`.

pub mod accounts;
pub mod clock;
mod error;

pub use accounts::{Accounts, AuthConfig, PasswordHashConfig};
