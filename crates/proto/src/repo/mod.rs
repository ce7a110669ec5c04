//! The repo role's gRPC messages (`repo.proto`) to and from the store
//! port's types, one file per area of the port.
//!
//! Both directions are records between ferrochat processes, so both decode
//! as bus records do: requests (logic -> repo) with `parse`, answers
//! (repo -> logic) with `TryFrom`, each checking ids and required fields and
//! naming the bad proto field in a [`DecodeError`]. The client builds
//! requests from the port's arguments with `new`, and the server its
//! answers with `From`.
//!
//! What logic validated with a configured limit (message content) or may
//! write beyond a client's rules (the `system` message type) is taken as
//! stored: the repo does not know logic's config. Everything else goes
//! through its type's own `parse`.

mod accounts;
mod devices;
mod external;
mod groups;
mod messages;
mod moderation;
mod social;

use ferrochat_domain::{InvalidField, Seq, Timestamp, UserId};

use crate::convert::DecodeError;
use crate::pb;

/// Parses an id with its type's `parse`, naming the proto field it came in.
pub(crate) fn id<T>(
    raw: &str,
    field: &'static str,
    parse: impl FnOnce(&str) -> Result<T, InvalidField>,
) -> Result<T, DecodeError> {
    parse(raw).map_err(|e| DecodeError::field(field, e.reason))
}

/// Parses each id of a repeated field, naming the field and the bad value.
pub(crate) fn ids<T>(
    raw: &[String],
    field: &'static str,
    parse: impl Fn(&str) -> Result<T, InvalidField>,
) -> Result<Vec<T>, DecodeError> {
    raw.iter()
        .map(|s| {
            parse(s).map_err(|_| DecodeError::field(field, format!("{s:?} is not a valid id")))
        })
        .collect()
}

fn user_id(raw: &str, field: &'static str) -> Result<UserId, DecodeError> {
    id(raw, field, UserId::parse)
}

fn strings<'a, T: 'a>(
    items: impl IntoIterator<Item = &'a T>,
    s: impl Fn(&T) -> &str,
) -> Vec<String> {
    items.into_iter().map(|t| s(t).to_owned()).collect()
}

fn time(ms: i64) -> Timestamp {
    Timestamp::from_millis(ms)
}

fn seq(raw: u64) -> Seq {
    Seq::new(raw)
}

/// A value ferrochat never writes empty (a hash, a message type).
fn non_empty(raw: String, field: &'static str) -> Result<String, DecodeError> {
    if raw.is_empty() {
        return Err(DecodeError::field(field, "is empty"));
    }
    Ok(raw)
}

// --- shared requests and answers -----------------------------------------

impl pb::RepoUserRequest {
    pub fn new(user: &UserId) -> Self {
        Self {
            user_id: user.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<UserId, DecodeError> {
        user_id(&self.user_id, "user_id")
    }
}

impl pb::UserPairRequest {
    pub fn new(a: &UserId, b: &UserId) -> Self {
        Self {
            a_user_id: a.as_str().to_owned(),
            b_user_id: b.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<(UserId, UserId), DecodeError> {
        Ok((
            user_id(&self.a_user_id, "a_user_id")?,
            user_id(&self.b_user_id, "b_user_id")?,
        ))
    }
}

impl From<bool> for pb::BoolAnswer {
    fn from(value: bool) -> Self {
        Self { value }
    }
}

impl From<pb::BoolAnswer> for bool {
    fn from(a: pb::BoolAnswer) -> Self {
        a.value
    }
}

impl From<&[UserId]> for pb::UserIdsAnswer {
    fn from(users: &[UserId]) -> Self {
        Self {
            user_ids: strings(users, UserId::as_str),
        }
    }
}

impl TryFrom<pb::UserIdsAnswer> for Vec<UserId> {
    type Error = DecodeError;
    fn try_from(a: pb::UserIdsAnswer) -> Result<Self, DecodeError> {
        ids(&a.user_ids, "user_ids", UserId::parse)
    }
}
