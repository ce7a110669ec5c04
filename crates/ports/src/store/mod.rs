//! The store port: durable state. One trait per area, gathered by `Store`.

mod attachments;
mod devices;
mod durability;
mod external;
mod groups;
mod messages;
mod moderation;
mod social;
mod uploads;

pub use attachments::{AttachmentStore, Bound};
pub use devices::{DeviceStore, MAX_PUSH_DEVICES};
pub use durability::{Durability, NotDurable, Risk};
pub use external::ExternalIdentityStore;
pub use groups::{GroupStore, NewGroup};
pub use messages::{
    Committed, ConversationRecord, HistoryQuery, MemberRecord, MessageStore, NewMessage, Refusal,
};
pub use moderation::ModerationStore;
pub use social::{PendingRequests, SocialStore};
pub use uploads::UploadStore;

use async_trait::async_trait;
use ferrochat_domain::commands::{SearchUsers, UpdateProfile};
pub use ferrochat_domain::SessionInfo;
use ferrochat_domain::{ConversationId, DeviceId, SessionId, Timestamp, User, UserId};

/// What a role can act on. Anything else is `Other`: the role logs it and
/// answers "internal error".
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was hit (e.g. username taken).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The backend cannot be reached right now.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The query ran past the time its kind is allowed (a message search
    /// past `store.search_timeout`): refused, and not tried again, since
    /// it would cost as much the next time.
    #[error("query over its time limit: {0}")]
    TimedOut(String),
    #[error(transparent)]
    Other(Box<dyn std::error::Error + Send + Sync>),
}

/// A user row with its password hash, for login.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: SessionId,
    pub user_id: UserId,
    pub device_id: Option<DeviceId>,
    pub created_at: Timestamp,
    /// When the refresh token (and so the session) expires unless rotated.
    pub expires_at: Timestamp,
    /// SHA-256 of the first refresh token, hex.
    pub refresh_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: SessionId,
    pub user_id: UserId,
    pub expires_at: Timestamp,
    pub revoked: bool,
}

impl SessionRecord {
    pub fn is_live(&self, now: Timestamp) -> bool {
        !self.revoked && now < self.expires_at
    }
}

/// What erasing an account touched, for the caches to forget.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erased {
    /// Its sessions that were live: revoked.
    pub sessions: Vec<SessionId>,
    /// Users it was a friend of or in a block with: no longer.
    pub peers: Vec<UserId>,
    /// Its single conversations: closed (readable, not writable).
    pub closed: Vec<ConversationId>,
}

/// A refresh: replace `presented_hash` by `new_hash` if it is the session's
/// current token and the session is live.
#[derive(Debug, Clone)]
pub struct Rotation {
    pub presented_hash: String,
    pub new_hash: String,
    pub now: Timestamp,
    pub new_expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotateOutcome {
    /// The token was current: it is now replaced.
    Rotated(SessionRecord),
    /// The token had already been rotated away: the store revoked the
    /// session in the same transaction.
    Reused { session: SessionId, user: UserId },
    /// Unknown token, or its session is revoked or expired.
    Invalid,
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    /// `Conflict` if the username (compared without case) is taken.
    async fn insert_user(&self, user: &User, password_hash: &str) -> Result<(), StoreError>;
    async fn user(&self, id: &UserId) -> Result<Option<User>, StoreError>;
    /// Looks up by `Username::key()`.
    async fn credentials(&self, username_key: &str) -> Result<Option<Credentials>, StoreError>;
    async fn update_profile(
        &self,
        id: &UserId,
        update: &UpdateProfile,
    ) -> Result<Option<User>, StoreError>;
    /// The directory: discoverable users but `viewer` whose username or
    /// nickname starts with the search's prefix (case-folded), none who
    /// blocked `viewer` or whom `viewer` blocked, in username order.
    async fn search_users(
        &self,
        viewer: &UserId,
        search: &SearchUsers,
    ) -> Result<Vec<User>, StoreError>;

    async fn insert_session(&self, session: &NewSession) -> Result<(), StoreError>;
    async fn session(&self, id: &SessionId) -> Result<Option<SessionRecord>, StoreError>;
    async fn rotate_refresh(&self, rotation: &Rotation) -> Result<RotateOutcome, StoreError>;
    async fn revoke_session(&self, id: &SessionId, at: Timestamp) -> Result<(), StoreError>;
    /// `user`'s sessions live at `now`, most recently seen first, at most
    /// `limit`.
    async fn live_sessions(
        &self,
        user: &UserId,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<SessionInfo>, StoreError>;
    /// Revokes every session of `user` live at `at` but `keep`, and
    /// answers their ids, with those an earlier run of the same call (same
    /// `at`) revoked: a retry still names every session to forget.
    async fn revoke_sessions(
        &self,
        user: &UserId,
        keep: Option<&SessionId>,
        at: Timestamp,
    ) -> Result<Vec<SessionId>, StoreError>;
    /// Sets `user`'s password hash and revokes every session of theirs but
    /// `keep` (all of them with `None`) in the same transaction (a crash between the two would leave
    /// whoever knew the old password logged in); answers as
    /// `revoke_sessions`.
    async fn set_password(
        &self,
        user: &UserId,
        password_hash: &str,
        keep: Option<&SessionId>,
        at: Timestamp,
    ) -> Result<Vec<SessionId>, StoreError>;
    /// Deletes `user`'s account in one transaction: the profile erased
    /// (the username free again, never found, never logged in to), every
    /// session revoked, friendships, friend requests and blocks either way
    /// gone, out of the world room, its single conversations closed. Its
    /// messages and group memberships stay (the caller removes it from its
    /// groups first). `None` if no such user, or already deleted.
    async fn erase_user(&self, user: &UserId, at: Timestamp) -> Result<Option<Erased>, StoreError>;
}

/// Everything durable. Adapters implement each area trait and this one.
#[async_trait]
pub trait Store:
    AccountStore
    + DeviceStore
    + ExternalIdentityStore
    + MessageStore
    + GroupStore
    + SocialStore
    + ModerationStore
    + AttachmentStore
    + UploadStore
    + Send
    + Sync
    + 'static
{
    /// Cheap reachability check, for `/ready`.
    async fn ping(&self) -> Result<(), StoreError>;
    /// Finishes in-flight work and closes connections.
    async fn close(&self);
}
