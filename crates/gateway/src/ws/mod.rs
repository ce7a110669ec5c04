//! The WebSocket edge: upgrade (token checked first), one session per
//! connection (reader in the session task, writer in its own task), the
//! registry of this gateway's connections, and the dispatcher that feeds
//! them from the gateway's downstream topic.

mod dispatch;
pub(crate) mod frames;
mod handle;
mod per_user;
mod registry;
mod session;
mod upgrade;

pub(crate) use dispatch::dispatch;
pub(crate) use per_user::PerUser;
pub(crate) use registry::{first_id, Registry};
pub(crate) use upgrade::routes;

/// Close codes (docs/protocol.md, "Limits and closing").
pub(crate) mod close {
    pub(crate) const NORMAL: u16 = 1000;
    pub(crate) const GOING_AWAY: u16 = 1001;
    /// RFC 6455: an unmasked frame, a reserved opcode or reserved bits.
    pub(crate) const PROTOCOL_ERROR: u16 = 1002;
    /// RFC 6455: a text frame that is not UTF-8.
    pub(crate) const INVALID_DATA: u16 = 1007;
    /// The server lost track of what it delivered: reconnect and resync.
    pub(crate) const SERVICE_RESTART: u16 = 1012;
    pub(crate) const TOO_BIG: u16 = 1009;
    pub(crate) const UNAUTHORIZED: u16 = 4001;
    pub(crate) const TOO_SLOW: u16 = 4008;
}
