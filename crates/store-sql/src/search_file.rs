//! SQLite: the search index in a file of its own, written beside the
//! commit.
//!
//! FTS5's work (tokenizing, its pending terms, the segment each commit
//! writes and the merges of segments) ran inside the one writer's
//! transactions, which every send waits on. Here an indexer writes it
//! into a second file, `<database>.search`, with a connection of its own,
//! so the two files are written at once.
//!
//! What the indexer follows lives in the messages' file, in each commit's
//! transaction: `messages.search_id`, handed out in commit order to each
//! message a user wrote and to each edit and recall (`search::ids`), and
//! the last one handed out (`search_ids.last`, migration 0019). The
//! indexer keeps its place, the last id it applied, in the index file, in
//! the same transaction as the rows: so after any stop (a crash between
//! the two commits included) it is behind, never ahead, and catches up by
//! reading the messages past its place (`catch_up`: a full read of
//! `messages`, which has no key on `search_id`, paid at a start that finds
//! it behind rather than by every commit). An edit or a recall makes its
//! target's row again from what the target is now, so applying one twice,
//! or after a catch-up that read the target's newest text, gives the same
//! row.
//!
//! A commit hands its batch to the indexer once committed (`committed`);
//! a search first waits until the indexer has applied everything
//! committed before it began (`caught_up`), so what was acknowledged is
//! found, as when the index was written inside the commit.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ferrochat_domain::search::index_words;
use ferrochat_domain::{ConversationId, ConversationKind, Message, Reference};
use ferrochat_ports::StoreError;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot, watch, Mutex, MutexGuard, Notify};

use crate::background_thread::{
    lower_threads_named, spawn_lowered, INDEXER_NICE, INDEXER_THREAD, INDEX_DB_THREAD,
};
use crate::error::store_error;
use crate::messages::{message_columns, message_from_row};
use crate::query::{db_seq, Query};
use crate::sqlite::Sqlite;

/// Committed batches waiting for the indexer: when it falls this far
/// behind, commits wait for it.
const QUEUE: usize = 64;

/// The most ops a catch-up keeps of what the commits hand over meanwhile;
/// past it they are dropped, and read again from the messages' file by
/// the next catch-up, which is shorter.
const HELD_OPS: usize = 65_536;

/// The most index rows one transaction of the indexer writes.
const ROWS_PER_TRANSACTION: usize = 8192;

/// The longest the indexer holds what was committed before it writes it,
/// gathering more for the same transaction (each transaction writes a
/// segment that merges rewrite later, and wakes its threads): cut short
/// by a search that waits for it (`caught_up`) and by a full
/// transaction.
const LINGER: Duration = Duration::from_millis(100);

/// The longest a search waits for the indexer to apply what was committed
/// before it began (at a start that rebuilds a large index it answers
/// from what is indexed so far, after this).
const CATCH_UP_WAIT: Duration = Duration::from_secs(5);

/// How long the indexer waits before it tries again after a failure.
const RETRY_AFTER: Duration = Duration::from_millis(500);

/// What the index file's rows hold: its `user_version`. 1: terms as
/// `index_words` has them (0: encoded, as `index_terms` has them). A
/// file of another version is emptied and built again from the messages
/// at the open.
const VERSION: i64 = 1;

/// The index file's rows: as the FTS5 table of migration 0009 had them,
/// the terms as the text has them (half the bytes of their encoding, for
/// the tokenizer, the pending terms and the segments).
const SCHEMA: &[&str] = &[
    "CREATE VIRTUAL TABLE IF NOT EXISTS message_search USING fts5(
        terms, conversation_id UNINDEXED, seq UNINDEXED,
        tokenize = 'ascii', detail = 'none', columnsize = 0
    )",
    "CREATE TABLE IF NOT EXISTS indexed (through INTEGER NOT NULL)",
    "INSERT INTO indexed (through) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM indexed)",
];

/// Empties a file of another version: the open then creates its tables
/// anew and the indexer reads every message again (`catch_up`).
const START_OVER: &[&str] = &[
    "DROP TABLE IF EXISTS message_search",
    "DROP TABLE IF EXISTS indexed",
];

/// What a committed message asks of the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Op {
    /// A message a user wrote, indexed with its content as committed.
    Index {
        id: i64,
        conversation_id: String,
        seq: i64,
        content: String,
    },
    /// An edit or a recall (`id` its own): its target's row made again
    /// from what the target is now.
    Refresh {
        id: i64,
        conversation_id: String,
        seq: i64,
    },
}

impl Op {
    fn id(&self) -> i64 {
        match self {
            Self::Index { id, .. } | Self::Refresh { id, .. } => *id,
        }
    }

    /// What `m`, stored with `id`, asks of the index (none: not indexed
    /// and changes nothing indexed).
    pub(crate) fn of(m: &Message, id: i64) -> Option<Self> {
        let conversation_id = m.conversation_id.as_str().to_owned();
        match m.reference {
            Some(Reference::Edit(target)) | Some(Reference::Recall(target)) => {
                Some(Self::Refresh {
                    id,
                    conversation_id,
                    seq: db_seq(target),
                })
            }
            _ if crate::search::indexed(m) => Some(Self::Index {
                id,
                conversation_id,
                seq: db_seq(m.seq),
                content: m.content.as_str().to_owned(),
            }),
            _ => None,
        }
    }
}

/// A committed batch's ops: the ids after `after` up to `through`.
#[derive(Debug)]
pub(crate) struct Indexing {
    pub(crate) after: i64,
    pub(crate) through: i64,
    pub(crate) ops: Vec<Op>,
}

enum Command {
    Apply(Indexing),
    /// Empties the index and indexes every message again; answers how
    /// many it indexed.
    Rebuild(oneshot::Sender<Result<u64, StoreError>>),
}

/// The index file and its indexer.
pub(crate) struct SearchFile {
    commands: mpsc::Sender<Command>,
    /// The index file's writer (the indexer's), closed with the store.
    writer: SqlitePool,
    /// Held by a commit from before its transaction to its hand-over, so
    /// batches reach the indexer in the order their ids were handed out.
    order: Mutex<()>,
    /// The last id of a committed batch handed to the indexer.
    committed: AtomicI64,
    /// The last id the indexer applied.
    indexed: watch::Receiver<i64>,
    /// Asks the indexer to write what it holds now (a search waits).
    flush: Arc<Notify>,
    /// True once the indexer's catch-up at the start was tried.
    started: watch::Receiver<bool>,
}

impl std::fmt::Debug for SearchFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchFile")
            .field("committed", &self.committed.load(Ordering::Relaxed))
            .field("indexed", &*self.indexed.borrow())
            .finish()
    }
}

/// The index file of the database at `db`.
pub(crate) fn path_for(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".search");
    PathBuf::from(name)
}

/// `ATTACH`es the index file, as `search`, to a connection of the
/// messages' file (the readers' queries join both).
pub(crate) fn attach_sql(path: &Path) -> String {
    let quoted = path.to_string_lossy().replace('\'', "''");
    format!("ATTACH DATABASE '{quoted}' AS search")
}

impl SearchFile {
    /// Opens (creating) the index file at `path` with `options` (the
    /// messages' file's, another file): its writer. The readers of the
    /// messages' file attach it (`attach_sql`), so it must be there first.
    pub(crate) async fn create(
        path: &Path,
        options: SqliteConnectOptions,
    ) -> Result<SqlitePool, StoreError> {
        // Its thread below the commit path's priority, the thread of any
        // connection the pool makes again included.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .after_connect(|_, _| {
                Box::pin(async {
                    lower_threads_named(INDEX_DB_THREAD, INDEXER_NICE);
                    Ok(())
                })
            })
            .connect_with(
                options
                    .filename(path)
                    .create_if_missing(true)
                    .thread_name(|_| INDEX_DB_THREAD.to_owned()),
            )
            .await
            .map_err(store_error)?;
        if let Err(e) = schema(&writer).await {
            writer.close().await;
            return Err(store_error(e));
        }
        Ok(writer)
    }

    /// Starts the indexer of the index file `writer` (from `create`),
    /// which reads the messages through `main`. It runs on a thread of
    /// its own, below the commit path's priority (`background_thread.rs`),
    /// until the store is closed or dropped.
    pub(crate) async fn start(
        writer: SqlitePool,
        main: SqlitePool,
    ) -> Result<Arc<Self>, StoreError> {
        let through: i64 = sqlx::query_scalar("SELECT through FROM indexed")
            .fetch_one(&writer)
            .await
            .map_err(store_error)?;
        let committed: i64 = sqlx::query_scalar("SELECT last FROM search_ids")
            .fetch_one(&main)
            .await
            .map_err(store_error)?;
        let (commands, queue) = mpsc::channel(QUEUE);
        let (progress, indexed) = watch::channel(through);
        let flush = Arc::new(Notify::new());
        let (start_tried, started) = watch::channel(false);
        let mut indexer = Indexer {
            flush: flush.clone(),
            start_tried,
            writer: writer.clone(),
            main,
            through,
            pending: BTreeMap::new(),
            progress,
        };
        if through > committed {
            // Ahead of its messages: the messages' file is older than the
            // index (restored from a backup), whose rows may name seqs
            // that now hold other messages. Built again from nothing (by
            // the catch-up), before any search reads it.
            tracing::warn!(
                indexed = through,
                committed,
                "search index: the index file is ahead of its messages; rebuilding it"
            );
            indexer.empty().await.map_err(store_error)?;
        }
        // Below the commit path's priority, on a thread of its own.
        spawn_lowered(INDEXER_THREAD, INDEXER_NICE, indexer.run(queue))
            .map_err(|e| StoreError::Other(Box::new(e)))?;
        Ok(Arc::new(Self {
            commands,
            writer,
            order: Mutex::new(()),
            committed: AtomicI64::new(committed),
            indexed,
            flush,
            started,
        }))
    }

    /// Taken by a commit before its transaction begins and held until it
    /// has handed its batch over (`committed`): the writer's one
    /// connection already orders the transactions, this orders their
    /// hand-overs the same way.
    pub(crate) async fn in_order(&self) -> MutexGuard<'_, ()> {
        self.order.lock().await
    }

    /// Hands a committed batch to the indexer; waits while it is
    /// `QUEUE` batches behind. A batch the indexer cannot take (it has
    /// stopped) is indexed by the next start's catch-up.
    pub(crate) async fn committed(&self, batch: Indexing) {
        self.committed.fetch_max(batch.through, Ordering::AcqRel);
        if self.commands.send(Command::Apply(batch)).await.is_err() {
            tracing::error!("the search indexer has stopped: a restart indexes what it missed");
        }
    }

    /// Waits until the indexer has applied every batch committed before
    /// this call (at most `CATCH_UP_WAIT`).
    pub(crate) async fn caught_up(&self) {
        let target = self.committed.load(Ordering::Acquire);
        if *self.indexed.borrow() >= target {
            return;
        }
        // Kept for the next wait if the indexer holds nothing now.
        self.flush.notify_one();
        let mut indexed = self.indexed.clone();
        let wait = indexed.wait_for(|through| *through >= target);
        if tokio::time::timeout(CATCH_UP_WAIT, wait).await.is_err() {
            tracing::warn!(
                committed = target,
                indexed = *self.indexed.borrow(),
                "search answered before the indexer caught up"
            );
        }
    }

    /// Lets the indexer apply what was committed (so the next start has
    /// nothing to read again), then closes the index file.
    pub(crate) async fn close(&self) {
        self.caught_up().await;
        self.writer.close().await;
    }

    /// Waits until the indexer's catch-up at the start was tried (`ferrochat
    /// reindex` hands the messages their ids anew only after it: the
    /// catch-up would otherwise find the new ids mid-rebuild and index
    /// them: work the rebuild throws away, and a catch-up in the tool's
    /// output that the index did not need).
    pub(crate) async fn started(&self) {
        let mut started = self.started.clone();
        // An indexer gone is tried as much as it ever will be.
        let _ = started.wait_for(|tried| *tried).await;
    }

    /// Empties the index and indexes every message again (`ferrochat
    /// reindex`, once the messages' ids are handed out anew): how many
    /// messages it indexed.
    pub(crate) async fn rebuild(&self) -> Result<u64, StoreError> {
        let (answer, answered) = oneshot::channel();
        self.commands
            .send(Command::Rebuild(answer))
            .await
            .map_err(|_| StoreError::Unavailable("the search indexer has stopped".into()))?;
        answered
            .await
            .map_err(|_| StoreError::Unavailable("the search indexer has stopped".into()))?
    }
}

/// The indexer: applies committed batches in id order, a transaction of
/// the index file per run of them, its place written in the same
/// transaction.
struct Indexer {
    writer: SqlitePool,
    main: SqlitePool,
    /// The last id applied (and written).
    through: i64,
    /// Batches that arrived before the one after `through`, by `after`.
    pending: BTreeMap<i64, Indexing>,
    progress: watch::Sender<i64>,
    /// `SearchFile::flush`.
    flush: Arc<Notify>,
    /// `SearchFile::started`'s sender.
    start_tried: watch::Sender<bool>,
}

impl Indexer {
    async fn run(mut self, mut queue: mpsc::Receiver<Command>) {
        // Behind after a stop, or a new file: read what was missed.
        let mut behind = true;
        loop {
            // Closed with the store (`close`): nothing more to write.
            if self.writer.is_closed() {
                return;
            }
            if behind {
                behind = self.catch_up_taking(&mut queue).await;
                self.start_tried.send_replace(true);
                continue;
            }
            let Some(first) = queue.recv().await else {
                return;
            };
            let commands = self.gather(first, &mut queue).await;
            for command in commands {
                match command {
                    Command::Apply(batch) => self.take(batch),
                    // Batches before it are read again by the rebuild.
                    Command::Rebuild(answer) => behind |= !self.answer_rebuild(answer).await,
                }
            }
            if let Err(e) = self.apply_ready().await {
                tracing::error!(error = %e, "search index: writing failed; catching up");
                tokio::time::sleep(RETRY_AFTER).await;
                behind = true;
            }
            // A batch missing between `through` and those waiting (a
            // commit that did not hand its batch over): the messages'
            // file has it.
            behind |= !self.pending.is_empty();
        }
    }

    /// `first` and what follows it within `LINGER`, for one transaction:
    /// less when a transaction's rows are there, a search waits, a
    /// rebuild is asked for, or `QUEUE` batches are held (so what it
    /// holds stays bounded; commits wait on the queue beyond that).
    async fn gather(&self, first: Command, queue: &mut mpsc::Receiver<Command>) -> Vec<Command> {
        let rows = |c: &Command| match c {
            Command::Apply(batch) => batch.ops.len(),
            Command::Rebuild(_) => ROWS_PER_TRANSACTION,
        };
        let mut held = rows(&first);
        let mut commands = vec![first];
        let deadline = tokio::time::sleep(LINGER);
        tokio::pin!(deadline);
        while held < ROWS_PER_TRANSACTION && commands.len() < QUEUE {
            tokio::select! {
                more = queue.recv() => match more {
                    Some(more) => {
                        held += rows(&more);
                        commands.push(more);
                    }
                    None => break,
                },
                () = &mut deadline => break,
                () = self.flush.notified() => break,
            }
        }
        commands
    }

    /// Catches up, taking what the commits hand over meanwhile (so they
    /// never wait on a long catch-up), then applies it; whether it is
    /// still behind (a failure, or more handed over than it could hold:
    /// the next catch-up reads that from the messages' file).
    async fn catch_up_taking(&mut self, queue: &mut mpsc::Receiver<Command>) -> bool {
        let mut held = Held::default();
        let mut behind = false;
        if let Err(e) = while_taking(self.catch_up(true), queue, &mut held).await {
            tracing::error!(error = %e, "search index: catching up failed");
            while_taking(tokio::time::sleep(RETRY_AFTER), queue, &mut held).await;
            behind = true;
        }
        for batch in held.batches {
            self.take(batch);
        }
        if !behind {
            if let Err(e) = self.apply_ready().await {
                tracing::error!(error = %e, "search index: writing failed");
                behind = true;
            }
        }
        for answer in held.rebuilds {
            behind |= !self.answer_rebuild(answer).await;
        }
        behind || held.overflowed || !self.pending.is_empty()
    }

    /// Keeps a batch until the ones before it are applied; drops what a
    /// catch-up already applied.
    fn take(&mut self, batch: Indexing) {
        if batch.through > self.through {
            self.pending.insert(batch.after, batch);
        }
    }

    /// Applies the batches that follow `through` without a gap, in
    /// transactions of up to `ROWS_PER_TRANSACTION` ops, leaving out ops
    /// a catch-up already applied.
    async fn apply_ready(&mut self) -> Result<(), sqlx::Error> {
        loop {
            let mut ops = Vec::new();
            let mut through = self.through;
            while ops.len() < ROWS_PER_TRANSACTION {
                match self.pending.first_key_value() {
                    Some((&after, _)) if after <= through => {}
                    _ => break,
                }
                let Some((_, batch)) = self.pending.pop_first() else {
                    break;
                };
                let floor = through;
                ops.extend(batch.ops.into_iter().filter(|op| op.id() > floor));
                through = through.max(batch.through);
            }
            if through == self.through {
                return Ok(());
            }
            self.write(&ops, through).await?;
        }
    }

    /// One transaction of the index file: its place moved to `through`,
    /// then `ops` in order (a run of new rows as one statement, FTS5's
    /// pending terms written as one segment at COMMIT).
    async fn write(&mut self, ops: &[Op], through: i64) -> Result<(), sqlx::Error> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("UPDATE OR FAIL indexed SET through = ?")
            .bind(through)
            .execute(&mut *tx)
            .await?;
        // Runs of new rows in one statement each, an edit's or a recall's
        // refresh between them.
        let mut rows: Vec<(i64, &str, i64, String)> = Vec::new();
        for op in ops {
            match op {
                Op::Index {
                    id,
                    conversation_id,
                    seq,
                    content,
                } => rows.push((*id, conversation_id.as_str(), *seq, index_words(content))),
                Op::Refresh {
                    conversation_id,
                    seq,
                    ..
                } => {
                    insert_rows(&mut tx, &rows).await?;
                    rows.clear();
                    self.refresh(&mut tx, conversation_id, *seq).await?;
                }
            }
        }
        insert_rows(&mut tx, &rows).await?;
        tx.commit().await?;
        self.advance(through);
        Ok(())
    }

    /// The target's row made again from what it is now: gone if it was
    /// recalled.
    async fn refresh(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
        conversation_id: &str,
        seq: i64,
    ) -> Result<(), sqlx::Error> {
        let row = Query::<Sqlite>::new(&format!(
            "SELECT m.search_id AS row_id, {} FROM messages m
             WHERE m.conversation_id = ? AND m.seq = ?",
            message_columns("m")
        ))
        .bind(conversation_id)
        .bind(seq)
        .fetch_optional(&self.main)
        .await?;
        let Some(row) = row else {
            return Ok(());
        };
        let Some(id) = row.col::<Option<i64>>("row_id")? else {
            return Ok(());
        };
        sqlx::query("DELETE FROM message_search WHERE rowid = ?")
            .bind(id)
            .execute(&mut **tx)
            .await?;
        let conv = ConversationId::from_stored(conversation_id.to_owned());
        let message = message_from_row(&row, "", &conv, ConversationKind::Single)?;
        if crate::search::indexed(&message) {
            let terms = index_words(message.content.as_str());
            insert_rows(tx, &[(id, conversation_id, seq, terms)]).await?;
        }
        Ok(())
    }

    /// Reads the messages past `through` from the messages' file, in id
    /// order, and applies them as they are now; then takes up what waits.
    /// `announce`: logs what it reads (at a start; a rebuild's caller
    /// says what it did).
    async fn catch_up(&mut self, announce: bool) -> Result<(), sqlx::Error> {
        // One read transaction: `last` and the rows from one snapshot.
        let mut read = self.main.begin().await?;
        let last: i64 = sqlx::query_scalar("SELECT last FROM search_ids")
            .fetch_one(&mut *read)
            .await?;
        if last <= self.through {
            read.commit().await?;
            return self.apply_ready().await;
        }
        let rows = Query::<Sqlite>::new(&format!(
            "SELECT m.search_id AS row_id, m.conversation_id AS row_conversation_id, {}
             FROM messages m WHERE m.search_id > ? AND m.search_id <= ?",
            message_columns("m")
        ))
        .bind(self.through)
        .bind(last)
        .fetch_all(&mut *read)
        .await?;
        read.commit().await?;
        let mut found: Vec<(i64, Message)> = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.col("row_id")?;
            let conv = ConversationId::from_stored(row.col("row_conversation_id")?);
            found.push((
                id,
                message_from_row(row, "", &conv, ConversationKind::Single)?,
            ));
        }
        found.sort_unstable_by_key(|(id, _)| *id);
        // As they are now: a message edited since is indexed by its new
        // text, a recalled one not at all (`Op::of` judges by what it
        // reads).
        let ops: Vec<Op> = found.iter().filter_map(|(id, m)| Op::of(m, *id)).collect();
        if announce {
            tracing::info!(
                from = self.through,
                to = last,
                messages = ops.len(),
                "search index: catching up"
            );
        }
        for chunk in ops.chunks(ROWS_PER_TRANSACTION) {
            let through = chunk.last().map_or(last, Op::id);
            self.write(chunk, through).await?;
        }
        if self.through < last {
            // Ids handed out to messages that were not kept (none are
            // removed today): nothing to index up to `last`.
            self.write(&[], last).await?;
        }
        self.apply_ready().await
    }

    /// Rebuilds and answers `answer` with the outcome; whether it
    /// succeeded.
    async fn answer_rebuild(&mut self, answer: oneshot::Sender<Result<u64, StoreError>>) -> bool {
        let done = self.rebuild().await;
        let ok = done.is_ok();
        let _ = answer.send(done);
        ok
    }

    /// Empties the index, then reads every message again.
    async fn rebuild(&mut self) -> Result<u64, StoreError> {
        self.empty().await.map_err(store_error)?;
        self.catch_up(false).await.map_err(store_error)?;
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM message_search")
            .fetch_one(&self.writer)
            .await
            .map(|n| u64::try_from(n).unwrap_or(0))
            .map_err(store_error)
    }

    /// No rows, its place before the first id.
    async fn empty(&mut self) -> Result<(), sqlx::Error> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM message_search")
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE indexed SET through = 0")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.pending.clear();
        self.advance(0);
        Ok(())
    }

    fn advance(&mut self, through: i64) {
        self.through = through;
        self.progress.send_replace(through);
    }
}

/// Makes the index file's tables, in one transaction: emptied first if
/// the file is of another `VERSION`.
async fn schema(writer: &SqlitePool) -> Result<(), sqlx::Error> {
    let mut tx = writer.begin().await?;
    let version: i64 = sqlx::query_scalar("PRAGMA user_version")
        .fetch_one(&mut *tx)
        .await?;
    if version != VERSION {
        let made: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'message_search')",
        )
        .fetch_one(&mut *tx)
        .await?;
        if made {
            tracing::warn!(
                found = version,
                wanted = VERSION,
                "search index: the index file is of another version; rebuilding it"
            );
        }
        for sql in START_OVER {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        sqlx::query(&format!("PRAGMA user_version = {VERSION}"))
            .execute(&mut *tx)
            .await?;
    }
    for sql in SCHEMA {
        sqlx::query(sql).execute(&mut *tx).await?;
    }
    tx.commit().await
}

/// What the commits handed over during a catch-up.
#[derive(Default)]
struct Held {
    batches: Vec<Indexing>,
    ops: usize,
    /// Batches dropped past `HELD_OPS`.
    overflowed: bool,
    rebuilds: Vec<oneshot::Sender<Result<u64, StoreError>>>,
}

/// Runs `work` while taking what arrives on `queue` into `held`: at most
/// `HELD_OPS` ops of batches, the rest dropped.
async fn while_taking<F: std::future::Future>(
    work: F,
    queue: &mut mpsc::Receiver<Command>,
    held: &mut Held,
) -> F::Output {
    tokio::pin!(work);
    let mut open = true;
    loop {
        tokio::select! {
            out = &mut work => return out,
            command = queue.recv(), if open => match command {
                Some(Command::Apply(batch)) => {
                    if held.overflowed || held.ops + batch.ops.len() > HELD_OPS {
                        held.overflowed = true;
                    } else {
                        held.ops += batch.ops.len();
                        held.batches.push(batch);
                    }
                }
                Some(Command::Rebuild(answer)) => held.rebuilds.push(answer),
                None => open = false,
            },
        }
    }
}

/// Inserts index rows (id, conversation, seq, terms): one statement per
/// `ROWS_MAX`, its VALUES list padded to a power of two with rows
/// of NULLs its `WHERE` leaves out, so its few shapes stay prepared.
/// Never a row already there: a row's id is past `through` until the
/// transaction that writes it (a plain INSERT: with `OR REPLACE` FTS5
/// looks for a row to delete first, a tenth of the indexer's time).
async fn insert_rows(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    rows: &[(i64, &str, i64, String)],
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(ROWS_MAX) {
        let width = chunk.len().next_power_of_two().max(ROWS_MIN);
        let mut q = Query::<Sqlite>::new(
            "INSERT INTO message_search (rowid, conversation_id, seq, terms)
             SELECT column1, column2, column3, column4 FROM (VALUES ",
        );
        q.push_list(0..width, ", ", |q, i| {
            q.push("(?, ?, ?, ?)");
            match chunk.get(i) {
                Some((id, conv, seq, terms)) => {
                    q.arg(*id).arg(*conv).arg(*seq).arg(terms.as_str());
                }
                None => {
                    q.arg(None::<i64>)
                        .arg(None::<&str>)
                        .arg(None::<i64>)
                        .arg(None::<&str>);
                }
            }
        });
        q.push(") WHERE column1 IS NOT NULL");
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// The most rows of one insert: at 4 variables a row, half of SQLite's
/// limit of 32,766.
const ROWS_MAX: usize = 4096;

/// The fewest rows of the insert's padded list.
const ROWS_MIN: usize = 8;
