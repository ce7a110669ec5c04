//! Friends, friend requests, blocks and presence.

use ferrochat_domain::social::{FriendRequest, RequestMessage, RequestStatus};
use ferrochat_domain::{InvalidField, RequestId, UserId};
use ferrochat_ports::api::Friend;
use ferrochat_ports::store::PendingRequests;

use super::{caller, id, time};
use crate::convert::{required, DecodeError};
use crate::pb;

fn status_to_pb(s: RequestStatus) -> pb::RequestStatus {
    match s {
        RequestStatus::Pending => pb::RequestStatus::Pending,
        RequestStatus::Accepted => pb::RequestStatus::Accepted,
        RequestStatus::Rejected => pb::RequestStatus::Rejected,
    }
}

pub(crate) fn status_from_pb(raw: i32) -> Result<RequestStatus, DecodeError> {
    match pb::RequestStatus::try_from(raw) {
        Ok(pb::RequestStatus::Pending) => Ok(RequestStatus::Pending),
        Ok(pb::RequestStatus::Accepted) => Ok(RequestStatus::Accepted),
        Ok(pb::RequestStatus::Rejected) => Ok(RequestStatus::Rejected),
        _ => Err(DecodeError::field("status", "is unknown")),
    }
}

impl pb::RequestFriendRequest {
    pub fn new(who: &UserId, to: &UserId, message: &RequestMessage) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            to_user_id: to.as_str().to_owned(),
            message: message.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<(UserId, UserId, RequestMessage), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            id(&self.to_user_id, "to_user_id", UserId::parse)?,
            RequestMessage::parse(self.message)?,
        ))
    }
}

impl pb::AnswerRequestRequest {
    pub fn new(who: &UserId, request: &RequestId, accept: bool) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            request_id: request.as_str().to_owned(),
            accept,
        }
    }

    pub fn parse(self) -> Result<(UserId, RequestId, bool), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            id(&self.request_id, "request_id", RequestId::parse)?,
            self.accept,
        ))
    }
}

impl pb::PeerRequest {
    pub fn new(who: &UserId, user: &UserId) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            user_id: user.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<(UserId, UserId), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            id(&self.user_id, "user_id", UserId::parse)?,
        ))
    }
}

impl pb::SetBlockRequest {
    pub fn new(who: &UserId, user: &UserId, on: bool) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            user_id: user.as_str().to_owned(),
            on,
        }
    }

    pub fn parse(self) -> Result<(UserId, UserId, bool), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            id(&self.user_id, "user_id", UserId::parse)?,
            self.on,
        ))
    }
}

// --- answers --------------------------------------------------------------

impl From<&FriendRequest> for pb::FriendRequest {
    fn from(r: &FriendRequest) -> Self {
        Self {
            id: r.id.as_str().to_owned(),
            from_user_id: r.from.as_str().to_owned(),
            to_user_id: r.to.as_str().to_owned(),
            message: r.message.as_str().to_owned(),
            status: status_to_pb(r.status).into(),
            created_at_ms: r.created_at.millis(),
        }
    }
}

impl TryFrom<pb::FriendRequest> for FriendRequest {
    type Error = DecodeError;
    fn try_from(r: pb::FriendRequest) -> Result<Self, DecodeError> {
        Ok(Self {
            id: RequestId::parse(&r.id)?,
            from: UserId::parse(&r.from_user_id)?,
            to: UserId::parse(&r.to_user_id)?,
            message: RequestMessage::from_stored(r.message),
            status: status_from_pb(r.status)?,
            created_at: time(r.created_at_ms),
        })
    }
}

impl From<&PendingRequests> for pb::PendingRequests {
    fn from(p: &PendingRequests) -> Self {
        Self {
            incoming: p.incoming.iter().map(Into::into).collect(),
            outgoing: p.outgoing.iter().map(Into::into).collect(),
        }
    }
}

impl TryFrom<pb::PendingRequests> for PendingRequests {
    type Error = DecodeError;
    fn try_from(p: pb::PendingRequests) -> Result<Self, DecodeError> {
        let all = |rs: Vec<pb::FriendRequest>| -> Result<Vec<FriendRequest>, DecodeError> {
            rs.into_iter().map(TryInto::try_into).collect()
        };
        Ok(Self {
            incoming: all(p.incoming)?,
            outgoing: all(p.outgoing)?,
        })
    }
}

impl From<&[Friend]> for pb::FriendsResponse {
    fn from(fs: &[Friend]) -> Self {
        Self {
            friends: fs
                .iter()
                .map(|f| pb::Friend {
                    user: Some((&f.user).into()),
                    online: f.online,
                })
                .collect(),
        }
    }
}

impl TryFrom<pb::FriendsResponse> for Vec<Friend> {
    type Error = DecodeError;
    fn try_from(r: pb::FriendsResponse) -> Result<Self, DecodeError> {
        r.friends
            .into_iter()
            .map(|f| {
                Ok(Friend {
                    user: required(f.user, "user")?.try_into()?,
                    online: f.online,
                })
            })
            .collect()
    }
}
