//! Reports and the admin API. The records (`Report`, `AuditEntry`) are
//! converted in `repo/moderation.rs`: both hops carry them alike.

use std::time::Duration;

use ferrochat_domain::moderation::{ListReports, ListUsers, NewestFirst, Note, ReportTarget};
use ferrochat_domain::{
    AuditId, ConversationId, InvalidField, ReportId, Sanction, Seq, Timestamp, UserId,
};

use super::{caller, id};
use crate::pb;

fn limit(raw: u32) -> Option<i64> {
    Some(i64::from(raw))
}

impl pb::FileReportRequest {
    pub fn new(who: &UserId, target: &ReportTarget, reason: &Note) -> Self {
        let (target_user_id, conversation_id, seq) = match target {
            ReportTarget::User(u) => (Some(u.as_str().to_owned()), None, None),
            ReportTarget::Message {
                conversation_id,
                seq,
            } => (
                None,
                Some(conversation_id.as_str().to_owned()),
                Some(seq.get()),
            ),
        };
        Self {
            caller_id: who.as_str().to_owned(),
            target_user_id,
            conversation_id,
            seq,
            reason: reason.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<(UserId, ReportTarget, Note), InvalidField> {
        let target = match (self.target_user_id, self.conversation_id, self.seq) {
            (Some(u), None, None) => ReportTarget::User(id(&u, "target_user_id", UserId::parse)?),
            (None, Some(c), Some(s)) => ReportTarget::Message {
                conversation_id: id(&c, "conversation_id", ConversationId::parse)?,
                seq: Seq::new(s),
            },
            _ => {
                return Err(InvalidField::new(
                    "target_user_id",
                    "name a user, or a message by conversation_id and seq",
                ))
            }
        };
        Ok((
            caller(&self.caller_id)?,
            target,
            Note::parse(self.reason, "reason", true)?,
        ))
    }
}

impl pb::AdminListUsersRequest {
    pub fn new(who: &UserId, list: &ListUsers) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            prefix: list.prefix().map(str::to_owned),
            after: list.after.clone(),
            limit: list.limit,
        }
    }

    pub fn parse(self) -> Result<(UserId, ListUsers), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            ListUsers::parse(self.prefix, self.after, limit(self.limit))?,
        ))
    }
}

impl pb::AdminSetDisabledRequest {
    pub fn new(who: &UserId, user: &UserId, disabled: bool, duration: Option<Duration>) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            user_id: user.as_str().to_owned(),
            disabled,
            duration_ms: duration.map(millis),
        }
    }

    pub fn parse(self) -> Result<(UserId, UserId, bool, Option<Duration>), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            id(&self.user_id, "user_id", UserId::parse)?,
            self.disabled,
            positive(self.duration_ms, "duration_ms")?,
        ))
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// An optional length of time, which must be positive when given.
fn positive(ms: Option<i64>, field: &'static str) -> Result<Option<Duration>, InvalidField> {
    ms.map(|ms| positive_ms(ms, field)).transpose()
}

/// A length of time in milliseconds, which must be positive.
fn positive_ms(ms: i64, field: &'static str) -> Result<Duration, InvalidField> {
    u64::try_from(ms)
        .ok()
        .filter(|ms| *ms > 0)
        .map(Duration::from_millis)
        .ok_or_else(|| InvalidField::new(field, "must be positive"))
}

impl pb::AdminPasswordResetRequest {
    pub fn new(who: &UserId, user: &UserId, valid_for: Duration) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            user_id: user.as_str().to_owned(),
            valid_for_ms: millis(valid_for),
        }
    }

    pub fn parse(self) -> Result<(UserId, UserId, Duration), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            id(&self.user_id, "user_id", UserId::parse)?,
            positive_ms(self.valid_for_ms, "valid_for_ms")?,
        ))
    }
}

impl pb::AdminRemoveMessageRequest {
    pub fn new(who: &UserId, conversation: &ConversationId, seq: Seq) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            conversation_id: conversation.as_str().to_owned(),
            seq: seq.get(),
        }
    }

    pub fn parse(self) -> Result<(UserId, ConversationId, Seq), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            id(
                &self.conversation_id,
                "conversation_id",
                ConversationId::parse,
            )?,
            Seq::new(self.seq),
        ))
    }
}

impl pb::AdminMuteInWorldRequest {
    pub fn new(who: &UserId, user: &UserId, duration: Option<Duration>) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            user_id: user.as_str().to_owned(),
            duration_ms: duration.map(millis),
        }
    }

    pub fn parse(self) -> Result<(UserId, UserId, Option<Duration>), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            id(&self.user_id, "user_id", UserId::parse)?,
            positive(self.duration_ms, "duration_ms")?,
        ))
    }
}

impl pb::AdminSetSanctionRequest {
    pub fn new(
        who: &UserId,
        user: &UserId,
        sanction: Sanction,
        duration: Option<Duration>,
    ) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            user_id: user.as_str().to_owned(),
            sanction: sanction.name().to_owned(),
            duration_ms: duration.map(millis),
        }
    }

    pub fn parse(self) -> Result<(UserId, UserId, Sanction, Option<Duration>), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            id(&self.user_id, "user_id", UserId::parse)?,
            Sanction::from_name(&self.sanction)
                .ok_or_else(|| InvalidField::new("sanction", "is not a sanction"))?,
            positive(self.duration_ms, "duration_ms")?,
        ))
    }
}

impl From<&Option<Timestamp>> for pb::MutedUntilResponse {
    fn from(until: &Option<Timestamp>) -> Self {
        Self {
            until_ms: until.map(Timestamp::millis),
        }
    }
}

impl From<pb::MutedUntilResponse> for Option<Timestamp> {
    fn from(r: pb::MutedUntilResponse) -> Self {
        r.until_ms.map(Timestamp::from_millis)
    }
}

impl From<&String> for pb::ResetTokenResponse {
    fn from(token: &String) -> Self {
        Self {
            token: token.clone(),
        }
    }
}

impl From<pb::ResetTokenResponse> for String {
    fn from(r: pb::ResetTokenResponse) -> Self {
        r.token
    }
}

impl pb::AdminPageRequest {
    pub fn new<Id>(who: &UserId, page: &NewestFirst<Id>, as_str: impl Fn(&Id) -> &str) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            before: page.before.as_ref().map(|b| as_str(b).to_owned()),
            limit: page.limit,
        }
    }

    pub fn parse<Id>(
        self,
        parse: impl Fn(&str) -> Result<Id, InvalidField>,
    ) -> Result<(UserId, NewestFirst<Id>), InvalidField> {
        let before = self.before.map(|b| id(&b, "before", &parse)).transpose()?;
        Ok((
            caller(&self.caller_id)?,
            NewestFirst::parse(before, limit(self.limit))?,
        ))
    }

    pub fn parse_audit(self) -> Result<(UserId, NewestFirst<AuditId>), InvalidField> {
        self.parse(AuditId::parse)
    }
}

impl pb::AdminReportsRequest {
    pub fn new(who: &UserId, list: &ListReports) -> Self {
        Self {
            page: Some(pb::AdminPageRequest::new(who, &list.page, ReportId::as_str)),
            open_only: list.open_only,
        }
    }

    pub fn parse(self) -> Result<(UserId, ListReports), InvalidField> {
        let page = self
            .page
            .ok_or_else(|| InvalidField::new("page", "is required"))?;
        let (who, page) = page.parse(ReportId::parse)?;
        Ok((
            who,
            ListReports {
                open_only: self.open_only,
                page,
            },
        ))
    }
}

impl pb::AdminResolveReportRequest {
    pub fn new(who: &UserId, report: &ReportId, note: &Note) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            report_id: report.as_str().to_owned(),
            note: note.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<(UserId, ReportId, Note), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            id(&self.report_id, "report_id", ReportId::parse)?,
            Note::parse(self.note, "note", false)?,
        ))
    }
}
