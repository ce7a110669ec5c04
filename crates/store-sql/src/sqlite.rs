//! `SqliteStore`: the embedded store behind `ferrochat serve`.
//!
//! One file in WAL mode. All writes go through a single-connection pool
//! (SQLite has one writer anyway; queueing in our pool beats busy-retries),
//! reads through a separate pool that WAL lets run beside the writer.
//! Durability: `synchronous` is configurable; the default `full` syncs the
//! WAL on every commit, so an acknowledged write survives power loss, and
//! group commit amortises that cost over many messages.
//!
//! Dialect notes: no `FOR UPDATE` (the one writer connection serializes
//! every read-then-write); `MAX` is the scalar larger-of-two; the upsert
//! is `ON CONFLICT DO NOTHING`. Calls are not retried: a file is not
//! "unreachable".

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use ferrochat_ports::store::{Durability, NotDurable};
use ferrochat_ports::StoreError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Executor, SqlitePool};

use crate::dialect::{Dialect, Driver, Kind};
use crate::error::store_error;
use crate::search_file::{self, SearchFile};
use crate::store::SearchLimit;
use crate::SqlStore;

/// The writer connection's page cache, in KiB (negative: SQLite's unit
/// for a size rather than a page count).
const WRITER_CACHE_KIB: &str = "-65536";

/// The most of each file a reader connection maps into memory (SQLite's
/// ceiling, about 2 GiB; set before the index file is attached, it holds
/// for both files): a page read from the map is a memory access, where a
/// read through the connection's page cache is a `pread` and a copy,
/// which were most of a search's time on a million messages
/// (docs/benchmarks.md). The mapped pages are the kernel's page cache,
/// shared by every reader and given back under memory pressure, not
/// memory the process holds (`RssFile`, not `RssAnon`, in
/// `/proc/<pid>/status`). The files are never truncated under the
/// readers: the store neither vacuums nor shrinks them.
const READER_MMAP_BYTES: &str = "2147418112";

/// The WAL's pages between two checkpoints (the writer runs them as it
/// commits): about 16 MB of log at SQLite's 4 KiB pages, which the next
/// checkpoint copies into the database and starts over.
const WAL_CHECKPOINT_PAGES: &str = "4000";

/// SQLite's `synchronous` pragma, as the operator chooses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    /// fsync the WAL on every commit: an acked write survives power loss.
    #[default]
    Full,
    /// fsync only at checkpoints: an acked write survives a process crash
    /// (SIGKILL) but the last commits may be lost on power loss.
    Normal,
}

impl FromStr for Synchronous {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "full" => Ok(Self::Full),
            "normal" => Ok(Self::Normal),
            _ => Err(format!("unknown synchronous mode {s:?} (full or normal)")),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SqliteOptions {
    pub synchronous: Synchronous,
    /// Reader connections (WAL readers do not block the writer).
    pub read_connections: u32,
    /// How long a caller waits for a pooled connection.
    pub acquire_timeout: Duration,
    /// Refuse to open (`NotDurable`) unless every commit is synced
    /// (`synchronous` full); else `normal` is logged as a warning.
    pub require_durable: bool,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self {
            synchronous: Synchronous::Full,
            read_connections: 4,
            acquire_timeout: Duration::from_secs(10),
            require_durable: false,
        }
    }
}

/// The SQLite dialect.
#[derive(Debug)]
pub struct Sqlite;

pub type SqliteStore = SqlStore<Sqlite>;

impl SqlStore<Sqlite> {
    /// Opens (creating if needed) the database at `path` and applies every
    /// pending migration.
    pub async fn open(path: &Path, opts: &SqliteOptions) -> Result<Self, StoreError> {
        let sync = match opts.synchronous {
            Synchronous::Full => SqliteSynchronous::Full,
            Synchronous::Normal => SqliteSynchronous::Normal,
        };
        let base = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(sync)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        // The writer's page cache (SQLite's default is 2 MB): group commit
        // touches pages all over the message and dedup indexes, and a page
        // missing from the cache is a read syscall inside the transaction.
        // Memory only, it changes nothing about durability; the pages are
        // allocated as they are used.
        // Checkpoints every `WAL_CHECKPOINT_PAGES` rather than SQLite's
        // 1,000: each copies a page once however often the commits since the
        // last one wrote it, and the commits rewrite the same pages (the
        // tails of the indexes, the conversations' rows) all the time.
        let writer_opts = base
            .clone()
            .pragma("cache_size", WRITER_CACHE_KIB)
            .pragma("wal_autocheckpoint", WAL_CHECKPOINT_PAGES);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(opts.acquire_timeout)
            .connect_with(writer_opts)
            .await
            .map_err(store_error)?;
        let durability = match durability(&writer, opts.require_durable).await {
            Ok(d) => d,
            Err(e) => {
                writer.close().await;
                return Err(e);
            }
        };
        sqlx::migrate!("./migrations/sqlite")
            .run(&writer)
            .await
            .map_err(|e| StoreError::Other(Box::new(e)))?;
        // The search index's file (`search_file.rs`): there before the
        // readers, which attach it. Not synced at each commit: it holds
        // nothing the messages' file does not, and a power loss that takes
        // its last transactions takes its place with them, so the next
        // start reads those messages again.
        let index_path = search_file::path_for(path);
        let index_writer = SearchFile::create(
            &index_path,
            base.clone()
                .synchronous(SqliteSynchronous::Normal)
                .pragma("wal_autocheckpoint", WAL_CHECKPOINT_PAGES),
        )
        .await?;
        let attach = search_file::attach_sql(&index_path);
        let reader = SqlitePoolOptions::new()
            .max_connections(opts.read_connections.max(1))
            .acquire_timeout(opts.acquire_timeout)
            .after_connect(move |conn, _| {
                let attach = attach.clone();
                Box::pin(async move {
                    conn.execute(attach.as_str()).await?;
                    Ok(())
                })
            })
            .connect_with(base.read_only(true).pragma("mmap_size", READER_MMAP_BYTES))
            .await
            .map_err(store_error)?;
        let search_file = SearchFile::start(index_writer, reader.clone()).await?;
        Ok(Self {
            writer,
            reader,
            retry: None,
            durability,
            search_limit: SearchLimit::None,
            search_file: Some(search_file),
        })
    }
}

/// The writer's `synchronous`, as SQLite reports it (0 off, 1 normal, 2
/// full, 3 extra): in WAL mode, below full a commit is acknowledged before
/// it is synced, and a power loss can take the last ones. Refused when
/// `require` is set, else logged as a warning.
async fn durability(writer: &SqlitePool, require: bool) -> Result<Durability, StoreError> {
    let level: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(writer)
        .await
        .map_err(store_error)?;
    let value = match level {
        0 => "off",
        1 => "normal",
        2 => "full",
        _ => "extra",
    };
    let mut d = Durability::default();
    d.check(level >= 2, "synchronous", value, "full (store.synchronous)");
    if d.is_durable() {
        return Ok(d);
    }
    if require {
        return Err(StoreError::Other(Box::new(NotDurable(d))));
    }
    for r in &d.risks {
        tracing::warn!(
            store = "sqlite",
            setting = %r.setting,
            value = %r.value,
            needed = %r.needed,
            "the database can lose acknowledged messages on power loss (store.require_durable = true refuses to start)"
        );
    }
    Ok(d)
}

impl Driver for Sqlite {
    type Db = sqlx::Sqlite;
    const UNCHECKED_READS: bool = false;

    fn rows_affected(done: &<sqlx::Sqlite as sqlx::Database>::QueryResult) -> u64 {
        done.rows_affected()
    }
}

impl Dialect for Sqlite {
    const KIND: Kind = Kind::Sqlite;
    const NAME: &'static str = "sqlite";
    /// At 8 binds per inserted row, 2,048 variables, far below SQLite's
    /// limit of 32,766.
    const CHUNK: usize = 256;
    const FOR_UPDATE: &'static str = "";
    const KEEP_EXISTING: &'static str = "ON CONFLICT DO NOTHING";
    const GREATEST: &'static str = "MAX";

    fn placeholder(sql: &mut String, _n: usize) {
        sql.push('?');
    }
}
