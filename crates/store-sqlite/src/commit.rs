//! Group commit: one transaction per batch, and a few statements per
//! batch whatever its size.
//!
//! Each statement is a round trip to sqlx's SQLite worker thread (a
//! channel send and a thread wake-up each way), which cost more than the
//! SQL itself when a batch ran two to three statements per message. Now a
//! batch runs, per chunk of `CHUNK` messages: one SELECT for the originals
//! of resends, one SELECT for the conversations' last seqs, one INSERT for
//! the new rows, one UPDATE for the conversations and one for the senders'
//! read cursors. Durability is unchanged: the transaction commits (and,
//! with `synchronous = full`, fsyncs) before anything is returned.

use std::collections::HashMap;

use ferrochat_domain::{ConversationId, Message, Seq, Timestamp};
use ferrochat_ports::store::{Committed, NewMessage};
use ferrochat_ports::StoreError;
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool, Transaction};

use crate::error::map;
use crate::messages::{db_seq, kind, message_from_row, seq, MESSAGE_COLUMNS};

/// Rows per statement: at 8 binds per inserted row, 2,048 variables,
/// far below SQLite's limit of 32,766.
const CHUNK: usize = 256;

/// (sender, client_msg_id): a send's dedup key.
type Key = (String, String);

pub(crate) async fn commit_messages(
    writer: &SqlitePool,
    batch: &[NewMessage],
) -> Result<Vec<Committed>, StoreError> {
    let mut tx = writer.begin().await.map_err(map)?;
    // Each original, and whether it was committed before this transaction
    // (rather than earlier in this batch).
    let mut originals: HashMap<Key, (Message, bool)> = find_originals(&mut tx, batch)
        .await
        .map_err(map)?
        .into_iter()
        .map(|(key, m)| (key, (m, true)))
        .collect();
    let mut last = last_seqs(&mut tx, batch).await.map_err(map)?;
    // When each conversation got its last message of this batch; none for
    // conversations that only saw resends (nothing to update).
    let mut touched: HashMap<&str, Timestamp> = HashMap::new();
    let mut cursors: HashMap<(&str, &str), Seq> = HashMap::new();
    let mut out = Vec::with_capacity(batch.len());
    // Where in `out` the messages this transaction inserts are.
    let mut fresh = Vec::with_capacity(batch.len());
    for m in batch {
        let key = (
            m.from.as_str().to_owned(),
            m.client_msg_id.as_str().to_owned(),
        );
        // Stored before, or earlier in this batch.
        if let Some((original, before)) = originals.get_mut(&key) {
            // Under this message's own id: an earlier run of this very
            // commit stored it (its answer was lost, and the caller ran it
            // again), so it gets that run's answer again. Under another id
            // it is a client's resend.
            if *before && original.id == m.id {
                *before = false;
                out.push(Committed::Stored(original.clone()));
            } else {
                out.push(Committed::Duplicate(original.clone()));
            }
            continue;
        }
        let conv = m.conversation_id.as_str();
        let current = last
            .get(conv)
            .copied()
            .ok_or_else(|| StoreError::Conflict(format!("no conversation {conv}")))?;
        let next = current
            .next()
            .ok_or_else(|| StoreError::Conflict(format!("conversation {conv} is full")))?;
        last.insert(conv, next);
        touched.insert(conv, m.created_at);
        cursors.insert((m.from.as_str(), conv), next);
        let message = Message {
            id: m.id.clone(),
            conversation_id: m.conversation_id.clone(),
            conversation_kind: m.conversation_kind,
            seq: next,
            from: m.from.clone(),
            message_type: m.message_type.clone(),
            content: m.content.clone(),
            client_msg_id: m.client_msg_id.clone(),
            created_at: m.created_at,
        };
        originals.insert(key, (message.clone(), false));
        fresh.push(out.len());
        out.push(Committed::Stored(message));
    }
    let new: Vec<&Message> = fresh
        .iter()
        .filter_map(|&i| match out.get(i) {
            Some(Committed::Stored(m)) => Some(m),
            _ => None,
        })
        .collect();
    insert_messages(&mut tx, &new).await.map_err(map)?;
    let convs: Vec<(&str, Seq, Timestamp)> = touched
        .iter()
        .filter_map(|(conv, at)| last.get(conv).map(|s| (*conv, *s, *at)))
        .collect();
    update_conversations(&mut tx, &convs).await.map_err(map)?;
    // Sending moves the sender's own read cursor (invariant 5).
    let cursors: Vec<((&str, &str), Seq)> = cursors.into_iter().collect();
    update_cursors(&mut tx, &cursors).await.map_err(map)?;
    tx.commit().await.map_err(map)?;
    Ok(out)
}

/// The stored originals of the batch's dedup keys. The keys drive the
/// join (CROSS JOIN keeps them the outer loop), so each is one probe of
/// the unique index `messages_dedup`.
async fn find_originals(
    tx: &mut Transaction<'_, Sqlite>,
    batch: &[NewMessage],
) -> Result<HashMap<Key, Message>, sqlx::Error> {
    let cols = MESSAGE_COLUMNS
        .split(", ")
        .map(|c| format!("m.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut found = HashMap::new();
    for chunk in batch.chunks(CHUNK) {
        let mut q =
            QueryBuilder::<Sqlite>::new(format!("SELECT m.conversation_id, c.kind, {cols} FROM ("));
        q.push_values(chunk, |mut row, m| {
            row.push_bind(m.from.as_str())
                .push_bind(m.client_msg_id.as_str());
        });
        q.push(
            ") AS k CROSS JOIN messages m
               ON m.from_user_id = k.column1 AND m.client_msg_id = k.column2
             JOIN conversations c ON c.id = m.conversation_id",
        );
        for r in q.build().fetch_all(&mut **tx).await? {
            let conv = ConversationId::from_stored(r.try_get("conversation_id")?);
            let k = kind(r.try_get::<&str, _>("kind")?)?;
            let m = message_from_row(&r, "", &conv, k)?;
            found.insert(
                (
                    m.from.as_str().to_owned(),
                    m.client_msg_id.as_str().to_owned(),
                ),
                m,
            );
        }
    }
    Ok(found)
}

/// The last seq of every conversation the batch writes to, keyed by the
/// batch's own ids (no allocation per message).
async fn last_seqs<'a>(
    tx: &mut Transaction<'_, Sqlite>,
    batch: &'a [NewMessage],
) -> Result<HashMap<&'a str, Seq>, sqlx::Error> {
    let mut ids: Vec<&'a str> = batch.iter().map(|m| m.conversation_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut last = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let mut q =
            QueryBuilder::<Sqlite>::new("SELECT id, last_seq FROM conversations WHERE id IN (");
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(")");
        for r in q.build().fetch_all(&mut **tx).await? {
            let id: &str = r.try_get("id")?;
            // `ids` is sorted, so each chunk is.
            if let Some(ours) = chunk.binary_search(&id).ok().and_then(|i| chunk.get(i)) {
                last.insert(*ours, seq(r.try_get("last_seq")?));
            }
        }
    }
    Ok(last)
}

async fn insert_messages(
    tx: &mut Transaction<'_, Sqlite>,
    messages: &[&Message],
) -> Result<(), sqlx::Error> {
    for chunk in messages.chunks(CHUNK) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO messages (conversation_id, seq, id, from_user_id, client_msg_id, message_type, content, created_at) ",
        );
        q.push_values(chunk, |mut row, m| {
            row.push_bind(m.conversation_id.as_str())
                .push_bind(db_seq(m.seq))
                .push_bind(m.id.as_str())
                .push_bind(m.from.as_str())
                .push_bind(m.client_msg_id.as_str())
                .push_bind(m.message_type.as_str())
                .push_bind(m.content.as_str())
                .push_bind(m.created_at.millis());
        });
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Each conversation's new last seq, and `updated_at` moved to its last
/// message of the batch (never backwards).
async fn update_conversations(
    tx: &mut Transaction<'_, Sqlite>,
    convs: &[(&str, Seq, Timestamp)],
) -> Result<(), sqlx::Error> {
    for chunk in convs.chunks(CHUNK) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "UPDATE conversations SET last_seq = v.column2, updated_at = MAX(updated_at, v.column3) FROM (",
        );
        q.push_values(chunk, |mut row, (id, s, at)| {
            row.push_bind(*id)
                .push_bind(db_seq(*s))
                .push_bind(at.millis());
        });
        q.push(") AS v WHERE conversations.id = v.column1");
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Each sender's read cursor moved up to their last message (never back).
async fn update_cursors(
    tx: &mut Transaction<'_, Sqlite>,
    cursors: &[((&str, &str), Seq)],
) -> Result<(), sqlx::Error> {
    for chunk in cursors.chunks(CHUNK) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "UPDATE conversation_members SET read_seq = MAX(read_seq, v.column3) FROM (",
        );
        q.push_values(chunk, |mut row, ((user, conv), s)| {
            row.push_bind(*conv).push_bind(*user).push_bind(db_seq(*s));
        });
        q.push(
            ") AS v WHERE conversation_members.conversation_id = v.column1
               AND conversation_members.user_id = v.column2",
        );
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}
