//! Users' reports, and what administrators do (`ModerationApi`).
//!
//! Whether the caller holds the admin role is read from the store on every
//! call, never from a cache: a role taken back with `ferrochat admin
//! revoke` stops working at once. Each action an administrator takes is
//! appended to the audit log, in the store's transaction where the store
//! makes the change (disable, enable, resolve), otherwise right after it.

use std::time::Duration;

use async_trait::async_trait;
use ferrochat_domain::moderation::{
    Actor, AuditEntry, ListReports, ListUsers, NewestFirst, Note, Report, ReportTarget, Resolution,
};
use ferrochat_domain::{
    Ack, AuditId, ClientMsgId, ConversationId, ErrorKind, GroupId, Marks, MessageContent,
    MessageId, MessageType, Reference, ReportId, Sanction, Seq, Timestamp, User, UserId,
};
use ferrochat_ports::api::MAX_REPORTS_PER_HOUR;
use ferrochat_ports::store::NewMessage;
use ferrochat_ports::{ApiError, ModerationApi};

use super::reset::reset_token;
use super::service::Accounts;
use crate::clock;
use crate::error::store;
use crate::messaging::message_at;

const ADMINS_ONLY: &str = "only an administrator can do this";
const NO_SUCH_USER: &str = "no such user";
const HOUR_MS: i64 = 60 * 60 * 1000;

/// How long an action lasts, as the audit log says it ("for 5m").
fn lasting(d: Duration) -> String {
    format!("for {}", humantime_serde::re::humantime::format_duration(d))
}

/// The log line of an action that lasts `duration` (`None`: an action
/// that lifts one, with no detail).
fn timed_entry(
    actor: Actor,
    action: &'static str,
    user: &UserId,
    duration: Option<Duration>,
    now: Timestamp,
) -> AuditEntry {
    let detail = duration.map_or_else(String::new, lasting);
    AuditEntry::new(actor, action, user.as_str(), detail, now)
}

impl Accounts {
    /// `who`, if they hold the admin role and their account is in use.
    async fn admin(&self, who: &UserId) -> Result<Actor, ApiError> {
        let me = self
            .store
            .user(who)
            .await
            .map_err(|e| store("reading a user", e))?;
        match me {
            Some(u) if u.administers_at(clock::now()) => Ok(Actor::Admin(u.id)),
            _ => Err(ApiError::forbidden(ADMINS_ONLY)),
        }
    }

    /// A user that exists and was not deleted.
    async fn existing(&self, id: &UserId) -> Result<User, ApiError> {
        self.store
            .user(id)
            .await
            .map_err(|e| store("reading a user", e))?
            .filter(|u| !u.deleted)
            .ok_or_else(|| ApiError::not_found(NO_SUCH_USER))
    }

    async fn audit(&self, entry: &AuditEntry) -> Result<(), ApiError> {
        self.store
            .append_audit(entry)
            .await
            .map_err(|e| store("writing the audit log", e))
    }

    /// Whom a report is about: the user named, or the message's sender;
    /// `who` must be in the message's conversation.
    async fn reported(&self, who: &UserId, target: &ReportTarget) -> Result<UserId, ApiError> {
        match target {
            ReportTarget::User(user) => Ok(self.existing(user).await?.id),
            ReportTarget::Message {
                conversation_id,
                seq,
            } => {
                let member = self
                    .store
                    .member(conversation_id, who)
                    .await
                    .map_err(|e| store("reading a member", e))?;
                if member.is_none() {
                    return Err(ApiError::not_found("no such conversation"));
                }
                let message = message_at(&*self.store, conversation_id, *seq).await?;
                Ok(message.from)
            }
        }
    }
}

#[async_trait]
impl ModerationApi for Accounts {
    async fn report(
        &self,
        who: &UserId,
        target: ReportTarget,
        reason: Note,
    ) -> Result<Report, ApiError> {
        let reported = self.reported(who, &target).await?;
        if reported == *who {
            return Err(ApiError::new(
                ErrorKind::InvalidParams,
                "you cannot report yourself",
            ));
        }
        let now = clock::now();
        let recent = self
            .store
            .reports_since(who, now.plus_millis(-HOUR_MS))
            .await
            .map_err(|e| store("counting reports", e))?;
        if recent >= MAX_REPORTS_PER_HOUR {
            return Err(ApiError::new(
                ErrorKind::RateLimited,
                format!("at most {MAX_REPORTS_PER_HOUR} reports an hour"),
            )
            .with_retry_after(Duration::from_secs(60)));
        }
        let report = Report {
            id: ReportId::generate(),
            reporter: who.clone(),
            target,
            reported,
            reason,
            created_at: now,
            resolution: None,
        };
        self.store
            .insert_report(&report)
            .await
            .map_err(|e| store("storing a report", e))?;
        metrics::counter!("ferrochat_logic_reports_total").increment(1);
        Ok(report)
    }

    async fn list_users(&self, who: &UserId, list: ListUsers) -> Result<Vec<User>, ApiError> {
        self.admin(who).await?;
        self.store
            .list_users(&list)
            .await
            .map_err(|e| store("listing users", e))
    }

    async fn set_disabled(
        &self,
        who: &UserId,
        user: &UserId,
        disabled: bool,
        duration: Option<Duration>,
    ) -> Result<User, ApiError> {
        let actor = self.admin(who).await?;
        if user == who {
            return Err(ApiError::forbidden("you cannot disable or enable yourself"));
        }
        let now = clock::now();
        let (action, until, detail) = match (disabled, duration) {
            (false, _) => (AuditEntry::ENABLE_USER, None, String::new()),
            (true, None) => (
                AuditEntry::DISABLE_USER,
                Some(Timestamp::FOREVER),
                "until enabled".to_owned(),
            ),
            (true, Some(d)) => (AuditEntry::DISABLE_USER, Some(now.plus(d)), lasting(d)),
        };
        let entry = AuditEntry::new(actor, action, user.as_str(), detail, now);
        let ended = self
            .store
            .set_disabled(user, until, now, &entry)
            .await
            .map_err(|e| store("disabling an account", e))?
            .ok_or_else(|| ApiError::not_found(NO_SUCH_USER))?;
        self.profiles.changed(user).await;
        self.ended(user, &ended).await?;
        self.existing(user).await
    }

    async fn issue_password_reset(
        &self,
        who: &UserId,
        user: &UserId,
        valid_for: Duration,
    ) -> Result<String, ApiError> {
        let actor = self.admin(who).await?;
        let target = self.existing(user).await?;
        let credentials = self
            .store
            .credentials(&target.username.key())
            .await
            .map_err(|e| store("looking up credentials", e))?
            .ok_or_else(|| ApiError::not_found(NO_SUCH_USER))?;
        let now = clock::now();
        let token = reset_token(&self.keys, user, &credentials.password_hash, valid_for, now)
            .map_err(|e| {
                tracing::error!(error = %e, "signing a reset token failed");
                ApiError::internal()
            })?;
        let detail = format!(
            "valid for {}",
            humantime_serde::re::humantime::format_duration(valid_for)
        );
        self.audit(&AuditEntry::new(
            actor,
            AuditEntry::ISSUE_PASSWORD_RESET,
            user.as_str(),
            detail,
            now,
        ))
        .await?;
        Ok(token)
    }

    async fn mute_in_world(
        &self,
        who: &UserId,
        user: &UserId,
        duration: Option<Duration>,
    ) -> Result<Option<Timestamp>, ApiError> {
        let actor = self.admin(who).await?;
        let now = clock::now();
        let until = duration.map(|d| now.plus(d));
        let action = match duration {
            Some(_) => AuditEntry::WORLD_MUTE,
            None => AuditEntry::WORLD_UNMUTE,
        };
        let entry = timed_entry(actor, action, user, duration, now);
        let found = self
            .store
            .mute_in_world(user, until, &entry)
            .await
            .map_err(|e| store("muting in the world room", e))?;
        if !found {
            return Err(ApiError::not_found(NO_SUCH_USER));
        }
        // The send check reads mutes from the world room's cached facts.
        self.access
            .forget_conversation(&ConversationId::world())
            .await;
        Ok(until)
    }

    async fn set_sanction(
        &self,
        who: &UserId,
        user: &UserId,
        sanction: Sanction,
        duration: Option<Duration>,
    ) -> Result<Option<Timestamp>, ApiError> {
        let actor = self.admin(who).await?;
        let now = clock::now();
        let until = duration.map(|d| now.plus(d));
        let action = AuditEntry::sanction_action(sanction, duration.is_some());
        let entry = timed_entry(actor, action, user, duration, now);
        // A lift ends the sanction now rather than erasing it: a world
        // message committed while the ban held and fanned out after the
        // lift is still judged by the ban's real end.
        let found = self
            .store
            .set_sanction(user, sanction, Some(until.unwrap_or(now)), &entry)
            .await
            .map_err(|e| store("setting a sanction", e))?;
        if !found {
            return Err(ApiError::not_found(NO_SUCH_USER));
        }
        // Sends and the world room's reads check the user's cached
        // profile, which carries the sanctions.
        self.profiles.changed(user).await;
        Ok(until)
    }

    async fn remove_message(
        &self,
        who: &UserId,
        conversation: &ConversationId,
        seq: Seq,
    ) -> Result<Ack, ApiError> {
        let actor = self.admin(who).await?;
        let conv = self
            .store
            .conversation(conversation)
            .await
            .map_err(|e| store("reading a conversation", e))?
            .ok_or_else(|| ApiError::not_found("no such conversation"))?;
        let message = message_at(&*self.store, conversation, seq).await?;
        if !message.is_changeable() {
            return Err(ApiError::forbidden(
                "only a message a user wrote can be removed",
            ));
        }
        let reference = Reference::Recall(seq);
        let now = clock::now();
        // Straight to the committer, as a group's system messages go: the
        // send check's membership rule is not an administrator's. The
        // store still refuses a message already recalled (1003).
        let ack = self
            .groups
            .committer
            .commit(NewMessage {
                marks: Marks::default(),
                id: MessageId::generate(),
                conversation_id: conversation.clone(),
                conversation_kind: conv.kind,
                from: who.clone(),
                client_msg_id: ClientMsgId::from_stored(format!("admin-{}", MessageId::generate())),
                message_type: MessageType::of_change(reference).unwrap_or_else(MessageType::text),
                content: MessageContent::erased(),
                created_at: now,
                reference: Some(reference),
            })
            .await?;
        self.audit(&AuditEntry::new(
            actor,
            AuditEntry::REMOVE_MESSAGE,
            format!("{conversation}/{seq}", seq = seq.get()),
            format!("sent by {}", message.from),
            now,
        ))
        .await?;
        Ok(ack)
    }

    async fn dissolve_group(&self, who: &UserId, group: &GroupId) -> Result<(), ApiError> {
        let actor = self.admin(who).await?;
        self.groups.dissolve_by_admin(who, group).await?;
        self.audit(&AuditEntry::new(
            actor,
            AuditEntry::DISSOLVE_GROUP,
            group.as_str(),
            "",
            clock::now(),
        ))
        .await
    }

    async fn audit_log(
        &self,
        who: &UserId,
        page: NewestFirst<AuditId>,
    ) -> Result<Vec<AuditEntry>, ApiError> {
        self.admin(who).await?;
        self.store
            .audit_log(&page)
            .await
            .map_err(|e| store("reading the audit log", e))
    }

    async fn reports(&self, who: &UserId, list: ListReports) -> Result<Vec<Report>, ApiError> {
        self.admin(who).await?;
        self.store
            .reports(&list)
            .await
            .map_err(|e| store("reading reports", e))
    }

    async fn resolve_report(
        &self,
        who: &UserId,
        id: &ReportId,
        note: Note,
    ) -> Result<Report, ApiError> {
        let actor = self.admin(who).await?;
        let now = clock::now();
        let entry = AuditEntry::new(
            actor,
            AuditEntry::RESOLVE_REPORT,
            id.as_str(),
            note.as_str(),
            now,
        );
        let resolution = Resolution {
            by: who.clone(),
            at: now,
            note,
        };
        self.store
            .resolve_report(id, &resolution, &entry)
            .await
            .map_err(|e| store("resolving a report", e))?
            .ok_or_else(|| ApiError::not_found("no such report"))
    }
}
