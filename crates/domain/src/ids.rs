//! Typed identifiers. All ids are strings on the wire (docs/protocol.md); inside,
//! each kind of id is its own type so a `UserId` can never be passed where a
//! `GroupId` is expected.
//!
//! Server-generated ids are UUIDv7 (time-ordered, so indexes stay compact).
//! `parse` accepts only the canonical hyphenated lowercase form, which is
//! what the server hands out; anything else cannot name a stored row.

use crate::error::InvalidField;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// A fresh time-ordered id.
            pub fn generate() -> Self {
                Self(uuid::Uuid::now_v7().hyphenated().to_string())
            }

            /// An id that 16 bytes determine (a digest of what it names):
            /// anyone deriving it from the same thing gets the same id.
            pub fn derived(bytes: [u8; 16]) -> Self {
                Self(uuid::Builder::from_random_bytes(bytes).into_uuid().hyphenated().to_string())
            }

            /// Validates a client-supplied id.
            pub fn parse(raw: &str) -> Result<Self, InvalidField> {
                match uuid::Uuid::try_parse(raw) {
                    Ok(u) if u.hyphenated().to_string() == raw => Ok(Self(raw.to_owned())),
                    _ => Err(InvalidField::new($field, "is not a valid id")),
                }
            }

            /// Rebuilds an id read back from our own store, which only ever
            /// holds ids we generated.
            pub fn from_stored(raw: String) -> Self {
                Self(raw)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

uuid_id!(
    /// A registered user.
    UserId,
    "user_id"
);
uuid_id!(
    /// One login: a device's access and refresh tokens share it.
    SessionId,
    "session_id"
);
uuid_id!(
    /// A group (its conversation has a `ConversationId` of its own).
    GroupId,
    "group_id"
);
uuid_id!(
    /// A stored message.
    MessageId,
    "message_id"
);
uuid_id!(
    /// A registered push token (`push::Device`).
    PushDeviceId,
    "id"
);
uuid_id!(
    /// A friend request.
    RequestId,
    "request_id"
);
uuid_id!(
    /// A user's report of a message or a user, for the administrators.
    ReportId,
    "report_id"
);
uuid_id!(
    /// One line of the administrators' audit log.
    AuditId,
    "audit_id"
);
uuid_id!(
    /// An uploaded file (its bytes in object storage under this id).
    AttachmentId,
    "attachment_id"
);

/// A conversation: a generated id for single and group conversations, or the
/// literal `"world"` for the room every user is in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConversationId(String);

impl ConversationId {
    pub const WORLD: &'static str = "world";

    pub fn world() -> Self {
        Self(Self::WORLD.to_owned())
    }

    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7().hyphenated().to_string())
    }

    pub fn parse(raw: &str) -> Result<Self, InvalidField> {
        if raw == Self::WORLD {
            return Ok(Self::world());
        }
        match uuid::Uuid::try_parse(raw) {
            Ok(u) if u.hyphenated().to_string() == raw => Ok(Self(raw.to_owned())),
            _ => Err(InvalidField::new("conversation_id", "is not a valid id")),
        }
    }

    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn is_world(&self) -> bool {
        self.0 == Self::WORLD
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for ConversationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_back() {
        let id = UserId::generate();
        assert_eq!(UserId::parse(id.as_str()), Ok(id));
    }

    #[test]
    fn non_canonical_forms_are_refused() {
        let id = UserId::generate();
        let upper = id.as_str().to_uppercase();
        let simple = id.as_str().replace('-', "");
        for bad in ["", "1", "not-an-id", upper.as_str(), simple.as_str()] {
            let err = UserId::parse(bad).unwrap_err();
            assert_eq!(err.field, "user_id");
        }
    }

    #[test]
    fn world_is_a_conversation_id() {
        assert!(ConversationId::parse("world").unwrap().is_world());
        assert!(ConversationId::parse("World").is_err());
        let c = ConversationId::generate();
        assert_eq!(ConversationId::parse(c.as_str()), Ok(c));
    }
}
