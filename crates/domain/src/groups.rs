//! Groups: roles, join policy and the group model.

use crate::error::InvalidField;
use crate::messaging::page_limit;
use crate::{ConversationId, GroupId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Member,
    Admin,
    Owner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Member => "member",
        }
    }

    pub fn from_stored(s: &str) -> Self {
        match s {
            "owner" => Self::Owner,
            "admin" => Self::Admin,
            _ => Self::Member,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinPolicy {
    /// Anyone may join.
    Open,
    /// Only an owner or admin can add members.
    Invite,
}

impl JoinPolicy {
    pub fn parse(raw: &str) -> Result<Self, InvalidField> {
        match raw {
            "open" => Ok(Self::Open),
            "invite" => Ok(Self::Invite),
            _ => Err(InvalidField::new(
                "join_policy",
                "must be \"open\" or \"invite\"",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Invite => "invite",
        }
    }

    pub fn from_stored(s: &str) -> Self {
        if s == "invite" {
            Self::Invite
        } else {
            Self::Open
        }
    }
}

/// A group name: 1-64 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupName(String);

impl GroupName {
    pub fn parse(raw: String) -> Result<Self, InvalidField> {
        let t = raw.trim();
        if !(1..=64).contains(&t.chars().count()) || t.chars().any(char::is_control) {
            return Err(InvalidField::new(
                "name",
                "must be 1 to 64 characters without control characters",
            ));
        }
        Ok(Self(t.to_owned()))
    }

    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::validated::bounded_text!(
    /// A group description: at most 512 characters.
    GroupDescription,
    "description",
    512
);

crate::validated::bounded_text!(
    /// A group's announcement, pinned above its conversation: at most
    /// 2,048 characters. Empty means none.
    GroupAnnouncement,
    "announcement",
    2048
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: GroupId,
    pub conversation_id: ConversationId,
    pub name: GroupName,
    pub description: GroupDescription,
    pub owner_id: UserId,
    pub member_count: u32,
    pub max_members: u32,
    pub join_policy: JoinPolicy,
    /// Dissolved by its owner: its conversation is read-only.
    pub dissolved: bool,
    /// Empty: none.
    pub avatar: crate::Avatar,
    pub announcement: GroupAnnouncement,
}

/// A page of a group's members, in user id order: those after `after`
/// (all from the first when `None`), at most `limit` of them (1 to
/// [`MembersPage::MAX`], all of a group up to that size by default), so a
/// group of 100,000 is never one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembersPage {
    pub after: Option<UserId>,
    limit: u32,
}

impl MembersPage {
    pub const MAX: u32 = 1_000;

    pub fn parse(after: Option<&str>, limit: Option<i64>) -> Result<Self, InvalidField> {
        let after = after
            .map(|raw| {
                UserId::parse(raw).map_err(|_| InvalidField::new("after", "is not a valid user id"))
            })
            .transpose()?;
        let limit = page_limit(limit, Self::MAX, Self::MAX)?;
        Ok(Self { after, limit })
    }

    /// The first page, of the default size.
    pub fn first() -> Self {
        Self {
            after: None,
            limit: Self::MAX,
        }
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }
}
