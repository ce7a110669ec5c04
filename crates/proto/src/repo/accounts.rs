//! Accounts: users, credentials, sessions and refresh rotation.

use ferrochat_domain::commands::UpdateProfile;
use ferrochat_domain::{
    Avatar, ConversationId, DeviceId, Email, Nickname, Sanctions, SessionId, StatusText, Timestamp,
    User, UserId, Username,
};
use ferrochat_ports::store::{
    Credentials, Erased, NewSession, RotateOutcome, Rotation, SessionRecord,
};

use super::{id, non_empty, time, user_id};
use crate::convert::{required, DecodeError};
use crate::pb;

/// A username key or a hash is never longer; anything longer is not ours.
const MAX_KEY_BYTES: usize = 256;

fn session_id(raw: &str, field: &'static str) -> Result<SessionId, DecodeError> {
    id(raw, field, SessionId::parse)
}

pub(super) fn bounded(raw: String, field: &'static str) -> Result<String, DecodeError> {
    let raw = non_empty(raw, field)?;
    if raw.len() > MAX_KEY_BYTES {
        return Err(DecodeError::field(field, "is too long"));
    }
    Ok(raw)
}

/// A user about to be inserted: every field through its type's `parse`.
pub(super) fn new_user(u: pb::User) -> Result<User, DecodeError> {
    Ok(User {
        discoverable: u.discoverable.unwrap_or(true),
        deleted: u.deleted,
        email: u.email.map(Email::parse).transpose()?,
        status: StatusText::parse(u.status_text)?,
        admin: u.admin,
        disabled_until: u.disabled_until_ms.map(time),
        sanctions: Sanctions {
            muted_until: u.muted_until_ms.map(time),
            world_banned_until: u.world_banned_until_ms.map(time),
        },
        id: user_id(&u.id, "user.id")?,
        username: Username::parse(u.username)?,
        nickname: Nickname::parse(u.nickname)?,
        avatar: Avatar::parse(u.avatar)?,
        created_at: time(u.created_at_ms),
    })
}

impl pb::InsertUserRequest {
    pub fn new(user: &User, password_hash: &str) -> Self {
        Self {
            user: Some(user.into()),
            password_hash: password_hash.to_owned(),
        }
    }

    pub fn parse(self) -> Result<(User, String), DecodeError> {
        Ok((
            new_user(required(self.user, "user")?)?,
            bounded(self.password_hash, "password_hash")?,
        ))
    }
}

impl pb::CredentialsRequest {
    pub fn new(username_key: &str) -> Self {
        Self {
            username_key: username_key.to_owned(),
        }
    }

    pub fn parse(self) -> Result<String, DecodeError> {
        bounded(self.username_key, "username_key")
    }
}

impl pb::UpdateUserRequest {
    pub fn new(user: &UserId, update: &UpdateProfile) -> Self {
        Self {
            user_id: user.as_str().to_owned(),
            nickname: update.nickname.as_ref().map(|n| n.as_str().to_owned()),
            avatar: update.avatar.as_ref().map(|a| a.as_str().to_owned()),
            discoverable: update.discoverable,
            email: update.email_text(),
            status_text: update.status.as_ref().map(|s| s.as_str().to_owned()),
        }
    }

    pub fn parse(self) -> Result<(UserId, UpdateProfile), DecodeError> {
        Ok((
            user_id(&self.user_id, "user_id")?,
            UpdateProfile {
                discoverable: self.discoverable,
                nickname: self.nickname.map(Nickname::parse).transpose()?,
                avatar: self.avatar.map(Avatar::parse).transpose()?,
                email: UpdateProfile::parse_email(self.email)?,
                status: self.status_text.map(StatusText::parse).transpose()?,
            },
        ))
    }
}

impl From<&NewSession> for pb::NewSession {
    fn from(s: &NewSession) -> Self {
        Self {
            id: s.id.as_str().to_owned(),
            user_id: s.user_id.as_str().to_owned(),
            device_id: s.device_id.as_ref().map(|d| d.as_str().to_owned()),
            created_at_ms: s.created_at.millis(),
            expires_at_ms: s.expires_at.millis(),
            refresh_hash: s.refresh_hash.clone(),
        }
    }
}

impl pb::NewSession {
    pub fn parse(self) -> Result<NewSession, DecodeError> {
        Ok(NewSession {
            id: session_id(&self.id, "id")?,
            user_id: user_id(&self.user_id, "user_id")?,
            device_id: self.device_id.map(DeviceId::parse).transpose()?,
            created_at: time(self.created_at_ms),
            expires_at: time(self.expires_at_ms),
            refresh_hash: bounded(self.refresh_hash, "refresh_hash")?,
        })
    }
}

impl pb::SessionRequest {
    pub fn new(session: &SessionId) -> Self {
        Self {
            session_id: session.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<SessionId, DecodeError> {
        session_id(&self.session_id, "session_id")
    }
}

impl From<&Rotation> for pb::Rotation {
    fn from(r: &Rotation) -> Self {
        Self {
            presented_hash: r.presented_hash.clone(),
            new_hash: r.new_hash.clone(),
            now_ms: r.now.millis(),
            new_expires_at_ms: r.new_expires_at.millis(),
        }
    }
}

impl pb::Rotation {
    pub fn parse(self) -> Result<Rotation, DecodeError> {
        Ok(Rotation {
            presented_hash: bounded(self.presented_hash, "presented_hash")?,
            new_hash: bounded(self.new_hash, "new_hash")?,
            now: time(self.now_ms),
            new_expires_at: time(self.new_expires_at_ms),
        })
    }
}

impl pb::RevokeSessionRequest {
    pub fn new(session: &SessionId, at: Timestamp) -> Self {
        Self {
            session_id: session.as_str().to_owned(),
            at_ms: at.millis(),
        }
    }

    pub fn parse(self) -> Result<(SessionId, Timestamp), DecodeError> {
        Ok((
            session_id(&self.session_id, "session_id")?,
            time(self.at_ms),
        ))
    }
}

// --- answers --------------------------------------------------------------

impl From<&Option<User>> for pb::UserAnswer {
    fn from(u: &Option<User>) -> Self {
        Self {
            user: u.as_ref().map(Into::into),
        }
    }
}

impl TryFrom<pb::UserAnswer> for Option<User> {
    type Error = DecodeError;
    fn try_from(a: pb::UserAnswer) -> Result<Self, DecodeError> {
        a.user.map(User::try_from).transpose()
    }
}

impl From<&Option<Credentials>> for pb::CredentialsAnswer {
    fn from(c: &Option<Credentials>) -> Self {
        Self {
            credentials: c.as_ref().map(|c| pb::Credentials {
                user: Some((&c.user).into()),
                password_hash: c.password_hash.clone(),
            }),
        }
    }
}

impl TryFrom<pb::CredentialsAnswer> for Option<Credentials> {
    type Error = DecodeError;
    fn try_from(a: pb::CredentialsAnswer) -> Result<Self, DecodeError> {
        a.credentials
            .map(|c| {
                Ok(Credentials {
                    user: required(c.user, "credentials.user")?.try_into()?,
                    password_hash: non_empty(c.password_hash, "password_hash")?,
                })
            })
            .transpose()
    }
}

impl From<&SessionRecord> for pb::SessionRecord {
    fn from(s: &SessionRecord) -> Self {
        Self {
            id: s.id.as_str().to_owned(),
            user_id: s.user_id.as_str().to_owned(),
            expires_at_ms: s.expires_at.millis(),
            revoked: s.revoked,
        }
    }
}

impl TryFrom<pb::SessionRecord> for SessionRecord {
    type Error = DecodeError;
    fn try_from(s: pb::SessionRecord) -> Result<Self, DecodeError> {
        Ok(Self {
            id: session_id(&s.id, "session.id")?,
            user_id: user_id(&s.user_id, "session.user_id")?,
            expires_at: time(s.expires_at_ms),
            revoked: s.revoked,
        })
    }
}

impl From<&Option<SessionRecord>> for pb::SessionAnswer {
    fn from(s: &Option<SessionRecord>) -> Self {
        Self {
            session: s.as_ref().map(Into::into),
        }
    }
}

impl TryFrom<pb::SessionAnswer> for Option<SessionRecord> {
    type Error = DecodeError;
    fn try_from(a: pb::SessionAnswer) -> Result<Self, DecodeError> {
        a.session.map(SessionRecord::try_from).transpose()
    }
}

impl From<&RotateOutcome> for pb::RotateOutcome {
    fn from(o: &RotateOutcome) -> Self {
        use pb::rotate_outcome::Outcome;
        let outcome = match o {
            RotateOutcome::Rotated(s) => Outcome::Rotated(s.into()),
            RotateOutcome::Reused { session, user } => Outcome::Reused(pb::ReusedToken {
                session_id: session.as_str().to_owned(),
                user_id: user.as_str().to_owned(),
            }),
            RotateOutcome::Invalid => Outcome::Invalid(pb::InvalidToken {}),
        };
        Self {
            outcome: Some(outcome),
        }
    }
}

impl TryFrom<pb::RotateOutcome> for RotateOutcome {
    type Error = DecodeError;
    fn try_from(o: pb::RotateOutcome) -> Result<Self, DecodeError> {
        use pb::rotate_outcome::Outcome;
        Ok(match required(o.outcome, "outcome")? {
            Outcome::Rotated(s) => Self::Rotated(s.try_into()?),
            Outcome::Reused(r) => Self::Reused {
                session: session_id(&r.session_id, "reused.session_id")?,
                user: user_id(&r.user_id, "reused.user_id")?,
            },
            Outcome::Invalid(pb::InvalidToken {}) => Self::Invalid,
        })
    }
}

// --- sessions of a user, passwords -----------------------------------------

impl pb::LiveSessionsRequest {
    pub fn new(user: &UserId, now: Timestamp, limit: u32) -> Self {
        Self {
            user_id: user.as_str().to_owned(),
            now_ms: now.millis(),
            limit,
        }
    }

    pub fn parse(self) -> Result<(UserId, Timestamp, u32), DecodeError> {
        Ok((
            user_id(&self.user_id, "user_id")?,
            time(self.now_ms),
            self.limit,
        ))
    }
}

impl pb::RevokeSessionsRequest {
    pub fn new(user: &UserId, keep: Option<&SessionId>, at: Timestamp) -> Self {
        Self {
            user_id: user.as_str().to_owned(),
            keep_session_id: keep.map(|k| k.as_str().to_owned()),
            at_ms: at.millis(),
        }
    }

    pub fn parse(self) -> Result<(UserId, Option<SessionId>, Timestamp), DecodeError> {
        Ok((
            user_id(&self.user_id, "user_id")?,
            self.keep_session_id
                .map(|k| session_id(&k, "keep_session_id"))
                .transpose()?,
            time(self.at_ms),
        ))
    }
}

impl pb::SetPasswordRequest {
    pub fn new(
        user: &UserId,
        password_hash: &str,
        keep: Option<&SessionId>,
        at: Timestamp,
    ) -> Self {
        Self {
            user_id: user.as_str().to_owned(),
            password_hash: password_hash.to_owned(),
            keep_session_id: keep.map(|k| k.as_str().to_owned()),
            at_ms: at.millis(),
        }
    }

    pub fn parse(self) -> Result<(UserId, String, Option<SessionId>, Timestamp), DecodeError> {
        Ok((
            user_id(&self.user_id, "user_id")?,
            bounded(self.password_hash, "password_hash")?,
            self.keep_session_id
                .map(|k| session_id(&k, "keep_session_id"))
                .transpose()?,
            time(self.at_ms),
        ))
    }
}

impl From<&[SessionId]> for pb::SessionIdsAnswer {
    fn from(ids: &[SessionId]) -> Self {
        Self {
            session_ids: ids.iter().map(|s| s.as_str().to_owned()).collect(),
        }
    }
}

impl TryFrom<pb::SessionIdsAnswer> for Vec<SessionId> {
    type Error = DecodeError;
    fn try_from(a: pb::SessionIdsAnswer) -> Result<Self, DecodeError> {
        a.session_ids
            .iter()
            .map(|s| session_id(s, "session_ids"))
            .collect()
    }
}

impl pb::EraseUserRequest {
    pub fn new(user: &UserId, at: Timestamp) -> Self {
        Self {
            user_id: user.as_str().to_owned(),
            at_ms: at.millis(),
        }
    }

    pub fn parse(self) -> Result<(UserId, Timestamp), DecodeError> {
        Ok((user_id(&self.user_id, "user_id")?, time(self.at_ms)))
    }
}

impl From<&Option<Erased>> for pb::ErasedAnswer {
    fn from(e: &Option<Erased>) -> Self {
        Self {
            erased: e.as_ref().map(|e| pb::Erased {
                session_ids: e.sessions.iter().map(|s| s.as_str().to_owned()).collect(),
                peer_ids: e.peers.iter().map(|u| u.as_str().to_owned()).collect(),
                closed_conversation_ids: e.closed.iter().map(|c| c.as_str().to_owned()).collect(),
            }),
        }
    }
}

impl TryFrom<pb::ErasedAnswer> for Option<Erased> {
    type Error = DecodeError;
    fn try_from(a: pb::ErasedAnswer) -> Result<Self, DecodeError> {
        a.erased
            .map(|e| {
                Ok(Erased {
                    sessions: e
                        .session_ids
                        .iter()
                        .map(|s| session_id(s, "erased.session_ids"))
                        .collect::<Result<_, _>>()?,
                    peers: e
                        .peer_ids
                        .iter()
                        .map(|u| user_id(u, "erased.peer_ids"))
                        .collect::<Result<_, _>>()?,
                    closed: e
                        .closed_conversation_ids
                        .iter()
                        .map(|c| id(c, "erased.closed_conversation_ids", ConversationId::parse))
                        .collect::<Result<_, _>>()?,
                })
            })
            .transpose()
    }
}
