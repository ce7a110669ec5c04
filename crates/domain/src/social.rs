//! Friends and friend requests.

use crate::error::InvalidField;
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

/// The note sent with a friend request: at most 256 characters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequestMessage(String);

impl RequestMessage {
    pub fn parse(raw: String) -> Result<Self, InvalidField> {
        if raw.chars().count() > 256 {
            return Err(InvalidField::new(
                "message",
                "must be at most 256 characters",
            ));
        }
        Ok(Self(raw))
    }

    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FriendRequest {
    pub id: RequestId,
    pub from: UserId,
    pub to: UserId,
    pub message: RequestMessage,
    pub status: RequestStatus,
    pub created_at: Timestamp,
}
