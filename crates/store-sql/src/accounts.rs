//! Users, sessions and refresh tokens (`AccountStore`).

use async_trait::async_trait;
use ferrochat_domain::commands::{fold, SearchUsers, UpdateProfile};
use ferrochat_domain::{
    Avatar, DeviceId, Email, Nickname, Sanctions, SessionId, StatusText, Timestamp, User, UserId,
    Username,
};
use ferrochat_ports::store::{
    Credentials, Erased, NewSession, RotateOutcome, Rotation, SessionInfo, SessionRecord,
};
use ferrochat_ports::{AccountStore, StoreError};
use ferrochat_retry::Rerun;

use crate::dialect::{Dialect, Driver, Ex};
use crate::error::{map, map_begin, Fail};
use crate::query::{Query, Rec, Val};
use crate::retry::run;
use crate::SqlStore;

pub(crate) type Tx<D> = sqlx::Transaction<'static, <D as Driver>::Db>;

pub(crate) const USER_COLUMNS: &str =
    "id, username, nickname, avatar, created_at, discoverable, deleted_at, email, status_text, \
     admin, disabled_until, muted_until, world_banned_until";

/// `USER_COLUMNS` of the table called `alias` in a join.
pub(crate) fn user_columns(alias: &str) -> String {
    crate::query::qualified(USER_COLUMNS, alias)
}

pub(crate) fn user_from_row<D: Dialect>(row: &Rec<D>) -> Result<User, sqlx::Error> {
    Ok(User {
        id: UserId::from_stored(row.col("id")?),
        username: Username::from_stored(row.col("username")?),
        nickname: Nickname::from_stored(row.col("nickname")?),
        avatar: Avatar::from_stored(row.col("avatar")?),
        created_at: Timestamp::from_millis(row.col("created_at")?),
        discoverable: row.col("discoverable")?,
        deleted: row.col::<Option<i64>>("deleted_at")?.is_some(),
        email: row.col::<Option<String>>("email")?.map(Email::from_stored),
        status: StatusText::from_stored(row.col("status_text")?),
        admin: row.col("admin")?,
        disabled_until: row
            .col::<Option<i64>>("disabled_until")?
            .map(Timestamp::from_millis),
        sanctions: Sanctions {
            muted_until: row
                .col::<Option<i64>>("muted_until")?
                .map(Timestamp::from_millis),
            world_banned_until: row
                .col::<Option<i64>>("world_banned_until")?
                .map(Timestamp::from_millis),
        },
    })
}

fn session_from_row<D: Dialect>(row: &Rec<D>) -> Result<SessionRecord, sqlx::Error> {
    let revoked_at: Option<i64> = row.col("revoked_at")?;
    Ok(SessionRecord {
        id: SessionId::from_stored(row.col("id")?),
        user_id: UserId::from_stored(row.col("user_id")?),
        expires_at: Timestamp::from_millis(row.col("expires_at")?),
        revoked: revoked_at.is_some(),
    })
}

async fn find_user<D: Dialect>(
    ex: impl Into<Ex<'_, D>>,
    id: &UserId,
) -> Result<Option<User>, Fail> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?");
    let row = Query::<D>::new(&sql)
        .bind(id.as_str())
        .fetch_optional(ex)
        .await
        .map_err(map)?;
    row.as_ref().map(user_from_row).transpose().map_err(map)
}

async fn insert_user<D: Dialect>(
    store: &SqlStore<D>,
    user: &User,
    password_hash: &str,
) -> Result<(), Fail> {
    let mut tx = store.writer.begin().await.map_err(map_begin)?;
    insert_user_in::<D>(&mut tx, user, password_hash).await?;
    tx.commit().await.map_err(map)
}

/// A new user's row and their place in the world room, within `tx`.
pub(crate) async fn insert_user_in<D: Dialect>(
    tx: &mut Tx<D>,
    user: &User,
    password_hash: &str,
) -> Result<(), Fail> {
    Query::<D>::new(
        "INSERT INTO users (id, username, username_key, password_hash, nickname, nickname_key,
         avatar, created_at, discoverable)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(user.id.as_str())
    .bind(user.username.as_str())
    .bind(user.username.key())
    .bind(password_hash)
    .bind(user.nickname.as_str())
    .bind(Val::Owned(fold(user.nickname.as_str())))
    .bind(user.avatar.as_str())
    .bind(user.created_at.millis())
    .bind(user.discoverable)
    .execute(&mut **tx)
    .await
    .map_err(map)?;
    // The world row first: its lock orders this against
    // commits to the world room, so the new member's cursor
    // is the room's last seq at the moment they join.
    Query::<D>::new("UPDATE conversations SET member_count = member_count + 1 WHERE id = 'world'")
        .execute(&mut **tx)
        .await
        .map_err(map)?;
    // Every user is in the world room, starting with nothing unread.
    Query::<D>::new(
        "INSERT INTO conversation_members (conversation_id, user_id, read_seq, joined_at)
         SELECT id, ?, last_seq, ? FROM conversations WHERE id = 'world'",
    )
    .bind(user.id.as_str())
    .bind(user.created_at.millis())
    .execute(&mut **tx)
    .await
    .map_err(map)?;
    Ok(())
}

async fn user<D: Dialect>(store: &SqlStore<D>, id: &UserId) -> Result<Option<User>, Fail> {
    find_user::<D>(&store.reader, id).await
}

async fn credentials<D: Dialect>(
    store: &SqlStore<D>,
    username_key: &str,
) -> Result<Option<Credentials>, Fail> {
    // A deleted account's key is no username's; the filter says so twice.
    let sql = format!(
        "SELECT {USER_COLUMNS}, password_hash FROM users
         WHERE username_key = ? AND deleted_at IS NULL"
    );
    let row = Query::<D>::new(&sql)
        .bind(username_key)
        .fetch_optional(&store.reader)
        .await
        .map_err(map)?;
    row.map(|r| {
        Ok(Credentials {
            user: user_from_row(&r)?,
            password_hash: r.col("password_hash")?,
        })
    })
    .transpose()
    .map_err(map)
}

async fn update_profile<D: Dialect>(
    store: &SqlStore<D>,
    id: &UserId,
    update: &UpdateProfile,
) -> Result<Option<User>, Fail> {
    let folded = update.nickname.as_ref().map(|n| fold(n.as_str()));
    // MySQL has no UPDATE ... RETURNING: update, then read
    // the row back in the same transaction.
    let mut tx = store.writer.begin().await.map_err(map_begin)?;
    // The email is three-valued (keep, set, remove): a flag says whether
    // to write it, and the value (NULL removes it) follows.
    let email = update.email.as_ref().map(|e| e.as_ref().map(Email::as_str));
    let email_key = update.email.as_ref().map(|e| e.as_ref().map(Email::key));
    Query::<D>::new(
        "UPDATE users SET nickname = COALESCE(?, nickname),
         nickname_key = COALESCE(?, nickname_key), avatar = COALESCE(?, avatar),
         discoverable = COALESCE(?, discoverable), status_text = COALESCE(?, status_text),
         email = CASE WHEN ? THEN ? ELSE email END,
         email_key = CASE WHEN ? THEN ? ELSE email_key END
         WHERE id = ?",
    )
    .bind(update.nickname.as_ref().map(Nickname::as_str))
    .bind(folded.as_deref())
    .bind(update.avatar.as_ref().map(Avatar::as_str))
    .bind(update.discoverable)
    .bind(update.status.as_ref().map(StatusText::as_str))
    .bind(email.is_some())
    .bind(email.flatten())
    .bind(email_key.is_some())
    .bind(email_key.as_ref().and_then(|k| k.as_deref()))
    .bind(id.as_str())
    .execute(&mut *tx)
    .await
    .map_err(map)?;
    let user = find_user::<D>(&mut *tx, id).await?;
    tx.commit().await.map_err(map)?;
    Ok(user)
}

/// Discoverable users whose username or nickname starts with the prefix,
/// as two index ranges (`key >= prefix AND key < prefix + U+10FFFF`: every
/// key that starts with the prefix, compared byte by byte), without the
/// viewer and anyone on either side of a block with them.
async fn search_users<D: Dialect>(
    store: &SqlStore<D>,
    viewer: &UserId,
    search: &SearchUsers,
) -> Result<Vec<User>, Fail> {
    let low = search.prefix();
    let high = format!("{low}\u{10FFFF}");
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users
         WHERE discoverable = ? AND id <> ? AND username_key > ?
           AND ((username_key >= ? AND username_key < ?) OR (nickname_key >= ? AND nickname_key < ?))
           AND NOT EXISTS (SELECT 1 FROM blocks b
                           WHERE (b.blocker_id = users.id AND b.blocked_id = ?)
                              OR (b.blocker_id = ? AND b.blocked_id = users.id))
         ORDER BY username_key LIMIT ?"
    );
    let rows = Query::<D>::new(&sql)
        .bind(true)
        .bind(viewer.as_str())
        .bind(search.after.as_deref().unwrap_or(""))
        .bind(low)
        .bind(high.as_str())
        .bind(low)
        .bind(high.as_str())
        .bind(viewer.as_str())
        .bind(viewer.as_str())
        .bind(i64::from(search.limit))
        .fetch_all(&store.reader)
        .await
        .map_err(map)?;
    rows.iter()
        .map(user_from_row)
        .collect::<Result<_, _>>()
        .map_err(map)
}

/// What `insert_session` answers when the account was disabled or
/// deleted before the session could be stored.
pub const ACCOUNT_CLOSED: &str = "account closed";

async fn insert_session<D: Dialect>(store: &SqlStore<D>, s: &NewSession) -> Result<(), Fail> {
    let mut tx = store.writer.begin().await.map_err(map_begin)?;
    // Under the user row's lock, which disabling and deleting an account
    // take before they revoke its sessions: a login that checked the
    // account a moment before either cannot leave a live session behind.
    let sql = format!(
        "SELECT id FROM users
         WHERE id = ? AND (disabled_until IS NULL OR disabled_until <= ?) AND deleted_at IS NULL {}",
        D::FOR_UPDATE
    );
    let open = Query::<D>::new(&sql)
        .bind(s.user_id.as_str())
        .bind(s.created_at.millis())
        .fetch_optional(&mut *tx)
        .await
        .map_err(map)?;
    if open.is_none() {
        return Err(StoreError::Conflict(ACCOUNT_CLOSED.into()).into());
    }
    Query::<D>::new(
        "INSERT INTO sessions (id, user_id, device_id, created_at, last_seen_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(s.id.as_str())
    .bind(s.user_id.as_str())
    .bind(s.device_id.as_ref().map(|d| d.as_str()))
    .bind(s.created_at.millis())
    .bind(s.created_at.millis())
    .bind(s.expires_at.millis())
    .execute(&mut *tx)
    .await
    .map_err(map)?;
    Query::<D>::new(
        "INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES (?, ?, ?)",
    )
    .bind(&s.refresh_hash)
    .bind(s.id.as_str())
    .bind(s.created_at.millis())
    .execute(&mut *tx)
    .await
    .map_err(map)?;
    tx.commit().await.map_err(map)
}

async fn session<D: Dialect>(
    store: &SqlStore<D>,
    id: &SessionId,
) -> Result<Option<SessionRecord>, Fail> {
    let row =
        Query::<D>::new("SELECT id, user_id, expires_at, revoked_at FROM sessions WHERE id = ?")
            .bind(id.as_str())
            .fetch_optional(&store.reader)
            .await
            .map_err(map)?;
    row.as_ref().map(session_from_row).transpose().map_err(map)
}

async fn rotate_refresh<D: Dialect>(
    store: &SqlStore<D>,
    r: &Rotation,
) -> Result<RotateOutcome, Fail> {
    // The token and session rows are locked before they are
    // read: of two concurrent refreshes with one token, the
    // second waits, then sees the token rotated away.
    let mut tx = store.writer.begin().await.map_err(map_begin)?;
    let sql = format!(
        "SELECT t.replaced_at, s.id, s.user_id, s.expires_at, s.revoked_at
         FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
         WHERE t.token_hash = ? {}",
        D::FOR_UPDATE
    );
    let found = Query::<D>::new(&sql)
        .bind(&r.presented_hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map)?;
    let Some(row) = found else {
        return Ok(RotateOutcome::Invalid);
    };
    let replaced_at: Option<i64> = row.col("replaced_at").map_err(map)?;
    let session = session_from_row(&row).map_err(map)?;
    if !session.is_live(r.now) {
        return Ok(RotateOutcome::Invalid);
    }
    if replaced_at.is_some() {
        Query::<D>::new("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
            .bind(r.now.millis())
            .bind(session.id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        tx.commit().await.map_err(map)?;
        return Ok(RotateOutcome::Reused {
            session: session.id,
            user: session.user_id,
        });
    }
    Query::<D>::new("UPDATE refresh_tokens SET replaced_at = ? WHERE token_hash = ?")
        .bind(r.now.millis())
        .bind(&r.presented_hash)
        .execute(&mut *tx)
        .await
        .map_err(map)?;
    Query::<D>::new(
        "INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES (?, ?, ?)",
    )
    .bind(&r.new_hash)
    .bind(session.id.as_str())
    .bind(r.now.millis())
    .execute(&mut *tx)
    .await
    .map_err(map)?;
    Query::<D>::new("UPDATE sessions SET expires_at = ?, last_seen_at = ? WHERE id = ?")
        .bind(r.new_expires_at.millis())
        .bind(r.now.millis())
        .bind(session.id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(map)?;
    tx.commit().await.map_err(map)?;
    Ok(RotateOutcome::Rotated(SessionRecord {
        expires_at: r.new_expires_at,
        ..session
    }))
}

async fn revoke_session<D: Dialect>(
    store: &SqlStore<D>,
    id: &SessionId,
    at: Timestamp,
) -> Result<(), Fail> {
    Query::<D>::new("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
        .bind(at.millis())
        .bind(id.as_str())
        .execute(&store.writer)
        .await
        .map(|_| ())
        .map_err(map)
}

async fn live_sessions<D: Dialect>(
    store: &SqlStore<D>,
    user: &UserId,
    now: Timestamp,
    limit: u32,
) -> Result<Vec<SessionInfo>, Fail> {
    let rows = Query::<D>::new(
        "SELECT id, device_id, created_at, COALESCE(last_seen_at, created_at) AS seen, expires_at
         FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?
         ORDER BY seen DESC, id LIMIT ?",
    )
    .bind(user.as_str())
    .bind(now.millis())
    .bind(i64::from(limit))
    .fetch_all(&store.reader)
    .await
    .map_err(map)?;
    rows.iter()
        .map(|r| {
            let device: Option<String> = r.col("device_id")?;
            Ok(SessionInfo {
                id: SessionId::from_stored(r.col("id")?),
                device_id: device.map(DeviceId::from_stored),
                created_at: Timestamp::from_millis(r.col("created_at")?),
                last_seen_at: Timestamp::from_millis(r.col("seen")?),
                expires_at: Timestamp::from_millis(r.col("expires_at")?),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(map)
}

/// Revokes `user`'s sessions live at `at` but `keep`, in a transaction
/// that is also the caller's (a password change sets the hash in the same
/// one), and answers them with those revoked at exactly `at` before: a
/// rerun after a lost commit answer still names every one.
pub(crate) async fn revoke_sessions_in<D: Dialect>(
    tx: &mut Tx<D>,
    user: &UserId,
    keep: Option<&SessionId>,
    at: Timestamp,
) -> Result<Vec<SessionId>, Fail> {
    let keep = keep.map_or("", SessionId::as_str);
    let sql = format!(
        "SELECT id FROM sessions
         WHERE user_id = ? AND id <> ? AND expires_at > ? AND (revoked_at IS NULL OR revoked_at = ?)
         ORDER BY id {}",
        D::FOR_UPDATE
    );
    let rows = Query::<D>::new(&sql)
        .bind(user.as_str())
        .bind(keep)
        .bind(at.millis())
        .bind(at.millis())
        .fetch_all(&mut **tx)
        .await
        .map_err(map)?;
    let ids = rows
        .iter()
        .map(|r| r.col("id").map(SessionId::from_stored))
        .collect::<Result<Vec<_>, _>>()
        .map_err(map)?;
    Query::<D>::new(
        "UPDATE sessions SET revoked_at = ?
         WHERE user_id = ? AND id <> ? AND expires_at > ? AND revoked_at IS NULL",
    )
    .bind(at.millis())
    .bind(user.as_str())
    .bind(keep)
    .bind(at.millis())
    .execute(&mut **tx)
    .await
    .map_err(map)?;
    Ok(ids)
}

async fn revoke_sessions<D: Dialect>(
    store: &SqlStore<D>,
    user: &UserId,
    keep: Option<&SessionId>,
    at: Timestamp,
) -> Result<Vec<SessionId>, Fail> {
    let mut tx = store.writer.begin().await.map_err(map_begin)?;
    let ids = revoke_sessions_in::<D>(&mut tx, user, keep, at).await?;
    tx.commit().await.map_err(map)?;
    Ok(ids)
}

async fn set_password<D: Dialect>(
    store: &SqlStore<D>,
    user: &UserId,
    password_hash: &str,
    keep: Option<&SessionId>,
    at: Timestamp,
) -> Result<Vec<SessionId>, Fail> {
    let mut tx = store.writer.begin().await.map_err(map_begin)?;
    Query::<D>::new("UPDATE users SET password_hash = ? WHERE id = ?")
        .bind(password_hash)
        .bind(user.as_str())
        .execute(&mut *tx)
        .await
        .map_err(map)?;
    let ids = revoke_sessions_in::<D>(&mut tx, user, keep, at).await?;
    tx.commit().await.map_err(map)?;
    Ok(ids)
}

#[async_trait]
impl<D: Dialect> AccountStore for SqlStore<D> {
    // A second run would meet its own row (username taken).
    async fn insert_user(&self, user: &User, password_hash: &str) -> Result<(), StoreError> {
        run(self.retry.as_ref(), Rerun::IfUndone, || {
            insert_user(self, user, password_hash)
        })
        .await
    }

    async fn user(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || user(self, id)).await
    }

    async fn credentials(&self, username_key: &str) -> Result<Option<Credentials>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            credentials(self, username_key)
        })
        .await
    }

    // Sets the given values; a second run sets them again and
    // reads the same row.
    async fn update_profile(
        &self,
        id: &UserId,
        update: &UpdateProfile,
    ) -> Result<Option<User>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            update_profile(self, id, update)
        })
        .await
    }

    async fn search_users(
        &self,
        viewer: &UserId,
        search: &SearchUsers,
    ) -> Result<Vec<User>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            search_users(self, viewer, search)
        })
        .await
    }

    // A second run would meet its own row.
    async fn insert_session(&self, s: &NewSession) -> Result<(), StoreError> {
        run(self.retry.as_ref(), Rerun::IfUndone, || {
            insert_session(self, s)
        })
        .await
    }

    async fn session(&self, id: &SessionId) -> Result<Option<SessionRecord>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || session(self, id)).await
    }

    // A second run would find the token rotated away and
    // revoke the session as reused.
    async fn rotate_refresh(&self, r: &Rotation) -> Result<RotateOutcome, StoreError> {
        run(self.retry.as_ref(), Rerun::IfUndone, || {
            rotate_refresh(self, r)
        })
        .await
    }

    // Sets `revoked_at` only while unset: a second run changes
    // nothing.
    async fn revoke_session(&self, id: &SessionId, at: Timestamp) -> Result<(), StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            revoke_session(self, id, at)
        })
        .await
    }

    async fn live_sessions(
        &self,
        user: &UserId,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<SessionInfo>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            live_sessions(self, user, now, limit)
        })
        .await
    }

    // A second run revokes nothing more and answers the same sessions.
    async fn revoke_sessions(
        &self,
        user: &UserId,
        keep: Option<&SessionId>,
        at: Timestamp,
    ) -> Result<Vec<SessionId>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            revoke_sessions(self, user, keep, at)
        })
        .await
    }

    // A second run would find the account deleted and answer None.
    async fn erase_user(&self, user: &UserId, at: Timestamp) -> Result<Option<Erased>, StoreError> {
        run(self.retry.as_ref(), Rerun::IfUndone, || {
            crate::erase::erase_user(self, user, at)
        })
        .await
    }

    // Sets the same hash again and answers the same sessions.
    async fn set_password(
        &self,
        user: &UserId,
        password_hash: &str,
        keep: Option<&SessionId>,
        at: Timestamp,
    ) -> Result<Vec<SessionId>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            set_password(self, user, password_hash, keep, at)
        })
        .await
    }
}
