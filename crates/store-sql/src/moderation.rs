//! Administrators' state (`ModerationStore`): the admin role, disabled
//! accounts, users' reports and the audit log. The log is only ever
//! appended to: no statement here updates or deletes its rows.

use async_trait::async_trait;
use ferrochat_domain::moderation::{
    Actor, AuditEntry, ListReports, ListUsers, NewestFirst, Note, Report, ReportTarget, Resolution,
};
use ferrochat_domain::{
    AuditId, ConversationId, ReportId, Sanction, Seq, SessionId, Timestamp, User, UserId,
};
use ferrochat_ports::store::ModerationStore;
use ferrochat_ports::StoreError;
use ferrochat_retry::Rerun;

use crate::accounts::{revoke_sessions_in, user_from_row, Tx, USER_COLUMNS};
use crate::dialect::{Dialect, Ex};
use crate::error::{map, map_begin, Fail};
use crate::query::{Query, Rec, Val};
use crate::retry::run;
use crate::SqlStore;

// `created_at`, not `at`: MySQL's `KEEP_EXISTING` names that column.
const AUDIT_COLUMNS: &str = "id, created_at, actor, action, target, detail";
const REPORT_COLUMNS: &str = "id, reporter, reported, conversation_id, seq, reason, created_at, \
                              resolved_by, resolved_at, resolution";

fn audit_from_row<D: Dialect>(r: &Rec<D>) -> Result<AuditEntry, sqlx::Error> {
    Ok(AuditEntry {
        id: AuditId::from_stored(r.col("id")?),
        at: Timestamp::from_millis(r.col("created_at")?),
        actor: Actor::from_stored(r.col("actor")?),
        action: r.col("action")?,
        target: r.col("target")?,
        detail: r.col("detail")?,
    })
}

fn report_from_row<D: Dialect>(r: &Rec<D>) -> Result<Report, sqlx::Error> {
    let reported = UserId::from_stored(r.col("reported")?);
    let conversation: Option<String> = r.col("conversation_id")?;
    let seq: Option<i64> = r.col("seq")?;
    let target = match (conversation, seq) {
        (Some(c), Some(s)) => ReportTarget::Message {
            conversation_id: ConversationId::from_stored(c),
            seq: Seq::new(u64::try_from(s).unwrap_or_default()),
        },
        _ => ReportTarget::User(reported.clone()),
    };
    let by: Option<String> = r.col("resolved_by")?;
    let at: Option<i64> = r.col("resolved_at")?;
    let resolution = match (by, at) {
        (Some(by), Some(at)) => Some(Resolution {
            by: UserId::from_stored(by),
            at: Timestamp::from_millis(at),
            note: Note::from_stored(r.col::<Option<String>>("resolution")?.unwrap_or_default()),
        }),
        _ => None,
    };
    Ok(Report {
        id: ReportId::from_stored(r.col("id")?),
        reporter: UserId::from_stored(r.col("reporter")?),
        target,
        reported,
        reason: Note::from_stored(r.col("reason")?),
        created_at: Timestamp::from_millis(r.col("created_at")?),
        resolution,
    })
}

fn all<D: Dialect, T>(
    rows: &[Rec<D>],
    each: fn(&Rec<D>) -> Result<T, sqlx::Error>,
) -> Result<Vec<T>, Fail> {
    rows.iter().map(each).collect::<Result<_, _>>().map_err(map)
}

async fn append<D: Dialect>(ex: impl Into<Ex<'_, D>>, e: &AuditEntry) -> Result<(), Fail> {
    let sql = format!(
        "INSERT INTO audit_log ({AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) {}",
        D::KEEP_EXISTING
    );
    Query::<D>::new(&sql)
        .bind(e.id.as_str())
        .bind(e.at.millis())
        .bind(e.actor.as_str())
        .bind(e.action.as_str())
        .bind(e.target.as_str())
        .bind(e.detail.as_str())
        .execute(ex)
        .await
        .map(|_| ())
        .map_err(map)
}

/// Locks `user`'s row if the account exists and is not deleted.
async fn lock_user<D: Dialect>(tx: &mut Tx<D>, user: &UserId) -> Result<bool, Fail> {
    let sql = format!(
        "SELECT id FROM users WHERE id = ? AND deleted_at IS NULL {}",
        D::FOR_UPDATE
    );
    Ok(Query::<D>::new(&sql)
        .bind(user.as_str())
        .fetch_optional(&mut **tx)
        .await
        .map_err(map)?
        .is_some())
}

/// Sets one column of `user`'s row (locked, so a deleted account stays
/// untouched) and appends `audit`, in one transaction. False if there is
/// no such user.
async fn set_user_column<'v, D: Dialect>(
    store: &SqlStore<D>,
    user: &UserId,
    column: &'static str,
    value: impl Into<Val<'v>>,
    audit: &AuditEntry,
) -> Result<bool, Fail> {
    let mut tx = store.writer.begin().await.map_err(map_begin)?;
    if !lock_user::<D>(&mut tx, user).await? {
        return Ok(false);
    }
    Query::<D>::new(&format!("UPDATE users SET {column} = ? WHERE id = ?"))
        .bind(value)
        .bind(user.as_str())
        .execute(&mut *tx)
        .await
        .map_err(map)?;
    append::<D>(&mut *tx, audit).await?;
    tx.commit().await.map_err(map)?;
    Ok(true)
}

async fn set_disabled<D: Dialect>(
    store: &SqlStore<D>,
    user: &UserId,
    until: Option<Timestamp>,
    at: Timestamp,
    audit: &AuditEntry,
) -> Result<Option<Vec<SessionId>>, Fail> {
    let mut tx = store.writer.begin().await.map_err(map_begin)?;
    if !lock_user::<D>(&mut tx, user).await? {
        return Ok(None);
    }
    Query::<D>::new("UPDATE users SET disabled_until = ? WHERE id = ?")
        .bind(until.map(Timestamp::millis))
        .bind(user.as_str())
        .execute(&mut *tx)
        .await
        .map_err(map)?;
    let revoked = if until.is_some_and(|u| u > at) {
        revoke_sessions_in::<D>(&mut tx, user, None, at).await?
    } else {
        Vec::new()
    };
    append::<D>(&mut *tx, audit).await?;
    tx.commit().await.map_err(map)?;
    Ok(Some(revoked))
}

async fn banned_from_world<D: Dialect>(
    store: &SqlStore<D>,
    now: Timestamp,
    limit: u32,
) -> Result<Vec<UserId>, Fail> {
    // A range on the column's index: only the bans in force are read.
    let rows = Query::<D>::new(
        "SELECT id FROM users WHERE world_banned_until > ? AND deleted_at IS NULL
         ORDER BY world_banned_until LIMIT ?",
    )
    .bind(now.millis())
    .bind(i64::from(limit))
    .fetch_all(&store.reader)
    .await
    .map_err(map)?;
    all(&rows, |r| Ok(UserId::from_stored(r.col("id")?)))
}

async fn mute_in_world<D: Dialect>(
    store: &SqlStore<D>,
    user: &UserId,
    until: Option<Timestamp>,
    audit: &AuditEntry,
) -> Result<bool, Fail> {
    let mut tx = store.writer.begin().await.map_err(map_begin)?;
    Query::<D>::new(
        "UPDATE conversation_members SET muted_until = ?
         WHERE conversation_id = 'world' AND user_id = ?",
    )
    .bind(until.map(Timestamp::millis))
    .bind(user.as_str())
    .execute(&mut *tx)
    .await
    .map_err(map)?;
    // MySQL counts rows changed, not matched: a rerun setting the same
    // value changes none, so membership is read, not counted.
    let member = Query::<D>::new(
        "SELECT user_id FROM conversation_members WHERE conversation_id = 'world' AND user_id = ?",
    )
    .bind(user.as_str())
    .fetch_optional(&mut *tx)
    .await
    .map_err(map)?
    .is_some();
    if !member {
        return Ok(false);
    }
    append::<D>(&mut *tx, audit).await?;
    tx.commit().await.map_err(map)?;
    Ok(true)
}

async fn list_users<D: Dialect>(store: &SqlStore<D>, list: &ListUsers) -> Result<Vec<User>, Fail> {
    let low = list.prefix().unwrap_or("");
    let high = format!("{low}\u{10FFFF}");
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users
         WHERE deleted_at IS NULL AND username_key > ? AND username_key >= ? AND username_key < ?
         ORDER BY username_key LIMIT ?"
    );
    let rows = Query::<D>::new(&sql)
        .bind(list.after.as_deref().unwrap_or(""))
        .bind(low)
        .bind(high.as_str())
        .bind(i64::from(list.limit))
        .fetch_all(&store.reader)
        .await
        .map_err(map)?;
    all(&rows, user_from_row)
}

async fn audit_log<D: Dialect>(
    store: &SqlStore<D>,
    page: &NewestFirst<AuditId>,
) -> Result<Vec<AuditEntry>, Fail> {
    let sql =
        format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?");
    let rows = Query::<D>::new(&sql)
        .bind(page.before.as_ref().map_or("~", AuditId::as_str))
        .bind(i64::from(page.limit))
        .fetch_all(&store.reader)
        .await
        .map_err(map)?;
    all(&rows, audit_from_row)
}

async fn insert_report<D: Dialect>(store: &SqlStore<D>, r: &Report) -> Result<(), Fail> {
    let (conversation, seq) = match &r.target {
        ReportTarget::User(_) => (None, None),
        ReportTarget::Message {
            conversation_id,
            seq,
        } => (
            Some(conversation_id.as_str()),
            Some(i64::try_from(seq.get()).unwrap_or(i64::MAX)),
        ),
    };
    let sql = format!(
        "INSERT INTO reports (id, reporter, reported, conversation_id, seq, reason, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) {}",
        D::KEEP_EXISTING
    );
    Query::<D>::new(&sql)
        .bind(r.id.as_str())
        .bind(r.reporter.as_str())
        .bind(r.reported.as_str())
        .bind(conversation)
        .bind(seq)
        .bind(r.reason.as_str())
        .bind(r.created_at.millis())
        .execute(&store.writer)
        .await
        .map(|_| ())
        .map_err(map)
}

async fn find_report<D: Dialect>(
    ex: impl Into<Ex<'_, D>>,
    id: &ReportId,
    lock: &str,
) -> Result<Option<Report>, Fail> {
    let sql = format!("SELECT {REPORT_COLUMNS} FROM reports WHERE id = ? {lock}");
    Query::<D>::new(&sql)
        .bind(id.as_str())
        .fetch_optional(ex)
        .await
        .map_err(map)?
        .map(|r| report_from_row(&r))
        .transpose()
        .map_err(map)
}

async fn reports<D: Dialect>(store: &SqlStore<D>, list: &ListReports) -> Result<Vec<Report>, Fail> {
    let open = if list.open_only {
        "AND resolved_at IS NULL"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {REPORT_COLUMNS} FROM reports WHERE id < ? {open} ORDER BY id DESC LIMIT ?"
    );
    let rows = Query::<D>::new(&sql)
        .bind(list.page.before.as_ref().map_or("~", ReportId::as_str))
        .bind(i64::from(list.page.limit))
        .fetch_all(&store.reader)
        .await
        .map_err(map)?;
    all(&rows, report_from_row)
}

async fn resolve_report<D: Dialect>(
    store: &SqlStore<D>,
    id: &ReportId,
    resolution: &Resolution,
    audit: &AuditEntry,
) -> Result<Option<Report>, Fail> {
    let mut tx = store.writer.begin().await.map_err(map_begin)?;
    let Some(report) = find_report::<D>(&mut *tx, id, D::FOR_UPDATE).await? else {
        return Ok(None);
    };
    if report.resolution.is_some() {
        return Ok(Some(report));
    }
    Query::<D>::new(
        "UPDATE reports SET resolved_by = ?, resolved_at = ?, resolution = ? WHERE id = ?",
    )
    .bind(resolution.by.as_str())
    .bind(resolution.at.millis())
    .bind(resolution.note.as_str())
    .bind(id.as_str())
    .execute(&mut *tx)
    .await
    .map_err(map)?;
    append::<D>(&mut *tx, audit).await?;
    tx.commit().await.map_err(map)?;
    Ok(Some(Report {
        resolution: Some(resolution.clone()),
        ..report
    }))
}

async fn reports_since<D: Dialect>(
    store: &SqlStore<D>,
    reporter: &UserId,
    since: Timestamp,
) -> Result<u32, Fail> {
    let row =
        Query::<D>::new("SELECT COUNT(*) AS n FROM reports WHERE reporter = ? AND created_at >= ?")
            .bind(reporter.as_str())
            .bind(since.millis())
            .fetch_one(&store.reader)
            .await
            .map_err(map)?;
    let n: i64 = row.col("n").map_err(map)?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

#[async_trait]
impl<D: Dialect> ModerationStore for SqlStore<D> {
    // Sets the same value again and keeps the same log entry (its id).
    async fn set_admin(
        &self,
        user: &UserId,
        admin: bool,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            set_user_column(self, user, "admin", admin, audit)
        })
        .await
    }

    // As set_admin; the sessions it revoked at `at` are named again.
    async fn set_disabled(
        &self,
        user: &UserId,
        until: Option<Timestamp>,
        at: Timestamp,
        audit: &AuditEntry,
    ) -> Result<Option<Vec<SessionId>>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            set_disabled(self, user, until, at, audit)
        })
        .await
    }

    // Sets a value and keeps the same log entry.
    async fn mute_in_world(
        &self,
        user: &UserId,
        until: Option<Timestamp>,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            mute_in_world(self, user, until, audit)
        })
        .await
    }

    // Sets a value and keeps the same log entry.
    async fn set_sanction(
        &self,
        user: &UserId,
        sanction: Sanction,
        until: Option<Timestamp>,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
        let column = match sanction {
            Sanction::Mute => "muted_until",
            Sanction::WorldBan => "world_banned_until",
        };
        let until = until.map(Timestamp::millis);
        run(self.retry.as_ref(), Rerun::Safe, || {
            set_user_column(self, user, column, until, audit)
        })
        .await
    }

    async fn banned_from_world(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<UserId>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            banned_from_world(self, now, limit)
        })
        .await
    }

    async fn list_users(&self, list: &ListUsers) -> Result<Vec<User>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || list_users(self, list)).await
    }

    // Keeps an entry with the same id.
    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            append::<D>(&self.writer, entry)
        })
        .await
    }

    async fn audit_log(&self, page: &NewestFirst<AuditId>) -> Result<Vec<AuditEntry>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || audit_log(self, page)).await
    }

    // Keeps a report with the same id.
    async fn insert_report(&self, report: &Report) -> Result<(), StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            insert_report(self, report)
        })
        .await
    }

    async fn report(&self, id: &ReportId) -> Result<Option<Report>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            find_report::<D>(&self.reader, id, "")
        })
        .await
    }

    async fn reports(&self, list: &ListReports) -> Result<Vec<Report>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || reports(self, list)).await
    }

    // A second run finds the report resolved and answers it.
    async fn resolve_report(
        &self,
        id: &ReportId,
        resolution: &Resolution,
        audit: &AuditEntry,
    ) -> Result<Option<Report>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            resolve_report(self, id, resolution, audit)
        })
        .await
    }

    async fn reports_since(&self, reporter: &UserId, since: Timestamp) -> Result<u32, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            reports_since(self, reporter, since)
        })
        .await
    }
}
