//! Moderation: the reports users make about a message or a user, the
//! queries administrators page through, and the append-only audit log of
//! what administrators (and the operator at the command line) did.

use crate::commands::fold;
use crate::error::InvalidField;
use crate::ids::{AuditId, ReportId};
use crate::{ConversationId, Seq, Timestamp, UserId};

/// What a report is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportTarget {
    User(UserId),
    /// One message, named by its conversation and seq.
    Message {
        conversation_id: ConversationId,
        seq: Seq,
    },
}

/// Free text of at most `MAX` characters once trimmed, newlines allowed
/// but no other control characters: why a user reports, or how an
/// administrator resolved a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note(String);

impl Note {
    pub const MAX: usize = 1000;

    /// `field` names the request's field in the error.
    pub fn parse(raw: String, field: &'static str, required: bool) -> Result<Self, InvalidField> {
        let trimmed = raw.trim();
        if required && trimmed.is_empty() {
            return Err(InvalidField::new(field, "must not be empty"));
        }
        if trimmed.chars().count() > Self::MAX {
            return Err(InvalidField::new(field, "must be at most 1000 characters"));
        }
        if trimmed.chars().any(|c| c.is_control() && c != '\n') {
            return Err(InvalidField::new(
                field,
                "must not contain control characters",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A user's report, for the administrators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub id: ReportId,
    pub reporter: UserId,
    pub target: ReportTarget,
    /// Whom it is about: the reported user, or the message's sender.
    pub reported: UserId,
    pub reason: Note,
    pub created_at: Timestamp,
    pub resolution: Option<Resolution>,
}

/// How an administrator closed a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    pub by: UserId,
    pub at: Timestamp,
    pub note: Note,
}

/// Who did what the audit log records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A user with the admin role, through the admin API.
    Admin(UserId),
    /// The operator, with `ferrochat admin` on the store.
    Operator,
}

impl Actor {
    const OPERATOR: &'static str = "operator";

    /// As stored: the user's id, or `operator`.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Admin(id) => id.as_str(),
            Self::Operator => Self::OPERATOR,
        }
    }

    pub fn from_stored(raw: String) -> Self {
        if raw == Self::OPERATOR {
            Self::Operator
        } else {
            Self::Admin(UserId::from_stored(raw))
        }
    }
}

/// One line of the audit log: who did what to which thing, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: AuditId,
    pub at: Timestamp,
    pub actor: Actor,
    /// What was done: one of `AuditEntry`'s action names.
    pub action: String,
    /// The id it was done to (a user, a group, a report, a message's
    /// `conversation/seq`).
    pub target: String,
    /// More, for a reader (a reason, a new state); may be empty.
    pub detail: String,
}

impl AuditEntry {
    pub const GRANT_ADMIN: &'static str = "admin.grant";
    pub const REVOKE_ADMIN: &'static str = "admin.revoke";
    pub const DISABLE_USER: &'static str = "user.disable";
    pub const ENABLE_USER: &'static str = "user.enable";
    pub const ISSUE_PASSWORD_RESET: &'static str = "user.password_reset";
    pub const DISSOLVE_GROUP: &'static str = "group.dissolve";
    pub const REMOVE_MESSAGE: &'static str = "message.remove";
    pub const WORLD_MUTE: &'static str = "world.mute";
    pub const WORLD_UNMUTE: &'static str = "world.unmute";
    pub const RESOLVE_REPORT: &'static str = "report.resolve";
    pub const MUTE_USER: &'static str = "user.mute";
    pub const UNMUTE_USER: &'static str = "user.unmute";
    pub const WORLD_BAN: &'static str = "world.ban";
    pub const WORLD_UNBAN: &'static str = "world.unban";

    /// The action that sets (`set`) or lifts `sanction`.
    pub fn sanction_action(sanction: crate::Sanction, set: bool) -> &'static str {
        use crate::Sanction::{Mute, WorldBan};
        match (sanction, set) {
            (Mute, true) => Self::MUTE_USER,
            (Mute, false) => Self::UNMUTE_USER,
            (WorldBan, true) => Self::WORLD_BAN,
            (WorldBan, false) => Self::WORLD_UNBAN,
        }
    }

    /// A new entry, at `at`, with a fresh id.
    pub fn new(
        actor: Actor,
        action: &'static str,
        target: impl Into<String>,
        detail: impl Into<String>,
        at: Timestamp,
    ) -> Self {
        Self {
            id: AuditId::generate(),
            at,
            actor,
            action: action.to_owned(),
            target: target.into(),
            detail: detail.into(),
        }
    }
}

/// A page of the administrators' user list: every account but deleted
/// ones (discoverable or not), whose username starts with `prefix` if one
/// is given,
/// after `after` (a username, case-folded) in username order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListUsers {
    prefix: Option<String>,
    pub after: Option<String>,
    pub limit: u32,
}

impl ListUsers {
    pub const MAX_LIMIT: u32 = 100;

    pub fn parse(
        q: Option<String>,
        after: Option<String>,
        limit: Option<i64>,
    ) -> Result<Self, InvalidField> {
        let prefix = q.map(|q| fold(q.trim())).filter(|q| !q.is_empty());
        if prefix.as_ref().is_some_and(|p| p.chars().count() > 32) {
            return Err(InvalidField::new("q", "must be at most 32 characters"));
        }
        let after = after.map(|a| fold(&a));
        if after.as_ref().is_some_and(|a| a.len() > 64) {
            return Err(InvalidField::new("after", "is not a username"));
        }
        let limit = crate::messaging::page_limit(limit, 50, Self::MAX_LIMIT)?;
        Ok(Self {
            prefix,
            after,
            limit,
        })
    }

    /// Case-folded.
    pub fn prefix(&self) -> Option<&str> {
        self.prefix.as_deref()
    }
}

/// A page of the audit log or of the reports, newest first: those older
/// than `before` (an id of the previous page's last), at most `limit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewestFirst<Id> {
    pub before: Option<Id>,
    pub limit: u32,
}

impl<Id> NewestFirst<Id> {
    pub const MAX_LIMIT: u32 = 100;

    pub fn parse(before: Option<Id>, limit: Option<i64>) -> Result<Self, InvalidField> {
        let limit = crate::messaging::page_limit(limit, 50, Self::MAX_LIMIT)?;
        Ok(Self { before, limit })
    }
}

/// Which reports a page holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListReports {
    /// Only those not yet resolved.
    pub open_only: bool,
    pub page: NewestFirst<ReportId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_trimmed_bounded_and_free_of_controls() {
        assert_eq!(
            Note::parse("  spam \n".into(), "reason", true)
                .unwrap()
                .as_str(),
            "spam"
        );
        assert!(Note::parse("   ".into(), "reason", true).is_err());
        assert_eq!(Note::parse("".into(), "note", false).unwrap().as_str(), "");
        assert!(Note::parse("a\u{7}b".into(), "reason", true).is_err());
        assert!(Note::parse("line\nline".into(), "reason", true).is_ok());
        assert!(Note::parse("x".repeat(1001), "reason", true).is_err());
        assert!(Note::parse("é".repeat(1000), "reason", true).is_ok());
    }

    #[test]
    fn actors_survive_their_text() {
        let admin = Actor::Admin(UserId::generate());
        assert_eq!(Actor::from_stored(admin.as_str().to_owned()), admin);
        assert_eq!(Actor::from_stored("operator".into()), Actor::Operator);
    }

    #[test]
    fn user_lists_fold_their_prefix_and_bound_their_pages() {
        let l = ListUsers::parse(Some(" ÉMile ".into()), None, None).unwrap();
        assert_eq!(l.prefix(), Some("émile"));
        assert_eq!(l.limit, 50);
        assert_eq!(
            ListUsers::parse(Some("  ".into()), None, None)
                .unwrap()
                .prefix(),
            None
        );
        assert!(ListUsers::parse(None, None, Some(101)).is_err());
        assert!(ListUsers::parse(Some("x".repeat(33)), None, None).is_err());
    }
}
