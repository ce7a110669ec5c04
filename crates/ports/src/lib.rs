//! The seams of ferrochat. Roles see only these traits; adapters implement
//! them (SQLite, SQL servers, in-process channels, Kafka, Redis, etcd, gRPC
//! clients). Every trait is dyn-compatible and used as `Arc<dyn Trait>`.
//!
//! Nothing here names a concrete technology, and no driver error type
//! crosses a port: adapters map theirs into the port's error enum.

pub mod api;
pub mod attachments;
pub mod bus;
pub mod cache;
pub mod clock;
pub mod discovery;
pub mod lag;
pub mod presence;
pub mod ratelimit;
pub mod readiness;
pub mod store;

pub use api::{
    AccountsApi, ApiError, AttachmentsApi, GroupsApi, MessagingApi, ModerationApi, SocialApi,
};
pub use attachments::{Attachments, AttachmentsError};
pub use bus::Bus;
pub use cache::{CacheError, SharedCache};
pub use discovery::Discovery;
pub use lag::FanoutLag;
pub use presence::{Heartbeat, Presence, PresenceError};
pub use ratelimit::{RateLimitError, RateLimiter};
pub use readiness::{Check, Readiness};
pub use store::{
    AccountStore, AttachmentStore, DeviceStore, ExternalIdentityStore, GroupStore, MessageStore,
    ModerationStore, SocialStore, Store, StoreError, UploadStore,
};
