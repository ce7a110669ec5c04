//! Administrators' state: the admin role, disabled accounts, reports and
//! the audit log. `AuditEntry` and `Report` are logic.proto's too: the
//! admin API answers them as the repo does.

use ferrochat_domain::moderation::{
    Actor, AuditEntry, ListReports, ListUsers, NewestFirst, Note, Report, ReportTarget, Resolution,
};
use ferrochat_domain::{AuditId, ConversationId, ReportId, Sanction, SessionId, Timestamp, UserId};

use super::{id, seq, time, user_id};
use crate::convert::{required, DecodeError};
use crate::pb;

fn report_id(raw: &str, field: &'static str) -> Result<ReportId, DecodeError> {
    id(raw, field, ReportId::parse)
}

fn limit(raw: u32) -> Option<i64> {
    Some(i64::from(raw))
}

// --- the shared records ----------------------------------------------------

impl From<&AuditEntry> for pb::AuditEntry {
    fn from(e: &AuditEntry) -> Self {
        Self {
            id: e.id.as_str().to_owned(),
            at_ms: e.at.millis(),
            actor: e.actor.as_str().to_owned(),
            action: e.action.clone(),
            target: e.target.clone(),
            detail: e.detail.clone(),
        }
    }
}

impl TryFrom<pb::AuditEntry> for AuditEntry {
    type Error = DecodeError;
    fn try_from(e: pb::AuditEntry) -> Result<Self, DecodeError> {
        let actor = match e.actor.as_str() {
            "operator" => Actor::Operator,
            raw => Actor::Admin(user_id(raw, "actor")?),
        };
        Ok(Self {
            id: id(&e.id, "id", AuditId::parse)?,
            at: time(e.at_ms),
            actor,
            action: super::non_empty(e.action, "action")?,
            target: e.target,
            detail: e.detail,
        })
    }
}

impl From<&[AuditEntry]> for pb::AuditEntries {
    fn from(entries: &[AuditEntry]) -> Self {
        Self {
            entries: entries.iter().map(Into::into).collect(),
        }
    }
}

impl TryFrom<pb::AuditEntries> for Vec<AuditEntry> {
    type Error = DecodeError;
    fn try_from(a: pb::AuditEntries) -> Result<Self, DecodeError> {
        a.entries.into_iter().map(AuditEntry::try_from).collect()
    }
}

impl From<&Resolution> for pb::ReportResolution {
    fn from(r: &Resolution) -> Self {
        Self {
            by_user_id: r.by.as_str().to_owned(),
            at_ms: r.at.millis(),
            note: r.note.as_str().to_owned(),
        }
    }
}

impl TryFrom<pb::ReportResolution> for Resolution {
    type Error = DecodeError;
    fn try_from(r: pb::ReportResolution) -> Result<Self, DecodeError> {
        Ok(Self {
            by: user_id(&r.by_user_id, "by_user_id")?,
            at: time(r.at_ms),
            note: Note::parse(r.note, "note", false)?,
        })
    }
}

impl From<&Report> for pb::Report {
    fn from(r: &Report) -> Self {
        let (conversation_id, seq) = match &r.target {
            ReportTarget::User(_) => (None, None),
            ReportTarget::Message {
                conversation_id,
                seq,
            } => (Some(conversation_id.as_str().to_owned()), Some(seq.get())),
        };
        Self {
            id: r.id.as_str().to_owned(),
            reporter_id: r.reporter.as_str().to_owned(),
            reported_id: r.reported.as_str().to_owned(),
            conversation_id,
            seq,
            reason: r.reason.as_str().to_owned(),
            created_at_ms: r.created_at.millis(),
            resolution: r.resolution.as_ref().map(Into::into),
        }
    }
}

impl TryFrom<pb::Report> for Report {
    type Error = DecodeError;
    fn try_from(r: pb::Report) -> Result<Self, DecodeError> {
        let reported = user_id(&r.reported_id, "reported_id")?;
        let target = match (r.conversation_id, r.seq) {
            (Some(c), Some(s)) => ReportTarget::Message {
                conversation_id: id(&c, "conversation_id", ConversationId::parse)?,
                seq: seq(s),
            },
            (None, None) => ReportTarget::User(reported.clone()),
            _ => {
                return Err(DecodeError::field(
                    "seq",
                    "comes with conversation_id, or neither",
                ))
            }
        };
        Ok(Self {
            id: report_id(&r.id, "id")?,
            reporter: user_id(&r.reporter_id, "reporter_id")?,
            target,
            reported,
            reason: Note::parse(r.reason, "reason", true)?,
            created_at: time(r.created_at_ms),
            resolution: r.resolution.map(Resolution::try_from).transpose()?,
        })
    }
}

impl From<&[Report]> for pb::Reports {
    fn from(reports: &[Report]) -> Self {
        Self {
            reports: reports.iter().map(Into::into).collect(),
        }
    }
}

impl TryFrom<pb::Reports> for Vec<Report> {
    type Error = DecodeError;
    fn try_from(a: pb::Reports) -> Result<Self, DecodeError> {
        a.reports.into_iter().map(Report::try_from).collect()
    }
}

impl From<&Option<Report>> for pb::ReportAnswer {
    fn from(r: &Option<Report>) -> Self {
        Self {
            report: r.as_ref().map(Into::into),
        }
    }
}

impl TryFrom<pb::ReportAnswer> for Option<Report> {
    type Error = DecodeError;
    fn try_from(a: pb::ReportAnswer) -> Result<Self, DecodeError> {
        a.report.map(Report::try_from).transpose()
    }
}

// --- requests ----------------------------------------------------------------

impl pb::SetAdminRequest {
    pub fn new(user: &UserId, admin: bool, audit: &AuditEntry) -> Self {
        Self {
            user_id: user.as_str().to_owned(),
            admin,
            audit: Some(audit.into()),
        }
    }

    pub fn parse(self) -> Result<(UserId, bool, AuditEntry), DecodeError> {
        Ok((
            user_id(&self.user_id, "user_id")?,
            self.admin,
            required(self.audit, "audit")?.try_into()?,
        ))
    }
}

impl pb::SetDisabledRequest {
    pub fn new(user: &UserId, until: Option<Timestamp>, at: Timestamp, audit: &AuditEntry) -> Self {
        Self {
            user_id: user.as_str().to_owned(),
            until_ms: until.map(Timestamp::millis),
            at_ms: at.millis(),
            audit: Some(audit.into()),
        }
    }

    pub fn parse(self) -> Result<(UserId, Option<Timestamp>, Timestamp, AuditEntry), DecodeError> {
        Ok((
            user_id(&self.user_id, "user_id")?,
            self.until_ms.map(time),
            time(self.at_ms),
            required(self.audit, "audit")?.try_into()?,
        ))
    }
}

impl From<&Option<Vec<SessionId>>> for pb::DisabledAnswer {
    fn from(a: &Option<Vec<SessionId>>) -> Self {
        Self {
            found: a.is_some(),
            revoked_session_ids: a.iter().flatten().map(|s| s.as_str().to_owned()).collect(),
        }
    }
}

impl TryFrom<pb::DisabledAnswer> for Option<Vec<SessionId>> {
    type Error = DecodeError;
    fn try_from(a: pb::DisabledAnswer) -> Result<Self, DecodeError> {
        if !a.found {
            return Ok(None);
        }
        super::ids(
            &a.revoked_session_ids,
            "revoked_session_ids",
            SessionId::parse,
        )
        .map(Some)
    }
}

impl pb::MuteInWorldRequest {
    pub fn new(user: &UserId, until: Option<Timestamp>, audit: &AuditEntry) -> Self {
        Self {
            user_id: user.as_str().to_owned(),
            until_ms: until.map(Timestamp::millis),
            audit: Some(audit.into()),
        }
    }

    pub fn parse(self) -> Result<(UserId, Option<Timestamp>, AuditEntry), DecodeError> {
        Ok((
            user_id(&self.user_id, "user_id")?,
            self.until_ms.map(time),
            required(self.audit, "audit")?.try_into()?,
        ))
    }
}

impl pb::SetSanctionRequest {
    pub fn new(
        user: &UserId,
        sanction: Sanction,
        until: Option<Timestamp>,
        audit: &AuditEntry,
    ) -> Self {
        Self {
            user_id: user.as_str().to_owned(),
            sanction: sanction.name().to_owned(),
            until_ms: until.map(Timestamp::millis),
            audit: Some(audit.into()),
        }
    }

    pub fn parse(self) -> Result<(UserId, Sanction, Option<Timestamp>, AuditEntry), DecodeError> {
        Ok((
            user_id(&self.user_id, "user_id")?,
            Sanction::from_name(&self.sanction)
                .ok_or_else(|| DecodeError::field("sanction", "is not a sanction"))?,
            self.until_ms.map(time),
            required(self.audit, "audit")?.try_into()?,
        ))
    }
}

impl pb::BannedFromWorldRequest {
    pub fn new(now: Timestamp, limit: u32) -> Self {
        Self {
            now_ms: now.millis(),
            limit,
        }
    }

    pub fn parse(self) -> (Timestamp, u32) {
        (time(self.now_ms), self.limit)
    }
}

impl pb::ListUsersRequest {
    pub fn new(list: &ListUsers) -> Self {
        Self {
            prefix: list.prefix().map(str::to_owned),
            after: list.after.clone(),
            limit: list.limit,
        }
    }

    /// Checked again as a client's query is.
    pub fn parse(self) -> Result<ListUsers, DecodeError> {
        Ok(ListUsers::parse(
            self.prefix,
            self.after,
            limit(self.limit),
        )?)
    }
}

impl pb::NewestFirstRequest {
    pub fn new<Id>(page: &NewestFirst<Id>, id: impl Fn(&Id) -> &str) -> Self {
        Self {
            before: page.before.as_ref().map(|b| id(b).to_owned()),
            limit: page.limit,
        }
    }

    pub fn parse<Id>(
        self,
        parse: impl Fn(&str) -> Result<Id, ferrochat_domain::InvalidField>,
    ) -> Result<NewestFirst<Id>, DecodeError> {
        let before = self.before.map(|b| id(&b, "before", &parse)).transpose()?;
        Ok(NewestFirst::parse(before, limit(self.limit))?)
    }
}

impl pb::ListReportsRequest {
    pub fn new(list: &ListReports) -> Self {
        Self {
            open_only: list.open_only,
            page: Some(pb::NewestFirstRequest::new(&list.page, ReportId::as_str)),
        }
    }

    pub fn parse(self) -> Result<ListReports, DecodeError> {
        Ok(ListReports {
            open_only: self.open_only,
            page: required(self.page, "page")?.parse(ReportId::parse)?,
        })
    }
}

impl pb::ReportRequest {
    pub fn new(id: &ReportId) -> Self {
        Self {
            report_id: id.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<ReportId, DecodeError> {
        report_id(&self.report_id, "report_id")
    }
}

impl pb::ResolveReportRequest {
    pub fn new(id: &ReportId, resolution: &Resolution, audit: &AuditEntry) -> Self {
        Self {
            report_id: id.as_str().to_owned(),
            resolution: Some(resolution.into()),
            audit: Some(audit.into()),
        }
    }

    pub fn parse(self) -> Result<(ReportId, Resolution, AuditEntry), DecodeError> {
        Ok((
            report_id(&self.report_id, "report_id")?,
            required(self.resolution, "resolution")?.try_into()?,
            required(self.audit, "audit")?.try_into()?,
        ))
    }
}

impl pb::ReportsSinceRequest {
    pub fn new(user: &UserId, since: Timestamp) -> Self {
        Self {
            user_id: user.as_str().to_owned(),
            since_ms: since.millis(),
        }
    }

    pub fn parse(self) -> Result<(UserId, Timestamp), DecodeError> {
        Ok((user_id(&self.user_id, "user_id")?, time(self.since_ms)))
    }
}

impl From<&u32> for pb::CountAnswer {
    fn from(count: &u32) -> Self {
        Self { count: *count }
    }
}

impl From<pb::CountAnswer> for u32 {
    fn from(a: pb::CountAnswer) -> Self {
        a.count
    }
}
