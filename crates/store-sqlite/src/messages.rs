//! Conversations, cursors and messages, with group commit.

use async_trait::async_trait;
use ferrochat_domain::commands::UpdateConversation;
use ferrochat_domain::groups::Role;
use ferrochat_domain::messaging::{advance_read, ConversationView};
use ferrochat_domain::{
    ClientMsgId, ConversationId, ConversationKind, GroupId, Message, MessageContent, MessageId,
    MessageType, Seq, Timestamp, UserId,
};
use ferrochat_ports::store::{
    Committed, ConversationRecord, HistoryQuery, MemberRecord, MessageStore, NewMessage,
};
use ferrochat_ports::StoreError;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use crate::error::map;
use crate::SqliteStore;

/// SQLite integers are i64; seqs are u64 and start at 0.
pub(crate) fn seq(v: i64) -> Seq {
    Seq::new(u64::try_from(v).unwrap_or(0))
}

pub(crate) fn db_seq(s: Seq) -> i64 {
    i64::try_from(s.get()).unwrap_or(i64::MAX)
}

pub(crate) fn kind(s: &str) -> Result<ConversationKind, sqlx::Error> {
    ConversationKind::from_stored(s)
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown conversation kind {s:?}").into()))
}

/// Reads a message from columns named with `prefix` (`""` or `"lm_"`).
pub(crate) fn message_from_row(
    row: &SqliteRow,
    prefix: &str,
    conversation_id: &ConversationId,
    conversation_kind: ConversationKind,
) -> Result<Message, sqlx::Error> {
    let col = |name: &str| format!("{prefix}{name}");
    Ok(Message {
        id: MessageId::from_stored(row.try_get(col("id").as_str())?),
        conversation_id: conversation_id.clone(),
        conversation_kind,
        seq: seq(row.try_get(col("seq").as_str())?),
        from: UserId::from_stored(row.try_get(col("from_user_id").as_str())?),
        message_type: MessageType::from_stored(row.try_get(col("message_type").as_str())?),
        content: MessageContent::from_stored(row.try_get(col("content").as_str())?),
        client_msg_id: ClientMsgId::from_stored(row.try_get(col("client_msg_id").as_str())?),
        created_at: Timestamp::from_millis(row.try_get(col("created_at").as_str())?),
    })
}

pub(crate) const MESSAGE_COLUMNS: &str =
    "id, seq, from_user_id, client_msg_id, message_type, content, created_at";

/// A member's view of their conversations: peer name for single chats,
/// group name for groups, the last message if any.
const VIEW_SELECT: &str = "
SELECT c.id, c.kind, c.group_id, c.last_seq, c.updated_at,
       m.read_seq, m.muted, m.pinned,
       CASE WHEN c.kind = 'single' THEN
            CASE WHEN c.user_lo = m.user_id THEN c.user_hi ELSE c.user_lo END END AS peer_id,
       g.name AS group_name, pu.nickname AS peer_nickname,
       lm.id AS lm_id, lm.seq AS lm_seq, lm.from_user_id AS lm_from_user_id,
       lm.client_msg_id AS lm_client_msg_id, lm.message_type AS lm_message_type,
       lm.content AS lm_content, lm.created_at AS lm_created_at
FROM conversation_members m
JOIN conversations c ON c.id = m.conversation_id
LEFT JOIN chat_groups g ON g.id = c.group_id
LEFT JOIN users pu ON c.kind = 'single'
     AND pu.id = CASE WHEN c.user_lo = m.user_id THEN c.user_hi ELSE c.user_lo END
LEFT JOIN messages lm ON lm.conversation_id = c.id AND lm.seq = c.last_seq
WHERE m.user_id = ?";

fn view_from_row(row: &SqliteRow) -> Result<ConversationView, sqlx::Error> {
    let id = ConversationId::from_stored(row.try_get("id")?);
    let k = kind(row.try_get::<&str, _>("kind")?)?;
    let peer: Option<String> = row.try_get("peer_id")?;
    let name = match k {
        ConversationKind::World => "World".to_owned(),
        ConversationKind::Group => row
            .try_get::<Option<String>, _>("group_name")?
            .unwrap_or_default(),
        ConversationKind::Single => row
            .try_get::<Option<String>, _>("peer_nickname")?
            .unwrap_or_default(),
    };
    let has_last: Option<String> = row.try_get("lm_id")?;
    let last_message = match has_last {
        Some(_) => Some(message_from_row(row, "lm_", &id, k)?),
        None => None,
    };
    Ok(ConversationView {
        kind: k,
        name,
        peer_user_id: peer.map(UserId::from_stored),
        group_id: row
            .try_get::<Option<String>, _>("group_id")?
            .map(GroupId::from_stored),
        last_seq: seq(row.try_get("last_seq")?),
        read_seq: seq(row.try_get("read_seq")?),
        muted: row.try_get("muted")?,
        pinned: row.try_get("pinned")?,
        updated_at: Timestamp::from_millis(row.try_get("updated_at")?),
        last_message,
        id,
    })
}

#[async_trait]
impl MessageStore for SqliteStore {
    async fn commit_messages(&self, batch: &[NewMessage]) -> Result<Vec<Committed>, StoreError> {
        crate::commit::commit_messages(&self.writer, batch).await
    }

    async fn open_single(
        &self,
        a: &UserId,
        b: &UserId,
        now: Timestamp,
    ) -> Result<ConversationId, StoreError> {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let find =
            "SELECT id FROM conversations WHERE kind = 'single' AND user_lo = ? AND user_hi = ?";
        if let Some(row) = sqlx::query(find)
            .bind(lo.as_str())
            .bind(hi.as_str())
            .fetch_optional(&self.reader)
            .await
            .map_err(map)?
        {
            return Ok(ConversationId::from_stored(row.try_get("id").map_err(map)?));
        }
        let mut tx = self.writer.begin().await.map_err(map)?;
        // Checked again inside the write transaction: a concurrent open of
        // the same pair may have won.
        if let Some(row) = sqlx::query(find)
            .bind(lo.as_str())
            .bind(hi.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(map)?
        {
            return Ok(ConversationId::from_stored(row.try_get("id").map_err(map)?));
        }
        let id = ConversationId::generate();
        sqlx::query(
            "INSERT INTO conversations (id, kind, user_lo, user_hi, member_count, created_at, updated_at)
             VALUES (?, 'single', ?, ?, 2, ?, ?)",
        )
        .bind(id.as_str())
        .bind(lo.as_str())
        .bind(hi.as_str())
        .bind(now.millis())
        .bind(now.millis())
        .execute(&mut *tx)
        .await
        .map_err(map)?;
        for u in [lo, hi] {
            sqlx::query(
                "INSERT INTO conversation_members (conversation_id, user_id, joined_at) VALUES (?, ?, ?)",
            )
            .bind(id.as_str())
            .bind(u.as_str())
            .bind(now.millis())
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        }
        tx.commit().await.map_err(map)?;
        Ok(id)
    }

    async fn conversation(
        &self,
        id: &ConversationId,
    ) -> Result<Option<ConversationRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT id, kind, group_id, last_seq, member_count, user_lo, user_hi, closed
             FROM conversations WHERE id = ?",
        )
        .bind(id.as_str())
        .fetch_optional(&self.reader)
        .await
        .map_err(map)?;
        row.map(|r| {
            Ok(ConversationRecord {
                id: ConversationId::from_stored(r.try_get("id")?),
                kind: kind(r.try_get::<&str, _>("kind")?)?,
                group_id: r
                    .try_get::<Option<String>, _>("group_id")?
                    .map(GroupId::from_stored),
                last_seq: seq(r.try_get("last_seq")?),
                member_count: u32::try_from(r.try_get::<i64, _>("member_count")?).unwrap_or(0),
                pair: match (
                    r.try_get::<Option<String>, _>("user_lo")?,
                    r.try_get::<Option<String>, _>("user_hi")?,
                ) {
                    (Some(a), Some(b)) => Some((UserId::from_stored(a), UserId::from_stored(b))),
                    _ => None,
                },
                closed: r.try_get("closed")?,
            })
        })
        .transpose()
        .map_err(map)
    }

    async fn member(
        &self,
        conversation: &ConversationId,
        user: &UserId,
    ) -> Result<Option<MemberRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT role, read_seq, muted_until FROM conversation_members
             WHERE conversation_id = ? AND user_id = ?",
        )
        .bind(conversation.as_str())
        .bind(user.as_str())
        .fetch_optional(&self.reader)
        .await
        .map_err(map)?;
        row.map(|r| {
            Ok(MemberRecord {
                role: Role::from_stored(r.try_get("role")?),
                read_seq: seq(r.try_get("read_seq")?),
                muted_until: r
                    .try_get::<Option<i64>, _>("muted_until")?
                    .map(Timestamp::from_millis),
            })
        })
        .transpose()
        .map_err(map)
    }

    async fn member_ids(
        &self,
        conversation: &ConversationId,
        after: Option<&UserId>,
        limit: u32,
    ) -> Result<Vec<UserId>, StoreError> {
        let rows = sqlx::query(
            "SELECT user_id FROM conversation_members
             WHERE conversation_id = ? AND user_id > ? ORDER BY user_id LIMIT ?",
        )
        .bind(conversation.as_str())
        .bind(after.map_or("", UserId::as_str))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await
        .map_err(map)?;
        rows.iter()
            .map(|r| r.try_get("user_id").map(UserId::from_stored))
            .collect::<Result<_, _>>()
            .map_err(map)
    }

    async fn conversations_of(&self, user: &UserId) -> Result<Vec<ConversationView>, StoreError> {
        let sql = format!("{VIEW_SELECT} ORDER BY c.updated_at DESC, c.id DESC");
        let rows = sqlx::query(&sql)
            .bind(user.as_str())
            .fetch_all(&self.reader)
            .await
            .map_err(map)?;
        rows.iter()
            .map(view_from_row)
            .collect::<Result<_, _>>()
            .map_err(map)
    }

    async fn conversation_view(
        &self,
        user: &UserId,
        conversation: &ConversationId,
    ) -> Result<Option<ConversationView>, StoreError> {
        let sql = format!("{VIEW_SELECT} AND c.id = ?");
        let row = sqlx::query(&sql)
            .bind(user.as_str())
            .bind(conversation.as_str())
            .fetch_optional(&self.reader)
            .await
            .map_err(map)?;
        row.as_ref().map(view_from_row).transpose().map_err(map)
    }

    async fn update_cursor(
        &self,
        user: &UserId,
        conversation: &ConversationId,
        update: UpdateConversation,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await.map_err(map)?;
        let row = sqlx::query(
            "SELECT m.read_seq, c.last_seq FROM conversation_members m
             JOIN conversations c ON c.id = m.conversation_id
             WHERE m.conversation_id = ? AND m.user_id = ?",
        )
        .bind(conversation.as_str())
        .bind(user.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(map)?;
        let Some(row) = row else {
            return Ok(false);
        };
        let current = seq(row.try_get("read_seq").map_err(map)?);
        let last_seq = seq(row.try_get("last_seq").map_err(map)?);
        let read = update
            .read_seq
            .map_or(current, |r| advance_read(current, r, last_seq));
        sqlx::query(
            "UPDATE conversation_members SET read_seq = ?, muted = COALESCE(?, muted), pinned = COALESCE(?, pinned)
             WHERE conversation_id = ? AND user_id = ?",
        )
        .bind(db_seq(read))
        .bind(update.muted)
        .bind(update.pinned)
        .bind(conversation.as_str())
        .bind(user.as_str())
        .execute(&mut *tx)
        .await
        .map_err(map)?;
        tx.commit().await.map_err(map)?;
        Ok(true)
    }

    async fn history(
        &self,
        conversation: &ConversationId,
        q: HistoryQuery,
    ) -> Result<(Vec<Message>, bool), StoreError> {
        let Some(record) = self.conversation(conversation).await? else {
            return Ok((Vec::new(), false));
        };
        let fetch = i64::from(q.limit) + 1;
        let after = q.after.map_or(0, db_seq);
        let before = q.before.map_or(i64::MAX, db_seq);
        // With `after`, read forward from it; otherwise read backward from
        // `before` (or the newest) and flip the page to ascending order.
        let forward = q.after.is_some();
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages
             WHERE conversation_id = ? AND seq > ? AND seq < ?
             ORDER BY seq {} LIMIT ?",
            if forward { "ASC" } else { "DESC" }
        );
        let rows = sqlx::query(&sql)
            .bind(conversation.as_str())
            .bind(after)
            .bind(before)
            .bind(fetch)
            .fetch_all(&self.reader)
            .await
            .map_err(map)?;
        let limit = usize::try_from(q.limit).unwrap_or(usize::MAX);
        let has_more = rows.len() > limit;
        let mut messages = rows
            .iter()
            .take(limit)
            .map(|r| message_from_row(r, "", conversation, record.kind))
            .collect::<Result<Vec<_>, _>>()
            .map_err(map)?;
        if !forward {
            messages.reverse();
        }
        Ok((messages, has_more))
    }
}
