//! Friends and friend requests.

use crate::{RequestId, Timestamp, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    Pending,
    Accepted,
    Rejected,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
        }
    }

    pub fn from_stored(s: &str) -> Self {
        match s {
            "accepted" => Self::Accepted,
            "rejected" => Self::Rejected,
            _ => Self::Pending,
        }
    }
}

crate::validated::bounded_text!(
    /// The note sent with a friend request: at most 256 characters.
    RequestMessage,
    "message",
    256
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FriendRequest {
    pub id: RequestId,
    pub from: UserId,
    pub to: UserId,
    pub message: RequestMessage,
    pub status: RequestStatus,
    pub created_at: Timestamp,
}
