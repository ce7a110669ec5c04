//! Message search: the index written inside the group commit
//! (`commit.rs`), its queries, and its rebuild (`ferrochat reindex`).
//!
//! `message_search` holds a row per message a user wrote, with its index
//! terms (`ferrochat_domain::search::index_terms`), in each dialect's
//! full-text index: on SQLite an FTS5 table (its rowid noted in
//! `messages.search_id`), on the servers a table with a MariaDB FULLTEXT
//! or a PostgreSQL GIN index. Written in the commit's transaction, the
//! index holds exactly the committed messages: an edit replaces the terms,
//! a recall removes them (SQLite keeps the row, empty: its rowids only
//! grow), a rolled-back batch leaves nothing. A query joins the caller's
//! memberships (so only their conversations are searched) and leaves out
//! what they hid, newest first by the row's id.

use ferrochat_domain::search::{index_terms, SearchCursor, SearchMessages, SearchPage};
use ferrochat_domain::{ConversationId, ConversationKind, Message, Reference};
use ferrochat_ports::StoreError;
use ferrochat_retry::Rerun;

use crate::chain::Chain;
use crate::dialect::{Dialect, Kind};
use crate::error::{map, map_begin, Fail};
use crate::messages::{message_columns, message_from_row};
use crate::query::{db_seq, kind, Query, Rec};
use crate::retry::run;
use crate::search_bloom::{bloom, bloom_of_terms, Bloom};
use crate::search_file::{Indexing, Op};
use crate::store::SearchLimit;
use crate::SqlStore;

/// The placeholder of a `terms` value: the servers' own type needs a
/// conversion on PostgreSQL.
fn terms_value<D: Dialect>() -> &'static str {
    match D::KIND {
        Kind::Postgres => "to_tsvector('simple', ?)",
        Kind::Sqlite | Kind::Mysql => "?",
    }
}

/// The index row of the message at (conversation_id, seq), as a `WHERE`
/// condition on the servers' `message_search` taking those two values.
const THE_ROW: &str = "conversation_id = ? AND seq = ?";

/// Binds the two halves of the term filter of a row holding `terms`
/// (`search_bloom.rs`): MariaDB and MySQL keep one, the others none.
fn filter_args<D: Dialect>(q: &mut Query<'_, D>, terms: &str) {
    if D::KIND == Kind::Mysql {
        let Bloom(low, high) = bloom_of_terms(terms);
        q.arg(low).arg(high);
    }
}

/// Whether `m` goes into the index: what a user wrote, not recalled.
pub(crate) fn indexed(m: &Message) -> bool {
    m.is_changeable() && m.changes.recalled_at.is_none()
}

/// Whether `m` changes what the index holds of another message.
fn changes_indexed(m: &Message) -> bool {
    matches!(
        m.reference,
        Some(Reference::Edit(_)) | Some(Reference::Recall(_))
    )
}

/// The search ids a batch's new messages get, in batch order (`None`:
/// none). SQLite only (the servers index in the commit and number their
/// rows themselves): each message a user wrote and each edit and recall
/// gets the next one, after `search_ids.last`, which moves in the same
/// statement; the insert of `messages` notes each in `search_id`, and the
/// indexer (`search_file.rs`) follows them in that order.
pub(crate) async fn ids<D: Dialect>(
    tx: &mut Chain<D>,
    stored: &[&Message],
) -> Result<Vec<Option<i64>>, sqlx::Error> {
    let wanted = |m: &Message| indexed(m) || changes_indexed(m);
    let count = stored.iter().filter(|m| wanted(m)).count();
    if D::KIND != Kind::Sqlite || count == 0 {
        return Ok(vec![None; stored.len()]);
    }
    let through: i64 =
        Query::<D>::new("UPDATE OR FAIL search_ids SET last = last + ? RETURNING last")
            .bind(i64::try_from(count).unwrap_or(i64::MAX))
            .fetch_one_in(tx)
            .await?
            .col("last")?;
    let mut next = through - i64::try_from(count).unwrap_or(i64::MAX);
    Ok(stored
        .iter()
        .map(|m| {
            wanted(m).then(|| {
                next += 1;
                next
            })
        })
        .collect())
}

/// SQLite: what a committed batch asks of the index file, for its
/// indexer (`search_file.rs`); `None` when it asks nothing.
pub(crate) fn indexing(stored: &[&Message], ids: &[Option<i64>]) -> Option<Indexing> {
    let numbered: Vec<(&Message, i64)> = stored
        .iter()
        .zip(ids)
        .filter_map(|(m, id)| id.map(|id| (*m, id)))
        .collect();
    let (first, last) = (numbered.first()?.1, numbered.last()?.1);
    Some(Indexing {
        after: first - 1,
        through: last,
        ops: numbered
            .iter()
            .filter_map(|(m, id)| Op::of(m, *id))
            .collect(),
    })
}

/// The servers: indexes a committed batch's messages and applies its
/// edits (new terms) and recalls (row gone), in seq order, in the
/// commit's transaction. Batches without text cost nothing more than the
/// insert. (SQLite's index is written beside the commit: `indexing`.)
pub(crate) async fn index<D: Dialect>(
    tx: &mut Chain<D>,
    stored: &[&Message],
) -> Result<(), sqlx::Error> {
    if D::KIND == Kind::Sqlite {
        return Ok(());
    }
    let fresh: Vec<&Message> = stored.iter().copied().filter(|m| indexed(m)).collect();
    insert::<D>(tx, &fresh, false).await?;
    for m in stored {
        let conv = m.conversation_id.as_str();
        match m.reference {
            Some(Reference::Edit(target)) => {
                let terms = index_terms(m.content.as_str());
                // MariaDB and MySQL: the row's filter, made again too.
                let filter = match D::KIND {
                    Kind::Mysql => ", bloom = ?, bloom2 = ?",
                    Kind::Sqlite | Kind::Postgres => "",
                };
                let sql = format!(
                    "UPDATE message_search SET terms = {}{filter} WHERE {THE_ROW}",
                    terms_value::<D>(),
                );
                let mut q = Query::<D>::new(&sql);
                q.arg(terms.as_str());
                filter_args(&mut q, &terms);
                q.arg(conv).arg(db_seq(target));
                q.execute_in(tx).await?;
            }
            Some(Reference::Recall(target)) => {
                Query::<D>::new(&format!("DELETE FROM message_search WHERE {THE_ROW}"))
                    .bind(conv)
                    .bind(db_seq(target))
                    .execute_in(tx)
                    .await?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The servers: inserts index rows, a chunk per statement. A rebuild
/// (`keep_existing`) keeps a row already there, one a commit beside it
/// wrote; a commit inserts rows that cannot exist yet, without the
/// duplicate check (an upsert locks the key's gap on MariaDB).
async fn insert<D: Dialect>(
    tx: &mut Chain<D>,
    messages: &[&Message],
    keep_existing: bool,
) -> Result<(), sqlx::Error> {
    // The servers' statement, and the clause a rebuild adds to keep the
    // rows there (MariaDB's `KEEP_EXISTING` names a column
    // `message_search` lacks).
    let (head, row, keep) = if D::KIND == Kind::Postgres {
        (
            "INSERT INTO message_search (conversation_id, seq, terms) VALUES ",
            "(?, ?, to_tsvector('simple', ?))",
            D::KEEP_EXISTING,
        )
    } else {
        (
            "INSERT INTO message_search (conversation_id, seq, terms, bloom, bloom2) VALUES ",
            "(?, ?, ?, ?, ?)",
            "ON DUPLICATE KEY UPDATE seq = seq",
        )
    };
    for chunk in messages.chunks(D::CHUNK) {
        let terms: Vec<String> = chunk
            .iter()
            .map(|m| index_terms(m.content.as_str()))
            .collect();
        let mut q = Query::<D>::new(head);
        q.push_list(chunk.iter().zip(&terms), ", ", |q, (m, t)| {
            q.push(row)
                .arg(m.conversation_id.as_str())
                .arg(db_seq(m.seq))
                .arg(t.as_str());
            filter_args(q, t);
        });
        if keep_existing {
            q.push(" ").push(keep);
        }
        q.execute_in(tx).await?;
    }
    Ok(())
}

/// The full-text condition on `s.terms` for the query's terms, each a
/// whole term, all required, and its bound value. The servers' terms are
/// `x` and hex digits, so they need no quoting in their syntax; SQLite's
/// are the words (`index_words`), each quoted as a phrase of one term
/// (they hold no `"`), so no word is read as FTS5's syntax.
fn full_text<D: Dialect>(q: &SearchMessages) -> (&'static str, String) {
    let (condition, terms, and) = match D::KIND {
        Kind::Sqlite => (
            "message_search MATCH ?",
            q.words().iter().map(|w| format!("\"{w}\"")).collect(),
            " AND ",
        ),
        Kind::Mysql => (
            "MATCH (s.terms) AGAINST (? IN BOOLEAN MODE)",
            q.terms().iter().map(|t| format!("+{t}")).collect(),
            " ",
        ),
        Kind::Postgres => ("s.terms @@ to_tsquery('simple', ?)", q.terms(), " & "),
    };
    (condition, terms.join(and))
}

/// The most conversations a scan reads, each in a branch of its
/// statement; a caller in more is answered by the full-text index.
const SCAN_CONVERSATIONS: usize = 500;

/// The newest matches first. On MariaDB and MySQL a search first reads
/// each of the caller's conversations' rows newest first, testing each
/// row's terms, for `scan` (about a million rows a second, the page
/// merged from each conversation's newest matches: a word the caller's
/// conversations often use costs a few thousand rows, any word at most
/// the caller's own history): InnoDB's full-text search reads every row
/// of every conversation that holds the words before it returns one, tens
/// of microseconds each, seconds for a common word in a large history. A
/// scan stopped at its time goes to the full-text index (with the whole
/// `search_timeout`), which answers a rare word from its few rows. Both
/// find the same rows in the same order, so either answers the same page.
pub(crate) async fn search<D: Dialect>(
    store: &SqlStore<D>,
    viewer: &ferrochat_domain::UserId,
    q: &SearchMessages,
) -> Result<SearchPage, Fail> {
    let rows = match store.search_limit {
        SearchLimit::MariaDb { scan: time, .. } | SearchLimit::MySql { scan: time, .. }
            if !time.is_zero() =>
        {
            match scan(store, viewer, q, time).await {
                Ok(rows) => rows,
                Err(e) if stopped(&e) => None,
                Err(e) => return Err(map(e)),
            }
        }
        _ => None,
    };
    // SQLite: what was committed before this search is indexed first.
    if let Some(file) = &store.search_file {
        file.caught_up().await;
    }
    let rows = match rows {
        Some(rows) => rows,
        None => full_text_search(store, viewer, q)
            .await
            .map_err(over_time)?,
    };
    let mut page = SearchPage::default();
    for row in rows.iter().take(q.limit as usize) {
        let conv = ConversationId::from_stored(row.col("search_conversation_id").map_err(map)?);
        let k = kind(&row.col::<String>("search_kind").map_err(map)?).map_err(map)?;
        page.messages
            .push(message_from_row(row, "", &conv, k).map_err(map)?);
        page.positions
            .push(SearchCursor::new(row.col("search_id").map_err(map)?));
    }
    if rows.len() > q.limit as usize {
        page.next = page.positions.last().copied();
    }
    Ok(page)
}

/// The words a server is told a statement's time limit in: before the
/// statement (MariaDB) or as a hint after its `SELECT` (MySQL).
fn time_limit(store_limit: SearchLimit, limit: std::time::Duration) -> (String, String) {
    match store_limit {
        SearchLimit::MariaDb { .. } => (
            format!(
                "SET STATEMENT max_statement_time = {:.6} FOR ",
                limit.as_secs_f64()
            ),
            String::new(),
        ),
        SearchLimit::MySql { .. } => (
            String::new(),
            format!("/*+ MAX_EXECUTION_TIME({}) */ ", limit.as_millis().max(1)),
        ),
        SearchLimit::None | SearchLimit::Postgres(_) => (String::new(), String::new()),
    }
}

/// MariaDB and MySQL: one page (and one row more) of `q`'s matches read
/// from each of the caller's conversations newest first (the table's
/// primary key is (conversation_id, id), migration 0019), each
/// conversation's branch stopping at a page, the server stopping the
/// whole after `time`. `None` for a caller in more conversations than a
/// statement should name.
async fn scan<D: Dialect>(
    store: &SqlStore<D>,
    viewer: &ferrochat_domain::UserId,
    q: &SearchMessages,
    time: std::time::Duration,
) -> Result<Option<Vec<Rec<D>>>, sqlx::Error> {
    let mut mine =
        Query::<D>::new("SELECT conversation_id FROM conversation_members WHERE user_id = ?");
    mine.arg(viewer.as_str());
    if let Some(c) = &q.conversation_id {
        mine.push(" AND conversation_id = ").push_bind(c.as_str());
    }
    let conversations: Vec<String> = mine
        .fetch_all(&store.reader)
        .await?
        .iter()
        .map(|r| r.col("conversation_id"))
        .collect::<Result<_, _>>()?;
    if conversations.is_empty() {
        return Ok(Some(Vec::new()));
    }
    if conversations.len() > SCAN_CONVERSATIONS {
        return Ok(None);
    }
    let (prefix, hint) = time_limit(store.search_limit, time);
    // A branch: one conversation's rows by id, newest first, each tested
    // for every term (space-bounded: terms are `x` and hex digits, nothing
    // in them is a pattern), stopping at a page.
    let mut branch = String::from("(SELECT s.id FROM message_search s FORCE INDEX (PRIMARY)");
    if q.from.is_some() {
        branch.push_str(
            " JOIN messages msg ON msg.conversation_id = s.conversation_id AND msg.seq = s.seq",
        );
    }
    // The row's filter first (an integer test, `search_bloom.rs`), then
    // each term.
    branch.push_str(" WHERE s.conversation_id = ? AND (s.bloom & ?) = ? AND (s.bloom2 & ?) = ?");
    // Encoded once, for the statement's text and its binds.
    let terms = q.terms();
    for _ in &terms {
        branch.push_str(" AND CONCAT(' ', s.terms, ' ') LIKE ?");
    }
    if q.before.is_some() {
        branch.push_str(" AND s.id < ?");
    }
    if q.from.is_some() {
        branch.push_str(" AND msg.from_user_id = ?");
    }
    branch.push_str(
        " AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.user_id = ?
           AND h.conversation_id = s.conversation_id AND h.seq = s.seq)
         ORDER BY s.id DESC LIMIT ?)",
    );
    let branches = vec![branch.as_str(); conversations.len()].join(" UNION ALL ");
    let columns = message_columns("msg");
    // The membership again, in the statement: one left since it was read
    // is not searched. Joined in the order written, from the page's hits:
    // left to its statistics MariaDB may start from the membership and
    // read every message of the caller's conversations (30 ms for 20,000
    // against 2 ms).
    let sql = format!(
        "{prefix}SELECT {hint}STRAIGHT_JOIN s.id AS search_id, s.conversation_id AS search_conversation_id,
         c.kind AS search_kind, {columns}
         FROM ({branches}) hit
         JOIN message_search s ON s.id = hit.id
         JOIN conversation_members mem
           ON mem.conversation_id = s.conversation_id AND mem.user_id = ?
         JOIN messages msg ON msg.conversation_id = s.conversation_id AND msg.seq = s.seq
         JOIN conversations c ON c.id = s.conversation_id
         ORDER BY s.id DESC LIMIT ?"
    );
    let page = i64::from(q.limit) + 1;
    let patterns: Vec<String> = terms.iter().map(|t| format!("% {t} %")).collect();
    let Bloom(low, high) = bloom(terms.iter().map(String::as_str));
    let mut query = Query::<D>::new(&sql);
    for conversation in &conversations {
        query = query
            .bind(conversation.as_str())
            .bind(low)
            .bind(low)
            .bind(high)
            .bind(high);
        for p in &patterns {
            query = query.bind(p.as_str());
        }
        if let Some(before) = q.before {
            query = query.bind(before.get());
        }
        if let Some(u) = &q.from {
            query = query.bind(u.as_str());
        }
        query = query.bind(viewer.as_str()).bind(page);
    }
    let rows = query
        .bind(viewer.as_str())
        .bind(page)
        .fetch_all(&store.reader)
        .await?;
    Ok(Some(rows))
}

/// One page (and one row more) of `q`'s matches from the dialect's
/// full-text index, the server stopping it after `search_timeout` (SQLite
/// has no limit: its index is read newest first and stops at the page).
async fn full_text_search<D: Dialect>(
    store: &SqlStore<D>,
    viewer: &ferrochat_domain::UserId,
    q: &SearchMessages,
) -> Result<Vec<Rec<D>>, sqlx::Error> {
    let (condition, value) = full_text::<D>(q);
    let (prefix, hint) = match store.search_limit.limit() {
        Some(limit) => time_limit(store.search_limit, limit),
        None => (String::new(), String::new()),
    };
    let sql = full_text_sql::<D>(q, condition, &prefix, &hint);
    let mut query = Query::<D>::new(&sql)
        .bind(viewer.as_str())
        .bind(value)
        .bind(viewer.as_str());
    if let Some(before) = q.before {
        query = query.bind(before.get());
    }
    if let Some(c) = &q.conversation_id {
        query = query.bind(c.as_str());
    }
    if let Some(u) = &q.from {
        query = query.bind(u.as_str());
    }
    let query = query.bind(i64::from(q.limit) + 1);
    let rows = match store.search_limit {
        // PostgreSQL's limit is a setting: set for this transaction only.
        SearchLimit::Postgres(limit) => {
            let mut tx = store.reader.begin().await?;
            Query::<D>::new(&format!(
                "SET LOCAL statement_timeout = {}",
                limit.as_millis().max(1)
            ))
            .execute(&mut *tx)
            .await?;
            let rows = query.fetch_all(&mut *tx).await?;
            tx.commit().await?;
            rows
        }
        _ => query.fetch_all(&store.reader).await?,
    };
    Ok(rows)
}

/// The full-text statement, its values bound in one order whatever the
/// dialect: the viewer, the query, the viewer, then `before`, the
/// conversation, the sender and the page's size as `q` has them. SQLite
/// drives it from FTS5 in rowid order (newest first), so it stops after
/// the page. The servers read every match and sort; MariaDB and MySQL
/// first cut the page from the matches alone (the index, the caller's
/// memberships, what they hid), then read the page's messages: joined to
/// every match, a common word read as many messages and conversations as
/// it has matches (32,000 in 300,000 messages: 0.21 s, against 0.14 s).
fn full_text_sql<D: Dialect>(
    q: &SearchMessages,
    condition: &str,
    prefix: &str,
    hint: &str,
) -> String {
    let key = match D::KIND {
        Kind::Sqlite => "s.rowid",
        Kind::Mysql | Kind::Postgres => "s.id",
    };
    let columns = message_columns("msg");
    // SQLite's index is a file of its own, attached to every reader
    // (`search_file.rs`).
    let table = match D::KIND {
        Kind::Sqlite => "search.message_search",
        Kind::Mysql | Kind::Postgres => "message_search",
    };
    let page_first = D::KIND == Kind::Mysql;
    // The sender is a column of the message: with the page cut first, the
    // message is read for it before.
    let sender = if page_first { "fm" } else { "msg" };
    let sender_join = if page_first && q.from.is_some() {
        " STRAIGHT_JOIN messages fm ON fm.conversation_id = s.conversation_id AND fm.seq = s.seq"
    } else {
        ""
    };
    let mut filter = format!(
        " WHERE {condition}
         AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.user_id = ?
                         AND h.conversation_id = s.conversation_id AND h.seq = s.seq)"
    );
    if q.before.is_some() {
        filter.push_str(&format!(" AND {key} < ?"));
    }
    if q.conversation_id.is_some() {
        filter.push_str(" AND s.conversation_id = ?");
    }
    if q.from.is_some() {
        filter.push_str(&format!(" AND {sender}.from_user_id = ?"));
    }
    filter.push_str(&format!(" ORDER BY {key} DESC LIMIT ?"));
    if page_first {
        format!(
            "{prefix}SELECT {hint}STRAIGHT_JOIN hit.id AS search_id,
             hit.conversation_id AS search_conversation_id, c.kind AS search_kind, {columns}
             FROM (SELECT STRAIGHT_JOIN s.id, s.conversation_id, s.seq
                   FROM message_search s
                   JOIN conversation_members mem
                     ON mem.conversation_id = s.conversation_id AND mem.user_id = ?{sender_join}
                   {filter}) hit
             JOIN messages msg ON msg.conversation_id = hit.conversation_id AND msg.seq = hit.seq
             JOIN conversations c ON c.id = hit.conversation_id
             ORDER BY hit.id DESC"
        )
    } else {
        format!(
            "{prefix}SELECT {hint}{key} AS search_id, s.conversation_id AS search_conversation_id,
             c.kind AS search_kind, {columns}
             FROM {table} s
             JOIN conversation_members mem
               ON mem.conversation_id = s.conversation_id AND mem.user_id = ?
             JOIN messages msg ON msg.conversation_id = s.conversation_id AND msg.seq = s.seq
             JOIN conversations c ON c.id = s.conversation_id{filter}"
        )
    }
}

/// A search the server stopped at its time limit is `TimedOut`, final:
/// run again, it would cost as much.
fn over_time(e: sqlx::Error) -> Fail {
    if stopped(&e) {
        StoreError::TimedOut(format!("message search: {e}")).into()
    } else {
        map(e)
    }
}

/// Whether the server stopped a statement at its time limit.
fn stopped(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            // PostgreSQL's query_canceled; MariaDB's ER_STATEMENT_TIMEOUT
            // and MySQL's ER_QUERY_TIMEOUT.
            db.code().as_deref() == Some("57014")
                || db
                    .try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
                    .is_some_and(|m| matches!(m.number(), 1969 | 3024))
        }
        _ => false,
    }
}

/// Messages per rebuild transaction.
const REINDEX_CHUNK: usize = 500;

/// Rebuilds the index from `messages`: empties it, then indexes every
/// message a user wrote that was not recalled, oldest first (so the index's
/// order stays newest first), a chunk per transaction. The rows of a chunk
/// are read locked in that transaction, so a recall or an edit committed
/// beside a rebuild is either read by it or applied after it. Returns how
/// many messages it indexed.
///
/// On SQLite the chunks hand the messages their search ids anew, oldest
/// first (once the indexer's catch-up at the start is over), and the index
/// file's indexer then empties the index and reads them all again
/// (`SearchFile::rebuild`).
pub(crate) async fn reindex<D: Dialect>(store: &SqlStore<D>) -> Result<u64, Fail> {
    if let Some(file) = &store.search_file {
        file.started().await;
    }
    let empty = match D::KIND {
        Kind::Sqlite => "UPDATE messages SET search_id = NULL WHERE search_id IS NOT NULL",
        Kind::Mysql | Kind::Postgres => "DELETE FROM message_search",
    };
    Query::<D>::new(empty)
        .execute(&store.writer)
        .await
        .map_err(map)?;
    let mut keys: Vec<(i64, String, i64)> = Query::<D>::new(
        "SELECT created_at, conversation_id, seq FROM messages WHERE recalled_at IS NULL",
    )
    .fetch_all(&store.reader)
    .await
    .map_err(map)?
    .iter()
    .map(|r| {
        Ok((
            r.col("created_at")?,
            r.col("conversation_id")?,
            r.col("seq")?,
        ))
    })
    .collect::<Result<_, sqlx::Error>>()
    .map_err(map)?;
    keys.sort_unstable();
    let mut indexed_count = 0u64;
    for chunk in keys.chunks(REINDEX_CHUNK) {
        // A chunk is a transaction of its own, run again while the server
        // is busy (a deadlock) or away: a row it wrote before is kept.
        indexed_count += run(store.retry.as_ref(), Rerun::Safe, || {
            reindex_chunk::<D>(store, chunk)
        })
        .await
        .map_err(Fail::from)?;
    }
    match &store.search_file {
        Some(file) => file.rebuild().await.map_err(Fail::from),
        None => Ok(indexed_count),
    }
}

/// Indexes one chunk of the rebuild, its `messages` rows read locked
/// (only those: a lock on their conversations could wait on a commit that
/// waits on them), oldest first.
async fn reindex_chunk<D: Dialect>(
    store: &SqlStore<D>,
    chunk: &[(i64, String, i64)],
) -> Result<u64, Fail> {
    let mut tx = Chain::<D>::begin(&store.writer).await.map_err(map_begin)?;
    let mut q = Query::<D>::new(&format!(
        "SELECT m.conversation_id AS search_conversation_id, {}
         FROM messages m WHERE (m.conversation_id, m.seq) IN {}",
        message_columns("m"),
        // SQLite takes a row-value list only as a subquery.
        match D::KIND {
            Kind::Sqlite => "(VALUES ",
            Kind::Mysql | Kind::Postgres => "(",
        }
    ));
    q.push_list(chunk, ", ", |q, (_, conv, seq)| {
        q.push("(")
            .push_bind(conv.as_str())
            .push(", ")
            .push_bind(*seq)
            .push(")");
    });
    q.push(")").push(match D::KIND {
        Kind::Sqlite => "",
        Kind::Mysql => " LOCK IN SHARE MODE",
        Kind::Postgres => " FOR SHARE",
    });
    let mut messages = Vec::with_capacity(chunk.len());
    for row in q.fetch_all_in(&mut tx).await.map_err(map)? {
        let conv = ConversationId::from_stored(row.col("search_conversation_id").map_err(map)?);
        // Indexing reads neither the conversation's kind nor anything
        // that depends on it.
        messages.push(message_from_row(&row, "", &conv, ConversationKind::Single).map_err(map)?);
    }
    // In the chunk's order: oldest first.
    messages.sort_by(|a, b| {
        (a.created_at, a.conversation_id.as_str(), a.seq).cmp(&(
            b.created_at,
            b.conversation_id.as_str(),
            b.seq,
        ))
    });
    let fresh: Vec<&Message> = messages.iter().filter(|m| indexed(m)).collect();
    if D::KIND == Kind::Sqlite {
        let ids = ids::<D>(&mut tx, &fresh).await.map_err(map)?;
        let rows: Vec<(&Message, Option<i64>)> = fresh.iter().copied().zip(ids).collect();
        note_ids::<D>(&mut tx, &rows).await.map_err(map)?;
    } else {
        insert::<D>(&mut tx, &fresh, true).await.map_err(map)?;
    }
    tx.commit().await.map_err(map)?;
    Ok(fresh.len() as u64)
}

/// SQLite: notes each message's index row in `messages.search_id`, one
/// statement per chunk.
async fn note_ids<D: Dialect>(
    tx: &mut Chain<D>,
    rows: &[(&Message, Option<i64>)],
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(D::CHUNK) {
        let mut q = Query::<D>::new("UPDATE messages SET search_id = v.column3 FROM (VALUES ");
        q.push_list(chunk, ", ", |q, (m, id)| {
            q.push("(?, ?, ?)")
                .arg(m.conversation_id.as_str())
                .arg(db_seq(m.seq))
                .arg(*id);
        });
        q.push(") AS v WHERE messages.conversation_id = v.column1 AND messages.seq = v.column2");
        q.execute_in(tx).await?;
    }
    Ok(())
}
