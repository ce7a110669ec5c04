//! Conversations, cursors and messages (`MessageStore`); the group commit
//! is in `commit.rs`.

use async_trait::async_trait;
use ferrochat_domain::commands::UpdateConversation;
use ferrochat_domain::groups::Role;
use ferrochat_domain::messaging::{advance_read, ConversationView};
use ferrochat_domain::reactions::{Emoji, ReactionCount};
use ferrochat_domain::search::{SearchMessages, SearchPage};
use ferrochat_domain::{
    Changes, ClientMsgId, ConversationId, ConversationKind, GroupId, Marks, Message,
    MessageContent, MessageId, MessageType, Reference, Seq, Timestamp, UserId,
};
use ferrochat_ports::store::{
    Committed, ConversationRecord, HistoryQuery, MemberRecord, MessageStore, NewMessage,
};
use ferrochat_ports::StoreError;
use ferrochat_retry::Rerun;

use crate::dialect::Dialect;
use crate::error::{map, map_begin, Fail};
use crate::query::{count, db_seq, kind, seq, Query, Rec};
use crate::retry::run;
use crate::SqlStore;

/// Reads a message from columns named with `prefix` (`""` or `"lm_"`).
pub(crate) fn message_from_row<D: Dialect>(
    row: &Rec<D>,
    prefix: &str,
    conversation_id: &ConversationId,
    conversation_kind: ConversationKind,
) -> Result<Message, sqlx::Error> {
    let col = |name: &str| format!("{prefix}{name}");
    let message_type = MessageType::from_stored(row.col(col("message_type").as_str())?);
    let at = |name: &str| -> Result<Option<Timestamp>, sqlx::Error> {
        Ok(row
            .col::<Option<i64>>(col(name).as_str())?
            .map(Timestamp::from_millis))
    };
    Ok(Message {
        id: MessageId::from_stored(row.col(col("id").as_str())?),
        conversation_id: conversation_id.clone(),
        conversation_kind,
        seq: seq(row.col(col("seq").as_str())?),
        from: UserId::from_stored(row.col(col("from_user_id").as_str())?),
        content: MessageContent::from_stored(row.col(col("content").as_str())?),
        client_msg_id: ClientMsgId::from_stored(row.col(col("client_msg_id").as_str())?),
        created_at: Timestamp::from_millis(row.col(col("created_at").as_str())?),
        reference: row
            .col::<Option<i64>>(col("ref_seq").as_str())?
            .map(|s| Reference::from_stored(&message_type, seq(s))),
        changes: Changes {
            edited_at: at("edited_at")?,
            recalled_at: at("recalled_at")?,
        },
        reactions: Vec::new(),
        reaction_count: row
            .col::<Option<i64>>(col("reaction_count").as_str())?
            .map(count),
        marks: Marks::from_stored(row.col::<Option<String>>(col("marks").as_str())?.as_deref()),
        message_type,
    })
}

pub(crate) const MESSAGE_COLUMNS: &str =
    "id, seq, from_user_id, client_msg_id, message_type, content, created_at, ref_seq, edited_at, recalled_at, reaction_count, marks";

/// `MESSAGE_COLUMNS`, each qualified by the table's `alias` (for a query
/// that joins `messages` with tables of the same column names).
pub(crate) fn message_columns(alias: &str) -> String {
    crate::query::qualified(MESSAGE_COLUMNS, alias)
}

/// A member's view of their conversations: peer name for single
/// chats, group name for groups, the last message if any (none when the
/// member hid it: "delete for me" reaches the list's preview too).
const VIEW_SELECT: &str = "
SELECT c.id, c.kind, c.group_id, c.last_seq, c.updated_at,
m.read_seq, m.muted, m.pinned, m.mention_seq, c.all_mention_seq,
CASE WHEN c.kind = 'single' THEN
CASE WHEN c.user_lo = m.user_id THEN c.user_hi ELSE c.user_lo END END AS peer_id,
g.name AS group_name, pu.nickname AS peer_nickname,
lm.id AS lm_id, lm.seq AS lm_seq, lm.from_user_id AS lm_from_user_id,
lm.client_msg_id AS lm_client_msg_id, lm.message_type AS lm_message_type,
lm.content AS lm_content, lm.created_at AS lm_created_at, lm.ref_seq AS lm_ref_seq,
lm.edited_at AS lm_edited_at, lm.recalled_at AS lm_recalled_at,
lm.reaction_count AS lm_reaction_count, lm.marks AS lm_marks
FROM conversation_members m
JOIN conversations c ON c.id = m.conversation_id
LEFT JOIN chat_groups g ON g.id = c.group_id
LEFT JOIN users pu ON c.kind = 'single'
AND pu.id = CASE WHEN c.user_lo = m.user_id THEN c.user_hi ELSE c.user_lo END
LEFT JOIN messages lm ON lm.conversation_id = c.id AND lm.seq = c.last_seq
AND NOT EXISTS (SELECT 1 FROM hidden_messages h
                WHERE h.user_id = m.user_id AND h.conversation_id = c.id AND h.seq = c.last_seq)
WHERE m.user_id = ?";

fn view_from_row<D: Dialect>(row: &Rec<D>) -> Result<ConversationView, sqlx::Error> {
    let id = ConversationId::from_stored(row.col("id")?);
    let k = kind(&row.col::<String>("kind")?)?;
    let peer: Option<String> = row.col("peer_id")?;
    let name = match k {
        ConversationKind::World => "World".to_owned(),
        ConversationKind::Group => row.col::<Option<String>>("group_name")?.unwrap_or_default(),
        ConversationKind::Single => row
            .col::<Option<String>>("peer_nickname")?
            .unwrap_or_default(),
    };
    let has_last: Option<String> = row.col("lm_id")?;
    let last_message = match has_last {
        Some(_) => Some(message_from_row(row, "lm_", &id, k)?),
        None => None,
    };
    Ok(ConversationView {
        kind: k,
        name,
        peer_user_id: peer.map(UserId::from_stored),
        group_id: row
            .col::<Option<String>>("group_id")?
            .map(GroupId::from_stored),
        last_seq: seq(row.col("last_seq")?),
        read_seq: seq(row.col("read_seq")?),
        muted: row.col("muted")?,
        pinned: row.col("pinned")?,
        updated_at: Timestamp::from_millis(row.col("updated_at")?),
        mention_seq: seq(row.col("mention_seq")?).max(seq(row.col("all_mention_seq")?)),
        last_message,
        id,
    })
}

async fn open_single<D: Dialect>(
    store: &SqlStore<D>,
    a: &UserId,
    b: &UserId,
    now: Timestamp,
) -> Result<ConversationId, Fail> {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let find = "SELECT id FROM conversations WHERE kind = 'single' AND user_lo = ? AND user_hi = ?";
    if let Some(row) = Query::<D>::new(find)
        .bind(lo.as_str())
        .bind(hi.as_str())
        .fetch_optional(&store.reader)
        .await
        .map_err(map)?
    {
        return Ok(ConversationId::from_stored(row.col("id").map_err(map)?));
    }
    let id = ConversationId::generate();
    match insert_single(store, &id, lo, hi, now).await {
        Ok(()) => Ok(id),
        // A concurrent open of the same pair won the unique
        // key: theirs is the conversation.
        Err(Fail {
            error: StoreError::Conflict(why),
            ..
        }) => {
            let row = Query::<D>::new(find)
                .bind(lo.as_str())
                .bind(hi.as_str())
                .fetch_optional(&store.reader)
                .await
                .map_err(map)?
                .ok_or(StoreError::Conflict(why))?;
            Ok(ConversationId::from_stored(row.col("id").map_err(map)?))
        }
        Err(e) => Err(e),
    }
}

async fn conversation<D: Dialect>(
    store: &SqlStore<D>,
    id: &ConversationId,
) -> Result<Option<ConversationRecord>, Fail> {
    let row = Query::<D>::new(
        "SELECT id, kind, group_id, last_seq, member_count, user_lo, user_hi, closed
         FROM conversations WHERE id = ?",
    )
    .bind(id.as_str())
    .fetch_optional(&store.reader)
    .await
    .map_err(map)?;
    row.map(|r| {
        Ok(ConversationRecord {
            id: ConversationId::from_stored(r.col("id")?),
            kind: kind(&r.col::<String>("kind")?)?,
            group_id: r
                .col::<Option<String>>("group_id")?
                .map(GroupId::from_stored),
            last_seq: seq(r.col("last_seq")?),
            member_count: count(r.col("member_count")?),
            pair: match (
                r.col::<Option<String>>("user_lo")?,
                r.col::<Option<String>>("user_hi")?,
            ) {
                (Some(a), Some(b)) => Some((UserId::from_stored(a), UserId::from_stored(b))),
                _ => None,
            },
            closed: r.col("closed")?,
        })
    })
    .transpose()
    .map_err(map)
}

async fn member<D: Dialect>(
    store: &SqlStore<D>,
    conversation: &ConversationId,
    user: &UserId,
) -> Result<Option<MemberRecord>, Fail> {
    let row = Query::<D>::new(
        "SELECT role, read_seq, muted_until FROM conversation_members
         WHERE conversation_id = ? AND user_id = ?",
    )
    .bind(conversation.as_str())
    .bind(user.as_str())
    .fetch_optional(&store.reader)
    .await
    .map_err(map)?;
    row.map(|r| {
        Ok(MemberRecord {
            role: Role::from_stored(&r.col::<String>("role")?),
            read_seq: seq(r.col("read_seq")?),
            muted_until: r
                .col::<Option<i64>>("muted_until")?
                .map(Timestamp::from_millis),
        })
    })
    .transpose()
    .map_err(map)
}

async fn member_ids<D: Dialect>(
    store: &SqlStore<D>,
    conversation: &ConversationId,
    after: Option<&UserId>,
    limit: u32,
) -> Result<Vec<UserId>, Fail> {
    let rows = Query::<D>::new(
        "SELECT user_id FROM conversation_members
         WHERE conversation_id = ? AND user_id > ? ORDER BY user_id LIMIT ?",
    )
    .bind(conversation.as_str())
    .bind(after.map_or("", UserId::as_str))
    .bind(i64::from(limit))
    .fetch_all(&store.reader)
    .await
    .map_err(map)?;
    rows.iter()
        .map(|r| r.col("user_id").map(UserId::from_stored))
        .collect::<Result<_, _>>()
        .map_err(map)
}

async fn conversations_of<D: Dialect>(
    store: &SqlStore<D>,
    user: &UserId,
) -> Result<Vec<ConversationView>, Fail> {
    let sql = format!("{VIEW_SELECT} ORDER BY c.updated_at DESC, c.id DESC");
    let rows = Query::<D>::new(&sql)
        .bind(user.as_str())
        .fetch_all(&store.reader)
        .await
        .map_err(map)?;
    rows.iter()
        .map(view_from_row)
        .collect::<Result<_, _>>()
        .map_err(map)
}

async fn conversation_view<D: Dialect>(
    store: &SqlStore<D>,
    user: &UserId,
    conversation: &ConversationId,
) -> Result<Option<ConversationView>, Fail> {
    let sql = format!("{VIEW_SELECT} AND c.id = ?");
    let row = Query::<D>::new(&sql)
        .bind(user.as_str())
        .bind(conversation.as_str())
        .fetch_optional(&store.reader)
        .await
        .map_err(map)?;
    row.as_ref().map(view_from_row).transpose().map_err(map)
}

async fn update_cursor<D: Dialect>(
    store: &SqlStore<D>,
    user: &UserId,
    conversation: &ConversationId,
    update: UpdateConversation,
) -> Result<bool, Fail> {
    let mut tx = store.writer.begin().await.map_err(map_begin)?;
    // The member row is locked so two updates cannot both
    // read the old cursor; the conversation row is only read
    // (a commit holding it never waits for this one).
    let sql = format!(
        "SELECT read_seq FROM conversation_members
         WHERE conversation_id = ? AND user_id = ? {}",
        D::FOR_UPDATE
    );
    let row = Query::<D>::new(&sql)
        .bind(conversation.as_str())
        .bind(user.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(map)?;
    let Some(row) = row else {
        return Ok(false);
    };
    let current = seq(row.col("read_seq").map_err(map)?);
    let read = match update.read_seq {
        None => current,
        Some(r) => {
            let last = Query::<D>::new("SELECT last_seq FROM conversations WHERE id = ?")
                .bind(conversation.as_str())
                .fetch_one(&mut *tx)
                .await
                .map_err(map)?;
            let last_seq = seq(last.col("last_seq").map_err(map)?);
            advance_read(current, r, last_seq)
        }
    };
    Query::<D>::new(
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
    hide::<D>(&mut tx, user, conversation, &update.hide)
        .await
        .map_err(map)?;
    tx.commit().await.map_err(map)?;
    Ok(true)
}

/// Hides `seqs` from `user`'s history of the conversation (again: kept
/// once), in one statement.
async fn hide<D: Dialect>(
    tx: &mut sqlx::Transaction<'static, D::Db>,
    user: &UserId,
    conversation: &ConversationId,
    seqs: &[Seq],
) -> Result<(), sqlx::Error> {
    if seqs.is_empty() {
        return Ok(());
    }
    let now = ferrochat_ports::clock::now().millis();
    let mut q = Query::<D>::new(
        "INSERT INTO hidden_messages (user_id, conversation_id, seq, created_at) VALUES ",
    );
    q.push_list(seqs, ", ", |q, s| {
        q.push("(?, ?, ?, ?)")
            .arg(user.as_str())
            .arg(conversation.as_str())
            .arg(db_seq(*s))
            .arg(now);
    });
    q.push(" ");
    q.push(D::KEEP_EXISTING);
    q.execute(&mut **tx).await?;
    Ok(())
}

async fn history<D: Dialect>(
    store: &SqlStore<D>,
    conversation: &ConversationId,
    q: HistoryQuery,
) -> Result<(Vec<Message>, bool), Fail> {
    let Some(record) = self::conversation(store, conversation).await? else {
        return Ok((Vec::new(), false));
    };
    let fetch = i64::from(q.limit) + 1;
    let after = q.after.map_or(0, db_seq);
    let before = q.before.map_or(i64::MAX, db_seq);
    // With `after`, read forward from it; otherwise read
    // backward from `before` (or the newest) and flip the
    // page to ascending order.
    let forward = q.after.is_some();
    let pinned = if q.pinned {
        " AND seq IN (SELECT p.seq FROM pins p WHERE p.conversation_id = messages.conversation_id)"
    } else {
        ""
    };
    // What the viewer hid ("delete for me") is left out: probes of a
    // primary key, in the same statement.
    let hidden = if q.viewer.is_some() {
        " AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.user_id = ?
           AND h.conversation_id = messages.conversation_id AND h.seq = messages.seq)"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS}, reacted FROM messages
         WHERE conversation_id = ? AND seq > ? AND seq < ?{pinned}{hidden}
         ORDER BY seq {} LIMIT ?",
        if forward { "ASC" } else { "DESC" }
    );
    let mut query = Query::<D>::new(&sql)
        .bind(conversation.as_str())
        .bind(after)
        .bind(before);
    if let Some(viewer) = &q.viewer {
        query = query.bind(viewer.as_str());
    }
    let rows = query
        .bind(fetch)
        .fetch_all(&store.reader)
        .await
        .map_err(map)?;
    let limit = usize::try_from(q.limit).unwrap_or(usize::MAX);
    let has_more = rows.len() > limit;
    let mut reacted = false;
    for r in rows.iter().take(limit) {
        reacted |= r.col::<bool>("reacted").map_err(map)?;
    }
    let mut messages = rows
        .iter()
        .take(limit)
        .map(|r| message_from_row(r, "", conversation, record.kind))
        .collect::<Result<Vec<_>, _>>()
        .map_err(map)?;
    if !forward {
        messages.reverse();
    }
    if reacted {
        attach_reactions(store, conversation, &mut messages, q.viewer.as_ref()).await?;
    }
    Ok((messages, has_more))
}

/// Puts each message's reactions on it, as `viewer` sees them: one
/// grouped read over the page's seqs, emoji in the order they were first
/// put on the message.
async fn attach_reactions<D: Dialect>(
    store: &SqlStore<D>,
    conversation: &ConversationId,
    messages: &mut [Message],
    viewer: Option<&UserId>,
) -> Result<(), Fail> {
    let (Some(first), Some(last)) = (messages.first(), messages.last()) else {
        return Ok(());
    };
    let rows = Query::<D>::new(
        "SELECT seq, emoji, COUNT(*) AS n, COUNT(CASE WHEN user_id = ? THEN 1 END) AS mine,
                MIN(created_at) AS first_at
         FROM reactions WHERE conversation_id = ? AND seq >= ? AND seq <= ?
         GROUP BY seq, emoji ORDER BY seq, first_at, emoji",
    )
    .bind(viewer.map_or("", UserId::as_str))
    .bind(conversation.as_str())
    .bind(db_seq(first.seq))
    .bind(db_seq(last.seq))
    .fetch_all(&store.reader)
    .await
    .map_err(map)?;
    let mut at = 0;
    for r in &rows {
        let s = seq(r.col("seq").map_err(map)?);
        // Both ascend by seq: walk the page alongside.
        while messages.get(at).is_some_and(|m| m.seq < s) {
            at += 1;
        }
        let Some(m) = messages.get_mut(at).filter(|m| m.seq == s) else {
            continue;
        };
        m.reactions.push(ReactionCount {
            emoji: Emoji::from_stored(r.col("emoji").map_err(map)?),
            count: count(r.col("n").map_err(map)?),
            mine: r.col::<i64>("mine").map_err(map)? > 0,
        });
    }
    Ok(())
}

#[async_trait]
impl<D: Dialect> MessageStore for SqlStore<D> {
    // A second run finds what the first stored: a message
    // under its own id is answered `Stored` again, as the
    // first run answered (one under another id is a client's
    // resend: `Duplicate`).
    async fn commit_messages(&self, batch: &[NewMessage]) -> Result<Vec<Committed>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            crate::commit::commit_messages(self, batch)
        })
        .await
    }

    // Get or create by the pair: a second run finds the first
    // one's conversation.
    async fn open_single(
        &self,
        a: &UserId,
        b: &UserId,
        now: Timestamp,
    ) -> Result<ConversationId, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            open_single(self, a, b, now)
        })
        .await
    }

    async fn conversation(
        &self,
        id: &ConversationId,
    ) -> Result<Option<ConversationRecord>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || conversation(self, id)).await
    }

    async fn member(
        &self,
        conversation: &ConversationId,
        user: &UserId,
    ) -> Result<Option<MemberRecord>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            member(self, conversation, user)
        })
        .await
    }

    async fn member_ids(
        &self,
        conversation: &ConversationId,
        after: Option<&UserId>,
        limit: u32,
    ) -> Result<Vec<UserId>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            member_ids(self, conversation, after, limit)
        })
        .await
    }

    async fn conversations_of(&self, user: &UserId) -> Result<Vec<ConversationView>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            conversations_of(self, user)
        })
        .await
    }

    async fn conversation_view(
        &self,
        user: &UserId,
        conversation: &ConversationId,
    ) -> Result<Option<ConversationView>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            conversation_view(self, user, conversation)
        })
        .await
    }

    // The cursor only moves forward and the flags are set: a
    // second run changes nothing and answers the same.
    async fn update_cursor(
        &self,
        user: &UserId,
        conversation: &ConversationId,
        update: UpdateConversation,
    ) -> Result<bool, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            update_cursor(self, user, conversation, update.clone())
        })
        .await
    }

    async fn history(
        &self,
        conversation: &ConversationId,
        q: HistoryQuery,
    ) -> Result<(Vec<Message>, bool), StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            history(self, conversation, q.clone())
        })
        .await
    }

    async fn search_messages(
        &self,
        viewer: &UserId,
        search: &SearchMessages,
    ) -> Result<SearchPage, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            crate::search::search(self, viewer, search)
        })
        .await
    }
}

impl<D: Dialect> SqlStore<D> {
    /// Rebuilds the message search index from the stored messages
    /// (`ferrochat reindex`); returns how many messages it indexed.
    pub async fn reindex_search(&self) -> Result<u64, StoreError> {
        crate::search::reindex(self).await.map_err(|f| f.error)
    }
}

/// Creates the single conversation of `lo` < `hi` with both as
/// members; `Conflict` if the pair already has one.
async fn insert_single<D: Dialect>(
    store: &SqlStore<D>,
    id: &ConversationId,
    lo: &UserId,
    hi: &UserId,
    now: Timestamp,
) -> Result<(), Fail> {
    let mut tx = store.writer.begin().await.map_err(map_begin)?;
    Query::<D>::new(
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
        Query::<D>::new(
            "INSERT INTO conversation_members (conversation_id, user_id, joined_at) VALUES (?, ?, ?)",
        )
        .bind(id.as_str())
        .bind(u.as_str())
        .bind(now.millis())
        .execute(&mut *tx)
        .await
        .map_err(map)?;
    }
    tx.commit().await.map_err(map)
}
