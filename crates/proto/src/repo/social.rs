//! Friends, friend requests and blocks.

use ferrochat_domain::social::{FriendRequest, RequestMessage};
use ferrochat_domain::{RequestId, Timestamp, User, UserId};

use super::{id, time, user_id};
use crate::convert::DecodeError;
use crate::logic::status_from_pb;
use crate::pb;

fn request_id(raw: &str, field: &'static str) -> Result<RequestId, DecodeError> {
    id(raw, field, RequestId::parse)
}

// --- requests -------------------------------------------------------------

impl pb::FriendRequestIdRequest {
    pub fn new(request: &RequestId) -> Self {
        Self {
            request_id: request.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<RequestId, DecodeError> {
        request_id(&self.request_id, "request_id")
    }
}

impl pb::FriendRequest {
    /// A request to insert: ids and the note checked, the status known.
    pub fn parse_new(self) -> Result<FriendRequest, DecodeError> {
        Ok(FriendRequest {
            id: request_id(&self.id, "id")?,
            from: user_id(&self.from_user_id, "from_user_id")?,
            to: user_id(&self.to_user_id, "to_user_id")?,
            message: RequestMessage::parse(self.message)?,
            status: status_from_pb(self.status)?,
            created_at: time(self.created_at_ms),
        })
    }
}

impl pb::AnswerFriendRequestRequest {
    pub fn new(request: &RequestId, accept: bool, now: Timestamp) -> Self {
        Self {
            request_id: request.as_str().to_owned(),
            accept,
            now_ms: now.millis(),
        }
    }

    pub fn parse(self) -> Result<(RequestId, bool, Timestamp), DecodeError> {
        Ok((
            request_id(&self.request_id, "request_id")?,
            self.accept,
            time(self.now_ms),
        ))
    }
}

impl pb::SetBlockedRequest {
    pub fn new(blocker: &UserId, blocked: &UserId, on: bool, now: Timestamp) -> Self {
        Self {
            blocker_id: blocker.as_str().to_owned(),
            blocked_id: blocked.as_str().to_owned(),
            on,
            now_ms: now.millis(),
        }
    }

    pub fn parse(self) -> Result<(UserId, UserId, bool, Timestamp), DecodeError> {
        Ok((
            user_id(&self.blocker_id, "blocker_id")?,
            user_id(&self.blocked_id, "blocked_id")?,
            self.on,
            time(self.now_ms),
        ))
    }
}

// --- answers --------------------------------------------------------------

impl From<&Option<FriendRequest>> for pb::FriendRequestAnswer {
    fn from(r: &Option<FriendRequest>) -> Self {
        Self {
            request: r.as_ref().map(Into::into),
        }
    }
}

impl TryFrom<pb::FriendRequestAnswer> for Option<FriendRequest> {
    type Error = DecodeError;
    fn try_from(a: pb::FriendRequestAnswer) -> Result<Self, DecodeError> {
        a.request.map(FriendRequest::try_from).transpose()
    }
}

impl From<&[User]> for pb::UsersAnswer {
    fn from(users: &[User]) -> Self {
        Self {
            users: users.iter().map(Into::into).collect(),
        }
    }
}

impl TryFrom<pb::UsersAnswer> for Vec<User> {
    type Error = DecodeError;
    fn try_from(a: pb::UsersAnswer) -> Result<Self, DecodeError> {
        a.users.into_iter().map(User::try_from).collect()
    }
}
