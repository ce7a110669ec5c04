//! Validated requests. The edges (HTTP, WebSocket, gRPC) decode raw input
//! into these; the roles accept nothing else (design invariant 7).

use crate::{Avatar, DeviceId, Email, Nickname, Password, StatusText, Username};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_fold_case_and_bound_their_input() {
        let s = SearchUsers::parse("  ÉMile ".into(), None, None).unwrap();
        assert_eq!((s.prefix(), s.limit), ("émile", 20));
        assert!(SearchUsers::parse("   ".into(), None, None).is_err());
        assert!(SearchUsers::parse("x".repeat(33), None, None).is_err());
        assert!(SearchUsers::parse("ab".into(), None, Some(51)).is_err());
        assert!(SearchUsers::parse("ab".into(), Some("y".repeat(65)), None).is_err());
    }
}

#[derive(Debug, Clone)]
pub struct Register {
    pub username: Username,
    pub password: Password,
    pub nickname: Option<Nickname>,
}

#[derive(Debug, Clone)]
pub struct Login {
    pub username: Username,
    pub password: Password,
    pub device_id: Option<DeviceId>,
}

/// A password change: the current one proves it is the user at the
/// keyboard, not someone holding a stolen token.
#[derive(Debug, Clone)]
pub struct ChangePassword {
    pub current: Password,
    pub new: Password,
}

impl ChangePassword {
    pub fn parse(current: String, new: String) -> Result<Self, crate::InvalidField> {
        Ok(Self {
            current: Password::parse(current).map_err(|e| e.renamed("current_password"))?,
            new: Password::parse(new).map_err(|e| e.renamed("new_password"))?,
        })
    }
}

/// Fields left `None` keep their value.
#[derive(Debug, Clone, Default)]
pub struct UpdateProfile {
    pub nickname: Option<Nickname>,
    pub avatar: Option<Avatar>,
    pub discoverable: Option<bool>,
    /// `Some(None)` removes the address.
    pub email: Option<Option<Email>>,
    pub status: Option<StatusText>,
}

impl UpdateProfile {
    /// The email change as every wire carries it: absent keeps the
    /// address, empty removes it.
    pub fn email_text(&self) -> Option<String> {
        self.email.as_ref().map(|e| {
            e.as_ref()
                .map_or_else(String::new, |e| e.as_str().to_owned())
        })
    }

    /// The inverse of `email_text`.
    pub fn parse_email(raw: Option<String>) -> Result<Option<Option<Email>>, crate::InvalidField> {
        raw.map(|r| match r.trim() {
            "" => Ok(None),
            _ => Email::parse(r).map(Some),
        })
        .transpose()
    }
}

/// A search of the user directory: users whose username or nickname
/// starts with `prefix` (both compared case-folded), after `after` (a
/// username, the last of the previous page) in username order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchUsers {
    prefix: String,
    pub after: Option<String>,
    pub limit: u32,
}

impl SearchUsers {
    /// The most a page holds.
    pub const MAX_LIMIT: u32 = 50;

    /// `q`: 1-32 characters once trimmed; `limit`: 1-50, 20 by default.
    pub fn parse(
        q: String,
        after: Option<String>,
        limit: Option<i64>,
    ) -> Result<Self, crate::InvalidField> {
        let prefix = fold(q.trim());
        let n = prefix.chars().count();
        if n == 0 || n > 32 {
            return Err(crate::InvalidField::new("q", "must be 1 to 32 characters"));
        }
        let after = after.map(|a| fold(&a));
        if after.as_ref().is_some_and(|a| a.len() > 64) {
            return Err(crate::InvalidField::new("after", "is not a username"));
        }
        let limit = crate::messaging::page_limit(limit, 20, Self::MAX_LIMIT)?;
        Ok(Self {
            prefix,
            after,
            limit,
        })
    }

    /// Case-folded.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }
}

/// How names are compared in the directory: Unicode lower case, so
/// "ÉMILE" finds "émile".
pub fn fold(s: &str) -> String {
    s.to_lowercase()
}

/// A member's changes to a conversation; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct UpdateConversation {
    pub read_seq: Option<crate::Seq>,
    pub muted: Option<bool>,
    pub pinned: Option<bool>,
    /// Messages to hide from this member's history and sync ("delete for
    /// me"); each at most once, at most `MAX_HIDE` per request.
    pub hide: Vec<crate::Seq>,
}

/// The most messages one request hides.
pub const MAX_HIDE: usize = 100;

/// A page of history: ascending seq, after and/or before a seq.
#[derive(Debug, Clone)]
pub struct History {
    pub conversation_id: crate::ConversationId,
    pub after: Option<crate::Seq>,
    pub before: Option<crate::Seq>,
    pub limit: crate::PageLimit,
    /// Only the conversation's pinned messages.
    pub pinned: bool,
}

/// "I have everything up to these seqs; what did I miss?"
#[derive(Debug, Clone)]
pub struct SyncRequest {
    pub cursors: Vec<(crate::ConversationId, crate::Seq)>,
    pub limit: crate::PageLimit,
}

/// A message as a client asks to send it (before it has a conversation id,
/// a seq or a message id).
#[derive(Debug, Clone)]
pub struct SendMessage {
    pub target: crate::SendTarget,
    pub client_msg_id: crate::ClientMsgId,
    pub content: crate::MessageContent,
    pub message_type: crate::MessageType,
    /// A reply, an edit or a recall of a message of the same conversation.
    pub reference: Option<crate::Reference>,
    pub marks: crate::Marks,
}

#[derive(Debug, Clone)]
pub struct CreateGroup {
    pub name: crate::groups::GroupName,
    pub description: crate::groups::GroupDescription,
    pub member_ids: Vec<crate::UserId>,
    pub join_policy: crate::groups::JoinPolicy,
    /// A smaller cap than the server's, if wanted.
    pub max_members: Option<u32>,
}

/// Changes to a group's own information (owner or admin); `None` keeps
/// the value. At least one is set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateGroup {
    pub name: Option<crate::groups::GroupName>,
    pub description: Option<crate::groups::GroupDescription>,
    pub join_policy: Option<crate::groups::JoinPolicy>,
    pub avatar: Option<crate::Avatar>,
    pub announcement: Option<crate::groups::GroupAnnouncement>,
}

impl UpdateGroup {
    /// The change from its fields as received (the join policy already
    /// read from its encoding), each checked as on creation, at least one
    /// present: what the gateway takes from a client and logic from a
    /// gateway.
    pub fn parse(
        name: Option<String>,
        description: Option<String>,
        join_policy: Option<crate::groups::JoinPolicy>,
        avatar: Option<String>,
        announcement: Option<String>,
    ) -> Result<Self, crate::InvalidField> {
        use crate::groups::{GroupAnnouncement, GroupDescription, GroupName};
        let change = Self {
            name: name.map(GroupName::parse).transpose()?,
            description: description.map(GroupDescription::parse).transpose()?,
            join_policy,
            avatar: avatar.map(crate::Avatar::parse).transpose()?,
            announcement: announcement.map(GroupAnnouncement::parse).transpose()?,
        };
        if change.is_empty() {
            return Err(crate::InvalidField::new(
                "name",
                "one of name, description, join_policy, avatar, announcement is required",
            ));
        }
        Ok(change)
    }

    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.description.is_none()
            && self.join_policy.is_none()
            && self.avatar.is_none()
            && self.announcement.is_none()
    }
}

/// Changes to one group member; `None` keeps the value. `muted_until`
/// is `Some(None)` to unmute.
#[derive(Debug, Clone, Default)]
pub struct UpdateMember {
    pub role: Option<crate::groups::Role>,
    pub muted_until: Option<Option<crate::Timestamp>>,
}
