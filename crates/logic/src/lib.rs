//! The logic role: the rules behind every request. It owns accounts and
//! sessions now; conversations, groups and the message path join it.
//!
//! It sees only ports (`Arc<dyn Store>`, ...), never a concrete adapter, and
//! is reached through the role APIs in `ferrochat-ports::api`.

pub mod accounts;
mod attachments;
pub mod clock;
mod deps;
mod error;
mod facts;
mod groups;
mod messaging;
mod news;
mod role;
mod social;
mod users;

pub use accounts::{Accounts, AuthConfig, PasswordHashConfig};
pub use attachments::Uploads;
pub use deps::LogicDeps;
pub use facts::CacheConfig;
pub use groups::Groups;
pub use messaging::{DmPolicy, GroupsConfig, Messaging, MessagingConfig, MAX_GROUP_MEMBERS};
pub use role::{Logic, LogicConfig, RoleError};
pub use social::Social;
