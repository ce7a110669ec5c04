//! The logic role's gRPC messages (`logic.proto`) to and from the domain,
//! one file per area of the API ports.
//!
//! Requests travel gateway -> logic. The client builds them from domain
//! values with `new`; the server turns them back with `parse`, which runs
//! each raw string through its type's own `parse` and answers an
//! `InvalidField` naming the proto field, so a bad field is refused as
//! HTTP refuses it (design invariant 7).
//!
//! Answers travel logic -> gateway: `From<&T>` on the server, `TryFrom`
//! on the client, which checks ids as the bus records do (`DecodeError`).

mod accounts;
mod devices;
mod groups;
mod messaging;
mod moderation;
mod social;

// The repo's messages share the enums of groups and friend requests.
pub(crate) use groups::{policy_from_pb, policy_to_pb, role_from_pb, role_to_pb};
pub(crate) use social::status_from_pb;

use ferrochat_domain::{InvalidField, Timestamp, UserId};

use crate::pb;

/// Parses an id with its type's `parse`, naming the proto field it came in.
pub(crate) fn id<T>(
    raw: &str,
    field: &'static str,
    parse: impl FnOnce(&str) -> Result<T, InvalidField>,
) -> Result<T, InvalidField> {
    parse(raw).map_err(|e| InvalidField::new(field, e.reason))
}

/// The user a request is made on behalf of (every area's `caller_id`).
pub(crate) fn caller(raw: &str) -> Result<UserId, InvalidField> {
    id(raw, "caller_id", UserId::parse)
}

/// Parses each id of a repeated field, naming the field and the bad value.
pub(crate) fn ids<T>(
    raw: &[String],
    field: &'static str,
    parse: impl Fn(&str) -> Result<T, InvalidField>,
) -> Result<Vec<T>, InvalidField> {
    raw.iter()
        .map(|s| parse(s).map_err(|_| InvalidField::new(field, format!("{s:?} is not a valid id"))))
        .collect()
}

pub(crate) fn time(ms: i64) -> Timestamp {
    Timestamp::from_millis(ms)
}

/// The answer of an rpc that returns nothing.
impl From<pb::Empty> for () {
    fn from(_: pb::Empty) -> Self {}
}
