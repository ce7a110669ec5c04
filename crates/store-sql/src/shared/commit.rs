//! Group commit (`MessageStore::commit_messages`) in a fixed number of
//! statements per batch, whatever its size.
//!
//! Each statement is a round trip to the server, and a batch used to run
//! about three per conversation (a `SELECT ... FOR UPDATE`, an `UPDATE
//! conversations`, an `UPDATE conversation_members` per sender). Now, per
//! chunk of `CHUNK` rows: one statement locks the batch's conversations
//! and reads their last seqs and kinds, one finds the originals of resends
//! (through the dedup index, on `messages` alone), one
//! inserts the new messages, one moves the conversations' `last_seq` and
//! `updated_at`, one the senders' read cursors. With BEGIN and COMMIT,
//! seven round trips for a batch of up to 500.
//!
//! The conversations' UPDATE picks each row's values with a `CASE` over
//! the batch's ids, one statement both dialects run as written, touching
//! rows by their primary key (`WHERE id IN (...)`). The cursors' UPDATE is
//! joined with its rows instead (`update_cursors` says why), written per
//! dialect (`Dialect`).

/// Expands, inside a dialect's `message_store` module (whose
/// `message_from_row`, `MESSAGE_COLUMNS`, `Store`, `Db` it uses), to the
/// one-attempt `commit_messages` and its statements.
macro_rules! commit_fns {
    () => {
        /// Rows per multi-row statement: at most 8 binds each, far below
        /// both servers' limit of 65,535 placeholders.
        const CHUNK: usize = 500;

        /// (sender, client_msg_id): a send's dedup key.
        type Key = (String, String);

        /// Conversations' kinds, by id.
        type Kinds = HashMap<String, ConversationKind>;

        async fn commit_messages(
            store: &Store,
            batch: &[NewMessage],
        ) -> Result<Vec<Committed>, Fail> {
            let mut tx = store.pool.begin().await.map_err(map_begin)?;
            // Seqs handed out so far, per conversation, read under the
            // lock: a concurrent writer to the same conversation waits until
            // this transaction ends, then reads what it committed.
            let (mut last, mut kinds) = lock_conversations(&mut tx, batch).await?;
            // Each original, and whether it was committed before this
            // transaction (rather than earlier in this batch). Looked up
            // under the conversation locks, and READ COMMITTED sees what
            // the previous holder committed.
            let mut originals: HashMap<Key, (Message, bool)> =
                find_originals(&mut tx, batch, &mut kinds)
                    .await
                    .map_err(map)?
                    .into_iter()
                    .map(|(key, m)| (key, (m, true)))
                    .collect();
            // When each conversation got its last message of this batch;
            // none for those that only saw resends (nothing to update).
            let mut touched: HashMap<&str, Timestamp> = HashMap::new();
            let mut cursors: HashMap<(&str, &str), Seq> = HashMap::new();
            let mut out = Vec::with_capacity(batch.len());
            // Where in `out` the messages this transaction inserts are.
            let mut fresh = Vec::with_capacity(batch.len());
            for m in batch {
                let key = (m.from.as_str().to_owned(), m.client_msg_id.as_str().to_owned());
                // Stored before, or earlier in this batch.
                if let Some((original, before)) = originals.get_mut(&key) {
                    // Under this message's own id: an earlier run of this
                    // very commit stored it (its answer was lost), so it
                    // gets that run's answer again. Under another id it is
                    // a client's resend.
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
                let message = m.stored(next);
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
            let mut convs: Vec<(&str, Seq, Timestamp)> = touched
                .iter()
                .filter_map(|(conv, at)| last.get(conv).map(|s| (*conv, *s, *at)))
                .collect();
            convs.sort_unstable_by_key(|(conv, _, _)| *conv);
            update_conversations(&mut tx, &convs).await.map_err(map)?;
            // Sending moves the sender's own read cursor (invariant 5).
            let mut cursors: Vec<((&str, &str), Seq)> = cursors.into_iter().collect();
            cursors.sort_unstable();
            update_cursors(&mut tx, &cursors).await.map_err(map)?;
            tx.commit().await.map_err(map)?;
            Ok(out)
        }

        /// Locks every conversation of the batch and reads its last seq:
        /// one `SELECT ... WHERE id IN (...) ORDER BY id FOR UPDATE` per
        /// chunk of ids, the chunks in ascending order.
        ///
        /// Rows are locked in id order, as the one-statement-per-row loop
        /// this replaces locked them, so two batches never wait on each
        /// other in a cycle: InnoDB locks rows as it reads them, and reads
        /// a primary-key `IN` list (or, on a small table, the whole
        /// clustered index) in key order; PostgreSQL locks the rows of a
        /// `FOR UPDATE` query as the sort above it returns them. The keys
        /// compare as bytes on both (binary and "C" collations), as
        /// Rust's `str` does. A conversation of the batch that is not
        /// there is a conflict, and the transaction is dropped.
        /// Returns each one's last seq, and its kind (by id), which the
        /// originals of resends need.
        async fn lock_conversations<'b>(
            tx: &mut Transaction<'_, Db>,
            batch: &'b [NewMessage],
        ) -> Result<(HashMap<&'b str, Seq>, Kinds), Fail> {
            let mut ids: Vec<&'b str> = batch.iter().map(|m| m.conversation_id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            let mut last = HashMap::with_capacity(ids.len());
            let mut kinds = Kinds::with_capacity(ids.len());
            for chunk in ids.chunks(CHUNK) {
                let mut q = QueryBuilder::<Db>::new(
                    "SELECT id, kind, last_seq FROM conversations WHERE id IN (",
                );
                let mut list = q.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                q.push(") ORDER BY id FOR UPDATE");
                for r in q.build().fetch_all(&mut **tx).await.map_err(map)? {
                    let id: &str = r.col("id").map_err(map)?;
                    let k = kind(r.col::<&str>("kind").map_err(map)?).map_err(map)?;
                    // `ids` is sorted, so each chunk is.
                    if let Some(ours) = chunk.binary_search(&id).ok().and_then(|i| chunk.get(i)) {
                        last.insert(*ours, seq(r.col("last_seq").map_err(map)?));
                        kinds.insert((*ours).to_owned(), k);
                    }
                }
            }
            if let Some(missing) = ids.iter().find(|id| !last.contains_key(**id)) {
                return Err(StoreError::Conflict(format!("no conversation {missing}")).into());
            }
            Ok((last, kinds))
        }

        /// The stored originals of the batch's (from, client_msg_id)
        /// keys, in one query per chunk, on `messages` alone: joined with
        /// `conversations` (for the kind), MariaDB chose to read every
        /// message of each conversation and filter, a cost that grew with
        /// the table (52 ms a batch of 500 at 60,000 messages, against 5
        /// ms through the dedup index). The kinds come from the locked
        /// conversations; an original in another conversation (a client
        /// that reused a `client_msg_id` elsewhere) costs one more query.
        async fn find_originals(
            tx: &mut Transaction<'_, Db>,
            batch: &[NewMessage],
            kinds: &mut Kinds,
        ) -> Result<HashMap<Key, Message>, sqlx::Error> {
            let mut rows = Vec::new();
            for chunk in batch.chunks(CHUNK) {
                let mut q = QueryBuilder::<Db>::new(format!(
                    "SELECT conversation_id, {MESSAGE_COLUMNS} FROM messages
                     WHERE (from_user_id, client_msg_id) IN ("
                ));
                let mut keys = q.separated(", ");
                for m in chunk {
                    keys.push("(");
                    keys.push_bind_unseparated(m.from.as_str());
                    keys.push_unseparated(", ");
                    keys.push_bind_unseparated(m.client_msg_id.as_str());
                    keys.push_unseparated(")");
                }
                q.push(")");
                rows.extend(q.build().fetch_all(&mut **tx).await?);
            }
            let mut elsewhere: Vec<String> = Vec::new();
            for r in &rows {
                let conv: String = r.col("conversation_id")?;
                if !kinds.contains_key(&conv) && !elsewhere.contains(&conv) {
                    elsewhere.push(conv);
                }
            }
            for chunk in elsewhere.chunks(CHUNK) {
                let mut q = QueryBuilder::<Db>::new("SELECT id, kind FROM conversations WHERE id IN (");
                let mut list = q.separated(", ");
                for id in chunk {
                    list.push_bind(id.as_str());
                }
                q.push(")");
                for r in q.build().fetch_all(&mut **tx).await? {
                    kinds.insert(r.col("id")?, kind(r.col::<&str>("kind")?)?);
                }
            }
            let mut found = HashMap::with_capacity(rows.len());
            for r in &rows {
                let conv = ConversationId::from_stored(r.col("conversation_id")?);
                let k = kinds.get(conv.as_str()).copied().ok_or_else(|| {
                    sqlx::Error::Decode(format!("message of unknown conversation {conv}").into())
                })?;
                let m = message_from_row(r, "", &conv, k)?;
                let key = (m.from.as_str().to_owned(), m.client_msg_id.as_str().to_owned());
                found.insert(key, m);
            }
            Ok(found)
        }

        /// Inserts the new messages of a batch, a chunk per statement.
        async fn insert_messages(
            tx: &mut Transaction<'_, Db>,
            messages: &[&Message],
        ) -> Result<(), sqlx::Error> {
            for chunk in messages.chunks(CHUNK) {
                let mut q = QueryBuilder::<Db>::new(
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

        /// Each conversation's new last seq, and `updated_at` moved to its
        /// last message of the batch (never backwards): one UPDATE per
        /// chunk, its rows already locked.
        async fn update_conversations(
            tx: &mut Transaction<'_, Db>,
            convs: &[(&str, Seq, Timestamp)],
        ) -> Result<(), sqlx::Error> {
            for chunk in convs.chunks(CHUNK) {
                let mut q = QueryBuilder::<Db>::new("UPDATE conversations SET last_seq = CASE id");
                for (id, s, _) in chunk {
                    q.push(" WHEN ").push_bind(*id).push(" THEN ").push_bind(db_seq(*s));
                }
                q.push(" END, updated_at = GREATEST(updated_at, CASE id");
                for (id, _, at) in chunk {
                    q.push(" WHEN ").push_bind(*id).push(" THEN ").push_bind(at.millis());
                }
                q.push(" END) WHERE id IN (");
                let mut list = q.separated(", ");
                for (id, _, _) in chunk {
                    list.push_bind(*id);
                }
                q.push(")");
                q.build().execute(&mut **tx).await?;
            }
            Ok(())
        }

        /// Each sender's read cursor moved up to their last message (never
        /// back): one UPDATE per chunk, joined with the rows it sets, so
        /// each is a primary-key lookup. (MariaDB plans the same UPDATE
        /// with `WHERE (conversation_id, user_id) IN (...)` as a scan of
        /// the whole primary key, as it does with ORs.) MySQL joins a
        /// UNION ALL of the rows, PostgreSQL takes them FROM a VALUES
        /// list. The member rows it locks belong to conversations this
        /// transaction holds, and every other writer of a member row either
        /// takes its conversation's lock first or never waits for one, so
        /// the order the join visits them in cannot make a cycle.
        async fn update_cursors(
            tx: &mut Transaction<'_, Db>,
            cursors: &[((&str, &str), Seq)],
        ) -> Result<(), sqlx::Error> {
            for chunk in cursors.chunks(CHUNK) {
                let mut q = match Store::DIALECT {
                    Dialect::Mysql => {
                        let mut q = QueryBuilder::<Db>::new("UPDATE conversation_members m JOIN (");
                        for (i, ((user, conv), s)) in chunk.iter().enumerate() {
                            let first = i == 0;
                            q.push(if first { "SELECT " } else { " UNION ALL SELECT " });
                            q.push_bind(*conv).push(if first { " AS c, " } else { ", " });
                            q.push_bind(*user).push(if first { " AS u, " } else { ", " });
                            q.push_bind(db_seq(*s)).push(if first { " AS s" } else { "" });
                        }
                        q.push(
                            ") v ON m.conversation_id = v.c AND m.user_id = v.u
                             SET m.read_seq = GREATEST(m.read_seq, v.s)",
                        );
                        q
                    }
                    Dialect::Postgres => {
                        let mut q = QueryBuilder::<Db>::new(
                            "UPDATE conversation_members m SET read_seq = GREATEST(m.read_seq, v.s) FROM (",
                        );
                        q.push_values(chunk, |mut row, ((user, conv), s)| {
                            row.push_bind(*conv).push_bind(*user).push_bind(db_seq(*s));
                        });
                        q.push(") AS v(c, u, s) WHERE m.conversation_id = v.c AND m.user_id = v.u");
                        q
                    }
                };
                q.build().execute(&mut **tx).await?;
            }
            Ok(())
        }
    };
}
pub(crate) use commit_fns;
