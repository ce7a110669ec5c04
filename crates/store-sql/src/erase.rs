//! Deleting an account (`AccountStore::erase_user`): one transaction that
//! erases the profile and every tie to other users, and keeps the row so
//! that what the account wrote still names someone.

use ferrochat_domain::{ConversationId, Timestamp, UserId};
use ferrochat_ports::store::Erased;

use crate::accounts::{revoke_sessions_in, Tx};
use crate::dialect::Dialect;
use crate::error::{map, map_begin, Fail};
use crate::query::{Query, Rec};
use crate::SqlStore;

/// What a deleted account is called. Its username is no one's: `#` is in
/// no username, so the key cannot collide with a registration.
const DELETED_USERNAME: &str = "deleted";
const DELETED_NICKNAME: &str = "Deleted user";

fn column<D: Dialect, T>(
    rows: &[Rec<D>],
    name: &str,
    wrap: impl Fn(String) -> T,
) -> Result<Vec<T>, Fail> {
    rows.iter()
        .map(|r| r.col::<String>(name).map(&wrap))
        .collect::<Result<_, _>>()
        .map_err(map)
}

async fn ids<D: Dialect, T>(
    tx: &mut Tx<D>,
    sql: &str,
    user: &UserId,
    binds: usize,
    wrap: impl Fn(String) -> T,
) -> Result<Vec<T>, Fail> {
    let mut q = Query::<D>::new(sql);
    for _ in 0..binds {
        q = q.bind(user.as_str());
    }
    let rows = q.fetch_all(&mut **tx).await.map_err(map)?;
    column(&rows, "id", wrap)
}

async fn exec<D: Dialect>(
    tx: &mut Tx<D>,
    sql: &str,
    user: &UserId,
    binds: usize,
) -> Result<(), Fail> {
    let mut q = Query::<D>::new(sql);
    for _ in 0..binds {
        q = q.bind(user.as_str());
    }
    q.execute(&mut **tx).await.map_err(map)?;
    Ok(())
}

pub(crate) async fn erase_user<D: Dialect>(
    store: &SqlStore<D>,
    user: &UserId,
    at: Timestamp,
) -> Result<Option<Erased>, Fail> {
    let mut tx = store.writer.begin().await.map_err(map_begin)?;
    // The world row first, as registration takes it: its lock orders this
    // against commits to the world room and against registrations.
    let left_world = Query::<D>::new(
        "UPDATE conversations SET member_count = member_count - 1
         WHERE id = 'world' AND EXISTS (SELECT 1 FROM conversation_members m
             WHERE m.conversation_id = 'world' AND m.user_id = ?)
           AND EXISTS (SELECT 1 FROM users u WHERE u.id = ? AND u.deleted_at IS NULL)",
    )
    .bind(user.as_str())
    .bind(user.as_str());
    left_world.execute(&mut *tx).await.map_err(map)?;
    let sql = format!(
        "SELECT deleted_at FROM users WHERE id = ? {}",
        D::FOR_UPDATE
    );
    let found = Query::<D>::new(&sql)
        .bind(user.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(map)?;
    let Some(row) = found else {
        return Ok(None);
    };
    if row.col::<Option<i64>>("deleted_at").map_err(map)?.is_some() {
        return Ok(None);
    }
    exec::<D>(
        &mut tx,
        "DELETE FROM conversation_members WHERE conversation_id = 'world' AND user_id = ?",
        user,
        1,
    )
    .await?;

    let closed = ids::<D, _>(
        &mut tx,
        "SELECT c.id FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
         WHERE m.user_id = ? AND c.kind = 'single' AND c.closed = FALSE ORDER BY c.id",
        user,
        1,
        ConversationId::from_stored,
    )
    .await?;
    exec::<D>(
        &mut tx,
        "UPDATE conversations SET closed = TRUE WHERE kind = 'single'
         AND id IN (SELECT conversation_id FROM conversation_members WHERE user_id = ?)",
        user,
        1,
    )
    .await?;

    let peers = ids::<D, _>(
        &mut tx,
        "SELECT friend_id AS id FROM friendships WHERE user_id = ?
         UNION SELECT blocked_id AS id FROM blocks WHERE blocker_id = ?
         UNION SELECT blocker_id AS id FROM blocks WHERE blocked_id = ?
         ORDER BY id",
        user,
        3,
        UserId::from_stored,
    )
    .await?;
    exec::<D>(
        &mut tx,
        "DELETE FROM friendships WHERE user_id = ? OR friend_id = ?",
        user,
        2,
    )
    .await?;
    exec::<D>(
        &mut tx,
        "DELETE FROM blocks WHERE blocker_id = ? OR blocked_id = ?",
        user,
        2,
    )
    .await?;
    exec::<D>(
        &mut tx,
        "DELETE FROM friend_requests WHERE from_user_id = ? OR to_user_id = ?",
        user,
        2,
    )
    .await?;

    // Files never sent and uploads never finished are the account's alone:
    // dated to the epoch, the orphan sweep deletes them, bytes first, on
    // its next pass. Sent ones stay with the messages that carry them.
    exec::<D>(
        &mut tx,
        "UPDATE attachments SET created_at = 0 WHERE owner_id = ? AND conversation_id IS NULL",
        user,
        1,
    )
    .await?;
    exec::<D>(
        &mut tx,
        "UPDATE uploads SET created_at = 0 WHERE owner_id = ?",
        user,
        1,
    )
    .await?;

    let sessions = revoke_sessions_in::<D>(&mut tx, user, None, at).await?;
    Query::<D>::new(
        "UPDATE users SET username = ?, username_key = ?, password_hash = '', nickname = ?,
         nickname_key = '', avatar = '', discoverable = ?, deleted_at = ?,
         email = NULL, email_key = NULL, status_text = '', admin = ?
         WHERE id = ?",
    )
    .bind(DELETED_USERNAME)
    .bind(format!("#{}", user.as_str()))
    .bind(DELETED_NICKNAME)
    .bind(false)
    .bind(at.millis())
    .bind(false)
    .bind(user.as_str())
    .execute(&mut *tx)
    .await
    .map_err(map)?;
    tx.commit().await.map_err(map)?;
    Ok(Some(Erased {
        sessions,
        peers,
        closed,
    }))
}
