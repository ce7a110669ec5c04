//! Administrators' state: the admin role, disabled accounts, users'
//! reports and the audit log.

use async_trait::async_trait;
use ferrochat_domain::moderation::{
    AuditEntry, ListReports, ListUsers, NewestFirst, Report, Resolution,
};
use ferrochat_domain::{AuditId, ReportId, Sanction, SessionId, Timestamp, User, UserId};

use super::StoreError;

#[async_trait]
pub trait ModerationStore: Send + Sync {
    /// Grants (`admin`) or takes back the admin role, and appends `audit`
    /// in the same transaction. False if there is no such user (a deleted
    /// account is none).
    async fn set_admin(
        &self,
        user: &UserId,
        admin: bool,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError>;
    /// Disables an account until `until` (`Timestamp::FOREVER`: until
    /// enabled), or enables it (`None`), and appends `audit` in the same
    /// transaction; disabling revokes every session live at `at`. Answers
    /// the sessions revoked (as `AccountStore::revoke_sessions`, so a
    /// rerun names them again), or `None` if there is no such user.
    async fn set_disabled(
        &self,
        user: &UserId,
        until: Option<Timestamp>,
        at: Timestamp,
        audit: &AuditEntry,
    ) -> Result<Option<Vec<SessionId>>, StoreError>;
    /// Mutes `user` in the world room until `until` (`None`: unmutes) and
    /// appends `audit` in the same transaction. False if `user` is not in
    /// the world room (no such user, or a deleted one).
    async fn mute_in_world(
        &self,
        user: &UserId,
        until: Option<Timestamp>,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError>;
    /// Sets `sanction` on `user` until `until` (`None`: lifts it) and
    /// appends `audit` in the same transaction. False if there is no such
    /// user (a deleted account is none).
    async fn set_sanction(
        &self,
        user: &UserId,
        sanction: Sanction,
        until: Option<Timestamp>,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError>;
    /// The users banned from the world room at `now`, at most `limit` of
    /// them (the world room's fan-out leaves them out).
    async fn banned_from_world(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<UserId>, StoreError>;
    /// Every account but deleted ones, as `list` pages them (not only
    /// discoverable ones).
    async fn list_users(&self, list: &ListUsers) -> Result<Vec<User>, StoreError>;

    /// Appends to the audit log; an entry whose id is there already is
    /// kept as it is (a rerun).
    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;
    /// The audit log, newest first.
    async fn audit_log(&self, page: &NewestFirst<AuditId>) -> Result<Vec<AuditEntry>, StoreError>;

    /// Stores a new report; one whose id is there already is kept.
    async fn insert_report(&self, report: &Report) -> Result<(), StoreError>;
    async fn report(&self, id: &ReportId) -> Result<Option<Report>, StoreError>;
    /// Reports, newest first.
    async fn reports(&self, list: &ListReports) -> Result<Vec<Report>, StoreError>;
    /// Resolves an open report and appends `audit` in the same
    /// transaction; answers the report as it is now (its first resolution
    /// kept if it was resolved already), `None` if there is no such report.
    async fn resolve_report(
        &self,
        id: &ReportId,
        resolution: &Resolution,
        audit: &AuditEntry,
    ) -> Result<Option<Report>, StoreError>;
    /// How many reports `reporter` made since `since` (their rate limit).
    async fn reports_since(&self, reporter: &UserId, since: Timestamp) -> Result<u32, StoreError>;
}
