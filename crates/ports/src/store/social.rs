//! Friends, friend requests and blocks.

use async_trait::async_trait;
use ferrochat_domain::social::FriendRequest;
use ferrochat_domain::{RequestId, Timestamp, User, UserId};

use super::StoreError;

/// A user's pending requests.
#[derive(Debug, Clone, Default)]
pub struct PendingRequests {
    pub incoming: Vec<FriendRequest>,
    pub outgoing: Vec<FriendRequest>,
}

#[async_trait]
pub trait SocialStore: Send + Sync {
    async fn friend_request(&self, id: &RequestId) -> Result<Option<FriendRequest>, StoreError>;
    /// The pending request from `from` to `to`, if any.
    async fn pending_request(
        &self,
        from: &UserId,
        to: &UserId,
    ) -> Result<Option<FriendRequest>, StoreError>;
    /// `Conflict` if a request in the same direction is already pending.
    async fn insert_friend_request(&self, request: &FriendRequest) -> Result<(), StoreError>;
    /// Accepts (making both users friends) or rejects a pending request.
    /// `None` if it is not pending any more.
    async fn answer_request(
        &self,
        id: &RequestId,
        accept: bool,
        now: Timestamp,
    ) -> Result<Option<FriendRequest>, StoreError>;
    async fn pending_requests(&self, user: &UserId) -> Result<PendingRequests, StoreError>;
    async fn are_friends(&self, a: &UserId, b: &UserId) -> Result<bool, StoreError>;
    async fn friends(&self, user: &UserId) -> Result<Vec<User>, StoreError>;
    /// Ends a friendship both ways; false if there was none.
    async fn remove_friend(&self, a: &UserId, b: &UserId) -> Result<bool, StoreError>;
    /// Blocks (`on`) or unblocks; idempotent.
    async fn set_block(
        &self,
        blocker: &UserId,
        blocked: &UserId,
        on: bool,
        now: Timestamp,
    ) -> Result<(), StoreError>;
    async fn is_blocked(&self, blocker: &UserId, blocked: &UserId) -> Result<bool, StoreError>;
}
