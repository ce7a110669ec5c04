//! Group commit (`MessageStore::commit_messages`) in a fixed number of
//! statements per batch, whatever its size.
//!
//! Each statement is a round trip (to the server, or to sqlx's SQLite
//! worker thread: a channel send and a thread wake-up each way), and a
//! batch used to run about three per conversation. Now, per chunk of
//! `Dialect::CHUNK` rows (500 on the servers, 256 on SQLite): one
//! statement locks the batch's conversations and reads their last seqs and
//! kinds, one finds the originals of resends (through the dedup index, on
//! `messages` alone), one inserts the new messages, one moves the
//! conversations' `last_seq` and `updated_at`, one the senders' read
//! cursors. With BEGIN and COMMIT, seven statements for a batch; on
//! MariaDB and MySQL two requests (`chain.rs`: BEGIN with the lock and
//! the lookup of originals, then every write with COMMIT). Durability is
//! the database's: the transaction commits (on SQLite with `synchronous =
//! full`, fsyncs) before anything is returned.
//!
//! The statements that must differ per dialect (`Dialect::KIND`): the
//! lookup of originals (SQLite drives it from a VALUES list), and the two
//! UPDATEs (`update_conversations`, `update_cursors` say why).
//!
//! On SQLite the multi-row writes say `OR FAIL`: a statement that may stop
//! halfway with SQLite's default `ABORT` keeps a statement journal, a copy
//! of each page it changes, to undo its own rows; with `FAIL` it keeps
//! none. Nothing is lost by that: a failed statement fails the commit and
//! the whole transaction is rolled back. The servers write the search
//! index in the commit's transaction; SQLite hands each message its search
//! id there and the batch to the index file's indexer once committed
//! (`search_file.rs`).

use std::collections::HashMap;

use ferrochat_domain::{ConversationId, ConversationKind, Message, Seq, Timestamp};
use ferrochat_ports::store::{Committed, NewMessage};
use ferrochat_ports::StoreError;

use crate::chain::Chain;
use crate::changes::{self, Targets};
use crate::dialect::{Dialect, Kind};
use crate::error::{map, map_begin, Fail};
use crate::mentions;
use crate::messages::{message_columns, message_from_row, MESSAGE_COLUMNS};
use crate::query::{db_seq, kind, seq, Query, Rec};
use crate::search;
use crate::SqlStore;

/// (sender, client_msg_id): a send's dedup key.
type Key = (String, String);

/// Conversations' kinds, by id.
type Kinds = HashMap<String, ConversationKind>;

pub(crate) async fn commit_messages<D: Dialect>(
    store: &SqlStore<D>,
    batch: &[NewMessage],
) -> Result<Vec<Committed>, Fail> {
    // SQLite: batches reach the search indexer in commit order.
    let _in_order = match &store.search_file {
        Some(file) => Some(file.in_order().await),
        None => None,
    };
    let mut tx = Chain::<D>::begin(&store.writer).await.map_err(map_begin)?;
    // Seqs handed out so far, per conversation, read under the lock: a
    // concurrent writer to the same conversation waits until this
    // transaction ends, then reads what it committed. Each original, and
    // whether it was committed before this transaction (rather than
    // earlier in this batch), looked up under the conversation locks
    // (READ COMMITTED sees what the previous holder committed): both in
    // one request where the dialect joins statements.
    let mut ids: Vec<&str> = batch.iter().map(|m| m.conversation_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let locks = lock_queries::<D>(&ids);
    let locked = locks.len();
    let mut reads = locks;
    reads.extend(originals_queries::<D>(batch));
    let mut answers = tx.fetch_each(reads).await.map_err(map)?;
    let found = answers.split_off(locked.min(answers.len()));
    let (mut last, mut kinds) = locked_conversations::<D>(&ids, answers)?;
    let mut originals: HashMap<Key, (Message, bool)> =
        found_originals::<D>(&mut tx, found, &mut kinds)
            .await
            .map_err(map)?
            .into_iter()
            .map(|(key, m)| (key, (m, true)))
            .collect();
    // What the batch's edits and recalls change, as it is now.
    let mut targets = Targets::read::<D>(&mut tx, batch).await.map_err(map)?;
    // When each conversation got its last message of this batch; none for
    // those that only saw resends (nothing to update).
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
            // commit stored it (its answer was lost), so it gets that
            // run's answer again. Under another id it is a client's resend.
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
        if let Err(refusal) = targets.judge(m, current) {
            out.push(Committed::Refused(refusal));
            continue;
        }
        let next = current
            .next()
            .ok_or_else(|| StoreError::Conflict(format!("conversation {conv} is full")))?;
        last.insert(conv, next);
        touched.insert(conv, m.created_at);
        cursors.insert((m.from.as_str(), conv), next);
        let message = m.stored(next);
        targets.stored(&message);
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
    let search_ids = search::ids::<D>(&mut tx, &new).await.map_err(map)?;
    insert_messages::<D>(&mut tx, &new, &search_ids)
        .await
        .map_err(map)?;
    let counts = changes::apply::<D>(&mut tx, &new).await.map_err(map)?;
    mentions::note::<D>(&mut tx, &new).await.map_err(map)?;
    let mut convs: Vec<(&str, Seq, Timestamp)> = touched
        .iter()
        .filter_map(|(conv, at)| last.get(conv).map(|s| (*conv, *s, *at)))
        .collect();
    convs.sort_unstable_by_key(|(conv, _, _)| *conv);
    update_conversations::<D>(&mut tx, &convs)
        .await
        .map_err(map)?;
    // Sending moves the sender's own read cursor (invariant 5).
    let mut cursors: Vec<((&str, &str), Seq)> = cursors.into_iter().collect();
    cursors.sort_unstable();
    update_cursors::<D>(&mut tx, &cursors).await.map_err(map)?;
    search::index::<D>(&mut tx, &new).await.map_err(map)?;
    // SQLite: the index file's share, handed to its indexer once committed.
    let indexing = match store.search_file {
        Some(_) => search::indexing(&new, &search_ids),
        None => None,
    };
    for (i, n) in counts {
        if let Some(Committed::Stored(m)) = fresh.get(i).and_then(|&at| out.get_mut(at)) {
            m.reaction_count = Some(n);
        }
    }
    tx.commit().await.map_err(map)?;
    if let (Some(file), Some(indexing)) = (&store.search_file, indexing) {
        file.committed(indexing).await;
    }
    Ok(out)
}

/// The statements that lock every conversation of the batch (`ids`,
/// sorted, without repeats) and read its last seq and kind: one `SELECT
/// ... WHERE id IN (...) ORDER BY id FOR UPDATE` per chunk of ids, the
/// chunks in ascending order (on SQLite no `FOR UPDATE`: its one writer
/// connection already excludes every other writer).
///
/// Rows are locked in id order, as the one-statement-per-row loop this
/// replaces locked them, so two batches never wait on each other in a
/// cycle: InnoDB locks rows as it reads them, and reads a primary-key `IN`
/// list (or, on a small table, the whole clustered index) in key order;
/// PostgreSQL locks the rows of a `FOR UPDATE` query as the sort above it
/// returns them. The keys compare as bytes on both (binary and "C"
/// collations), as Rust's `str` does.
fn lock_queries<'b, D: Dialect>(ids: &[&'b str]) -> Vec<Query<'b, D>> {
    ids.chunks(D::CHUNK)
        .map(|chunk| {
            let mut q =
                Query::<D>::new("SELECT id, kind, last_seq FROM conversations WHERE id IN (");
            q.push_list(chunk, ", ", |q, id| {
                q.push_bind(*id);
            });
            q.push(") ORDER BY id ").push(D::FOR_UPDATE);
            q
        })
        .collect()
}

/// Each locked conversation's last seq, and its kind (by id), which the
/// originals of resends need, from the rows of `lock_queries` (a list per
/// chunk). A conversation of the batch that is not there is a conflict,
/// and the transaction is dropped.
fn locked_conversations<'b, D: Dialect>(
    ids: &[&'b str],
    answers: Vec<Vec<Rec<D>>>,
) -> Result<(HashMap<&'b str, Seq>, Kinds), Fail> {
    let mut last = HashMap::with_capacity(ids.len());
    let mut kinds = Kinds::with_capacity(ids.len());
    for (chunk, rows) in ids.chunks(D::CHUNK).zip(answers) {
        for r in rows {
            let id: String = r.col("id").map_err(map)?;
            let k = kind(&r.col::<String>("kind").map_err(map)?).map_err(map)?;
            // `ids` is sorted, so each chunk is.
            if let Some(ours) = chunk
                .binary_search(&id.as_str())
                .ok()
                .and_then(|i| chunk.get(i))
            {
                last.insert(*ours, seq(r.col("last_seq").map_err(map)?));
                kinds.insert(id, k);
            }
        }
    }
    if let Some(missing) = ids.iter().find(|id| !last.contains_key(**id)) {
        return Err(StoreError::Conflict(format!("no conversation {missing}")).into());
    }
    Ok((last, kinds))
}

/// The statements that find the stored originals of the batch's (from,
/// client_msg_id) keys, one per chunk, on `messages` alone: joined with
/// `conversations` (for the kind), MariaDB chose to read every message of
/// each conversation and filter, a cost that grew with the table (52 ms a
/// batch of 500 at 60,000 messages, against 5 ms through the dedup
/// index). The kinds come from the locked conversations
/// (`found_originals`).
///
/// On SQLite the keys are a VALUES list that drives the join (CROSS JOIN
/// keeps it the outer loop), so each key is one probe of the unique index
/// `messages_dedup`; the servers take the row-value `IN` list.
fn originals_queries<D: Dialect>(batch: &[NewMessage]) -> Vec<Query<'_, D>> {
    // The keys, as `(?, ?), (?, ?), ...`: a VALUES list on SQLite, a
    // row-value IN list on the servers.
    let (head, tail) = match D::KIND {
        Kind::Sqlite => {
            let cols = message_columns("m");
            (
                format!("SELECT m.conversation_id, {cols} FROM (VALUES "),
                ") AS k CROSS JOIN messages m
                   ON m.from_user_id = k.column1 AND m.client_msg_id = k.column2",
            )
        }
        Kind::Mysql | Kind::Postgres => (
            format!(
                "SELECT conversation_id, {MESSAGE_COLUMNS} FROM messages
                 WHERE (from_user_id, client_msg_id) IN ("
            ),
            ")",
        ),
    };
    batch
        .chunks(D::CHUNK)
        .map(|chunk| {
            let mut q = Query::<D>::new(&head);
            q.push_list(chunk, ", ", |q, m| {
                q.push("(")
                    .push_bind(m.from.as_str())
                    .push(", ")
                    .push_bind(m.client_msg_id.as_str())
                    .push(")");
            });
            q.push(tail);
            q
        })
        .collect()
}

/// The originals found by `originals_queries` (their rows, a list per
/// chunk), by key. An original in a conversation the batch did not lock
/// (a client that reused a `client_msg_id` elsewhere) costs one more
/// query, for its kind.
async fn found_originals<D: Dialect>(
    tx: &mut Chain<D>,
    answers: Vec<Vec<Rec<D>>>,
    kinds: &mut Kinds,
) -> Result<HashMap<Key, Message>, sqlx::Error> {
    let rows: Vec<Rec<D>> = answers.into_iter().flatten().collect();
    let mut elsewhere: Vec<String> = Vec::new();
    for r in &rows {
        let conv: String = r.col("conversation_id")?;
        if !kinds.contains_key(&conv) && !elsewhere.contains(&conv) {
            elsewhere.push(conv);
        }
    }
    for chunk in elsewhere.chunks(D::CHUNK) {
        let mut q = Query::<D>::new("SELECT id, kind FROM conversations WHERE id IN (");
        q.push_list(chunk, ", ", |q, id| {
            q.push_bind(id.as_str());
        });
        q.push(")");
        for r in tx.fetch_all(q).await? {
            kinds.insert(r.col("id")?, kind(&r.col::<String>("kind")?)?);
        }
    }
    let mut found = HashMap::with_capacity(rows.len());
    for r in &rows {
        let conv = ConversationId::from_stored(r.col("conversation_id")?);
        let k = kinds.get(conv.as_str()).copied().ok_or_else(|| {
            sqlx::Error::Decode(format!("message of unknown conversation {conv}").into())
        })?;
        let m = message_from_row(r, "", &conv, k)?;
        let key = (
            m.from.as_str().to_owned(),
            m.client_msg_id.as_str().to_owned(),
        );
        found.insert(key, m);
    }
    Ok(found)
}

/// Inserts the new messages of a batch, a chunk per statement; on SQLite
/// with each one's search index row (`search::ids`, in batch order).
async fn insert_messages<D: Dialect>(
    tx: &mut Chain<D>,
    messages: &[&Message],
    search_ids: &[Option<i64>],
) -> Result<(), sqlx::Error> {
    let sqlite = D::KIND == Kind::Sqlite;
    let rows: Vec<(&&Message, &Option<i64>)> = messages.iter().zip(search_ids).collect();
    for chunk in rows.chunks(D::CHUNK) {
        let marks: Vec<Option<String>> = chunk.iter().map(|(m, _)| m.marks.to_stored()).collect();
        let mut q = Query::<D>::new(if sqlite {
            "INSERT OR FAIL INTO messages (conversation_id, seq, id, from_user_id, client_msg_id, message_type, content, created_at, ref_seq, marks, search_id) VALUES "
        } else {
            "INSERT INTO messages (conversation_id, seq, id, from_user_id, client_msg_id, message_type, content, created_at, ref_seq, marks) VALUES "
        });
        q.push_list(
            chunk.iter().zip(&marks),
            ", ",
            |q, ((m, search_id), marks)| {
                q.push(if sqlite {
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                } else {
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                })
                .arg(m.conversation_id.as_str())
                .arg(db_seq(m.seq))
                .arg(m.id.as_str())
                .arg(m.from.as_str())
                .arg(m.client_msg_id.as_str())
                .arg(m.message_type.as_str())
                .arg(m.content.as_str())
                .arg(m.created_at.millis())
                .arg(m.reference.map(|r| db_seq(r.seq())))
                .arg(marks.as_deref());
                if sqlite {
                    q.arg(**search_id);
                }
            },
        );
        tx.execute(q).await?;
    }
    Ok(())
}

/// Each conversation's new last seq, and `updated_at` moved to its last
/// message of the batch (never backwards): one UPDATE per chunk, its rows
/// already locked. The servers pick each row's values with a `CASE` over
/// the batch's ids, touching rows by their primary key (`WHERE id IN
/// (...)`); SQLite joins a VALUES list (`UPDATE ... FROM`).
async fn update_conversations<D: Dialect>(
    tx: &mut Chain<D>,
    convs: &[(&str, Seq, Timestamp)],
) -> Result<(), sqlx::Error> {
    for chunk in convs.chunks(D::CHUNK) {
        let q = match D::KIND {
            Kind::Sqlite => {
                let mut q = Query::<D>::new(
                    "UPDATE OR FAIL conversations SET last_seq = v.column2, updated_at = MAX(updated_at, v.column3) FROM (VALUES ",
                );
                q.push_list(chunk, ", ", |q, (id, s, at)| {
                    q.push("(?, ?, ?)")
                        .arg(*id)
                        .arg(db_seq(*s))
                        .arg(at.millis());
                });
                q.push(") AS v WHERE conversations.id = v.column1");
                q
            }
            Kind::Mysql | Kind::Postgres => {
                let mut q = Query::<D>::new("UPDATE conversations SET last_seq = CASE id");
                for (id, s, _) in chunk {
                    q.push(" WHEN ? THEN ?").arg(*id).arg(db_seq(*s));
                }
                q.push(" END, updated_at = GREATEST(updated_at, CASE id");
                for (id, _, at) in chunk {
                    q.push(" WHEN ? THEN ?").arg(*id).arg(at.millis());
                }
                q.push(" END) WHERE id IN (");
                q.push_list(chunk, ", ", |q, (id, _, _)| {
                    q.push_bind(*id);
                });
                q.push(")");
                q
            }
        };
        tx.execute(q).await?;
    }
    Ok(())
}

/// Each sender's read cursor moved up to their last message (never back):
/// one UPDATE per chunk, joined with the rows it sets, so each is a
/// primary-key lookup. (MariaDB plans the same UPDATE with `WHERE
/// (conversation_id, user_id) IN (...)` as a scan of the whole primary
/// key, as it does with ORs.) MySQL joins a UNION ALL of the rows,
/// PostgreSQL and SQLite take them FROM a VALUES list. On the servers, the
/// member rows it locks belong to conversations this transaction holds,
/// and every other writer of a member row either takes its conversation's
/// lock first or never waits for one, so the order the join visits them
/// in cannot make a cycle.
async fn update_cursors<D: Dialect>(
    tx: &mut Chain<D>,
    cursors: &[((&str, &str), Seq)],
) -> Result<(), sqlx::Error> {
    for chunk in cursors.chunks(D::CHUNK) {
        let q = match D::KIND {
            Kind::Sqlite => {
                let mut q = Query::<D>::new(
                    "UPDATE OR FAIL conversation_members SET read_seq = MAX(read_seq, v.column3) FROM (VALUES ",
                );
                q.push_list(chunk, ", ", |q, ((user, conv), s)| {
                    q.push("(?, ?, ?)").arg(*conv).arg(*user).arg(db_seq(*s));
                });
                q.push(
                    ") AS v WHERE conversation_members.conversation_id = v.column1
                       AND conversation_members.user_id = v.column2",
                );
                q
            }
            Kind::Mysql => {
                let mut q = Query::<D>::new("UPDATE conversation_members m JOIN (");
                for (i, ((user, conv), s)) in chunk.iter().enumerate() {
                    if i == 0 {
                        q.push("SELECT ? AS c, ? AS u, ? AS s");
                    } else {
                        q.push(" UNION ALL SELECT ?, ?, ?");
                    }
                    q.arg(*conv).arg(*user).arg(db_seq(*s));
                }
                q.push(
                    ") v ON m.conversation_id = v.c AND m.user_id = v.u
                     SET m.read_seq = GREATEST(m.read_seq, v.s)",
                );
                q
            }
            Kind::Postgres => {
                let mut q = Query::<D>::new(
                    "UPDATE conversation_members m SET read_seq = GREATEST(m.read_seq, v.s) FROM (VALUES ",
                );
                q.push_list(chunk, ", ", |q, ((user, conv), s)| {
                    q.push("(?, ?, ?)").arg(*conv).arg(*user).arg(db_seq(*s));
                });
                q.push(") AS v(c, u, s) WHERE m.conversation_id = v.c AND m.user_id = v.u");
                q
            }
        };
        tx.execute(q).await?;
    }
    Ok(())
}
