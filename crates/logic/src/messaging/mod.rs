//! Messaging: the send pipeline (check, group commit, fan-out), and
//! conversations, history, cursors, receipts and typing.

mod access;
mod access_cache;
mod audience;
mod backpressure;
mod bounded;
mod changes;
mod config;
mod measure;
mod mentions;
mod pipeline;
mod service;

pub(crate) use access::{member_of, unless_blocked};
pub(crate) use access_cache::{AccessCache, ConvMeta, MemberState};
pub(crate) use audience::{Audience, AudienceCache};
pub(crate) use changes::message_at;
pub use config::{DmPolicy, GroupsConfig, MessagingConfig, MAX_GROUP_MEMBERS};
pub(crate) use pipeline::{Committer, Pipeline};
pub use service::Messaging;
