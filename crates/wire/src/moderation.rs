//! Reports and the admin API: bodies, query strings and answers of
//! `/api/v1/reports` and `/api/v1/admin/*`.

use std::time::Duration;

use ferrochat_domain::moderation::{
    AuditEntry, ListReports, ListUsers, NewestFirst, Note, Report, ReportTarget, Resolution,
};
use ferrochat_domain::{
    AuditId, ConversationId, InvalidField, ReportId, Sanction, Seq, Timestamp, User, UserId,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::accounts::{required, ProfileDto};
use crate::messaging::int_param;
use crate::time::rfc3339;

/// The cursor of the page after `items`: the last one's, when the page
/// is full (`limit` items), none otherwise.
fn next_page<T>(items: &[T], limit: u32, cursor: impl Fn(&T) -> String) -> Option<String> {
    (items.len() >= limit as usize)
        .then(|| items.last().map(cursor))
        .flatten()
}

/// A report of a user (`user_id`), or of a message (`conversation_id` and
/// `seq`), with why.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReportBody {
    #[schema(value_type = Option<String>)]
    pub user_id: Option<String>,
    #[schema(value_type = Option<String>)]
    pub conversation_id: Option<String>,
    #[schema(value_type = Option<u64>)]
    pub seq: Option<i64>,
    /// 1-1000 characters.
    #[schema(value_type = String)]
    pub reason: Option<String>,
}

impl ReportBody {
    pub fn decode(self) -> Result<(ReportTarget, Note), InvalidField> {
        let target = match (self.user_id, self.conversation_id, self.seq) {
            (Some(u), None, None) => ReportTarget::User(UserId::parse(&u)?),
            (None, Some(c), Some(s)) => ReportTarget::Message {
                conversation_id: ConversationId::parse(&c)?,
                seq: Seq::parse(s, "seq")?,
            },
            _ => {
                return Err(InvalidField::new(
                    "user_id",
                    "name a user (user_id), or a message (conversation_id and seq), not both",
                ))
            }
        };
        let reason = Note::parse(required(self.reason, "reason")?, "reason", true)?;
        Ok((target, reason))
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResolutionDto {
    pub resolved_by: String,
    pub resolved_at: String,
    pub note: String,
}

impl From<&Resolution> for ResolutionDto {
    fn from(r: &Resolution) -> Self {
        Self {
            resolved_by: r.by.to_string(),
            resolved_at: rfc3339(r.at),
            note: r.note.as_str().to_owned(),
        }
    }
}

/// A report; `conversation_id` and `seq` name the message reported,
/// `reported_user_id` whom it is about; `resolution` null while open.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportDto {
    pub report_id: String,
    pub reporter_id: String,
    pub reported_user_id: String,
    pub conversation_id: Option<String>,
    pub seq: Option<u64>,
    pub reason: String,
    pub created_at: String,
    pub resolution: Option<ResolutionDto>,
}

impl From<&Report> for ReportDto {
    fn from(r: &Report) -> Self {
        let (conversation_id, seq) = match &r.target {
            ReportTarget::User(_) => (None, None),
            ReportTarget::Message {
                conversation_id,
                seq,
            } => (Some(conversation_id.to_string()), Some(seq.get())),
        };
        Self {
            report_id: r.id.to_string(),
            reporter_id: r.reporter.to_string(),
            reported_user_id: r.reported.to_string(),
            conversation_id,
            seq,
            reason: r.reason.as_str().to_owned(),
            created_at: rfc3339(r.created_at),
            resolution: r.resolution.as_ref().map(ResolutionDto::from),
        }
    }
}

/// An account as administrators see it: each restriction in force now
/// (`disabled`, `muted`, `world_banned`), and until when (null: until
/// lifted, or not in force).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdminUserDto {
    #[serde(flatten)]
    pub profile: ProfileDto,
    pub email: Option<String>,
    pub discoverable: bool,
    pub admin: bool,
    pub disabled: bool,
    pub disabled_until: Option<String>,
    pub muted: bool,
    pub muted_until: Option<String>,
    pub world_banned: bool,
    pub world_banned_until: Option<String>,
}

/// Whether a restriction set until `until` is in force at `now`, and its
/// end as shown (none while it lasts until lifted).
fn in_force(until: Option<Timestamp>, now: Timestamp) -> (bool, Option<String>) {
    let active = until.is_some_and(|u| u > now);
    let shown = until.filter(|u| active && *u != Timestamp::FOREVER);
    (active, shown.map(rfc3339))
}

impl AdminUserDto {
    pub fn new(u: &User, now: Timestamp) -> Self {
        let (disabled, disabled_until) = in_force(u.disabled_until, now);
        let (muted, muted_until) = in_force(u.sanctions.until(Sanction::Mute), now);
        let (world_banned, world_banned_until) =
            in_force(u.sanctions.until(Sanction::WorldBan), now);
        Self {
            profile: ProfileDto::from(u),
            email: u.email.as_ref().map(|e| e.as_str().to_owned()),
            discoverable: u.discoverable,
            admin: u.admin,
            disabled,
            disabled_until,
            muted,
            muted_until,
            world_banned,
            world_banned_until,
        }
    }
}

/// A page of accounts; `next`: the `after` of the next page, when full.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminUsersDto {
    pub users: Vec<AdminUserDto>,
    pub next: Option<String>,
}

impl AdminUsersDto {
    pub fn new(users: &[User], limit: u32, now: Timestamp) -> Self {
        Self {
            users: users.iter().map(|u| AdminUserDto::new(u, now)).collect(),
            next: next_page(users, limit, |u| u.username.key()),
        }
    }
}

/// Query string of GET /api/v1/admin/users.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminUsersParams {
    /// A username prefix, at most 32 characters; absent: everyone.
    #[param(value_type = Option<String>)]
    pub q: Option<String>,
    /// The `next` of the previous page.
    #[param(value_type = Option<String>)]
    pub after: Option<String>,
    /// 1-100, default 50.
    #[param(value_type = Option<u64>)]
    pub limit: Option<String>,
}

impl TryFrom<AdminUsersParams> for ListUsers {
    type Error = InvalidField;
    fn try_from(p: AdminUsersParams) -> Result<Self, InvalidField> {
        ListUsers::parse(p.q, p.after, int_param(p.limit, "limit")?)
    }
}

/// Query string of GET /api/v1/admin/audit.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// The `next` of the previous page.
    #[param(value_type = Option<String>)]
    pub before: Option<String>,
    /// 1-100, default 50.
    #[param(value_type = Option<u64>)]
    pub limit: Option<String>,
}

impl TryFrom<AuditParams> for NewestFirst<AuditId> {
    type Error = InvalidField;
    fn try_from(p: AuditParams) -> Result<Self, InvalidField> {
        let before = p
            .before
            .map(|b| AuditId::parse(&b).map_err(|e| InvalidField::new("before", e.reason)))
            .transpose()?;
        NewestFirst::parse(before, int_param(p.limit, "limit")?)
    }
}

/// Query string of GET /api/v1/admin/reports.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportsParams {
    /// `open` (the default) or `all`.
    #[param(value_type = Option<String>)]
    pub status: Option<String>,
    /// The `next` of the previous page.
    #[param(value_type = Option<String>)]
    pub before: Option<String>,
    /// 1-100, default 50.
    #[param(value_type = Option<u64>)]
    pub limit: Option<String>,
}

impl TryFrom<ReportsParams> for ListReports {
    type Error = InvalidField;
    fn try_from(p: ReportsParams) -> Result<Self, InvalidField> {
        let open_only = match p.status.as_deref() {
            None | Some("open") => true,
            Some("all") => false,
            Some(_) => return Err(InvalidField::new("status", "must be open or all")),
        };
        let before = p
            .before
            .map(|b| ReportId::parse(&b).map_err(|e| InvalidField::new("before", e.reason)))
            .transpose()?;
        Ok(ListReports {
            open_only,
            page: NewestFirst::parse(before, int_param(p.limit, "limit")?)?,
        })
    }
}

/// A page of reports, newest first; `next`: the `before` of the next
/// page, when full.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportsDto {
    pub reports: Vec<ReportDto>,
    pub next: Option<String>,
}

impl ReportsDto {
    pub fn new(reports: &[Report], limit: u32) -> Self {
        Self {
            reports: reports.iter().map(ReportDto::from).collect(),
            next: next_page(reports, limit, |r| r.id.to_string()),
        }
    }
}

/// One line of the audit log: `actor` is an administrator's user id, or
/// `operator` (the command line).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntryDto {
    pub audit_id: String,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

impl From<&AuditEntry> for AuditEntryDto {
    fn from(e: &AuditEntry) -> Self {
        Self {
            audit_id: e.id.to_string(),
            at: rfc3339(e.at),
            actor: e.actor.as_str().to_owned(),
            action: e.action.clone(),
            target: e.target.clone(),
            detail: e.detail.clone(),
        }
    }
}

/// A page of the audit log, newest first; `next`: the `before` of the
/// next page, when full.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditDto {
    pub entries: Vec<AuditEntryDto>,
    pub next: Option<String>,
}

impl AuditDto {
    pub fn new(entries: &[AuditEntry], limit: u32) -> Self {
        Self {
            entries: entries.iter().map(AuditEntryDto::from).collect(),
            next: next_page(entries, limit, |e| e.id.to_string()),
        }
    }
}

/// How long a reset token an administrator asks for stays valid.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ResetTokenBody {
    /// 1-10080 (a week); default 60.
    #[schema(value_type = Option<u32>)]
    pub valid_for_minutes: Option<i64>,
}

impl ResetTokenBody {
    pub const DEFAULT_MINUTES: i64 = 60;
    pub const MAX_MINUTES: i64 = 7 * 24 * 60;

    pub fn decode(self) -> Result<Duration, InvalidField> {
        let m = self.valid_for_minutes.unwrap_or(Self::DEFAULT_MINUTES);
        minutes_up_to(m, Self::MAX_MINUTES, "valid_for_minutes")
    }
}

/// A one-time reset token, for `POST /api/v1/auth/password/reset`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResetTokenDto {
    pub token: String,
    pub valid_for_minutes: u64,
}

/// The message an administrator removes.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RemoveMessageBody {
    #[schema(value_type = String)]
    pub conversation_id: Option<String>,
    #[schema(value_type = u64)]
    pub seq: Option<i64>,
}

impl RemoveMessageBody {
    pub fn decode(self) -> Result<(ConversationId, Seq), InvalidField> {
        Ok((
            ConversationId::parse(&required(self.conversation_id, "conversation_id")?)?,
            Seq::parse(required(self.seq, "seq")?, "seq")?,
        ))
    }
}

/// How long an account is disabled.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DisableBody {
    /// 1-525600 (a year); absent: until enabled.
    #[schema(value_type = Option<u32>)]
    pub minutes: Option<i64>,
}

impl DisableBody {
    pub fn decode(self) -> Result<Option<Duration>, InvalidField> {
        self.minutes.map(minutes).transpose()
    }
}

/// `minutes` of a mute or a ban: 1 to a year.
fn minutes(m: i64) -> Result<Duration, InvalidField> {
    minutes_up_to(m, 365 * 24 * 60, "minutes")
}

/// `m` minutes, 1 to `max`, or an error naming `field`.
fn minutes_up_to(m: i64, max: i64, field: &'static str) -> Result<Duration, InvalidField> {
    if !(1..=max).contains(&m) {
        return Err(InvalidField::new(field, format!("must be 1 to {max}")));
    }
    Ok(Duration::from_secs(m.unsigned_abs() * 60))
}

/// How long a user is muted in the world room, or sanctioned.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct WorldMuteBody {
    /// 1-525600 (a year).
    #[schema(value_type = u32)]
    pub minutes: Option<i64>,
}

impl WorldMuteBody {
    pub fn decode(self) -> Result<Duration, InvalidField> {
        minutes(required(self.minutes, "minutes")?)
    }
}

/// A user's mute in the world room; `muted_until` null: not muted.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorldMuteDto {
    pub user_id: String,
    pub muted_until: Option<String>,
}

impl WorldMuteDto {
    pub fn new(user: &UserId, until: Option<ferrochat_domain::Timestamp>) -> Self {
        Self {
            user_id: user.to_string(),
            muted_until: until.map(rfc3339),
        }
    }
}

/// A sanction on a user: `active` now, until `until` (null: not active).
#[derive(Debug, Serialize, ToSchema)]
pub struct SanctionDto {
    pub user_id: String,
    /// `mute` or `world_ban`.
    pub sanction: &'static str,
    pub active: bool,
    pub until: Option<String>,
}

impl SanctionDto {
    pub fn new(
        user: &UserId,
        sanction: Sanction,
        until: Option<Timestamp>,
        now: Timestamp,
    ) -> Self {
        let (active, until) = in_force(until, now);
        Self {
            user_id: user.to_string(),
            sanction: sanction.name(),
            active,
            until,
        }
    }
}

/// How an administrator closes a report.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ResolveBody {
    /// At most 1000 characters; may be absent.
    #[schema(value_type = Option<String>)]
    pub note: Option<String>,
}

impl ResolveBody {
    pub fn decode(self) -> Result<Note, InvalidField> {
        Note::parse(self.note.unwrap_or_default(), "note", false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_names_a_user_or_a_message() {
        let user = UserId::generate().to_string();
        let body = |u: Option<&str>, c: Option<&str>, s: Option<i64>| ReportBody {
            user_id: u.map(str::to_owned),
            conversation_id: c.map(str::to_owned),
            seq: s,
            reason: Some("spam".into()),
        };
        assert!(matches!(
            body(Some(&user), None, None).decode().unwrap().0,
            ReportTarget::User(_)
        ));
        assert!(matches!(
            body(None, Some("world"), Some(3)).decode().unwrap().0,
            ReportTarget::Message { .. }
        ));
        for bad in [
            body(None, None, None),
            body(Some(&user), Some("world"), Some(3)),
            body(None, Some("world"), None),
            body(None, Some("world"), Some(-1)),
            body(Some("nope"), None, None),
        ] {
            assert!(bad.decode().is_err());
        }
        let mut no_reason = body(Some(&user), None, None);
        no_reason.reason = None;
        assert_eq!(no_reason.decode().unwrap_err().field, "reason");
    }

    #[test]
    fn reset_tokens_last_a_minute_to_a_week() {
        let body = |m| ResetTokenBody {
            valid_for_minutes: m,
        };
        assert_eq!(body(None).decode().unwrap(), Duration::from_secs(3600));
        assert!(body(Some(0)).decode().is_err());
        assert!(body(Some(10_081)).decode().is_err());
        assert_eq!(
            body(Some(10_080)).decode().unwrap(),
            Duration::from_secs(604_800)
        );
    }
}
