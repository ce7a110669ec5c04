//! `SqlStore<D>`: the store port over one dialect's pools, and its
//! lifecycle (`ping`, `close`). What each method runs is in the area
//! modules (`accounts.rs`, `messages.rs`, `commit.rs`, `groups.rs`,
//! `social.rs`), written once for every dialect.
//!
//! There, each method of the port is a free function that makes one
//! attempt and fails with `Fail` (the error and how it failed); the trait
//! impl at the end of each module runs it through `retry::run` with its
//! `Rerun`: reads are `Safe`, and each write says why it is `Safe` or
//! `IfUndone`. Reads outside a transaction go to `reader`, everything else
//! to `writer`.

use async_trait::async_trait;
use ferrochat_ports::store::Durability;
use ferrochat_ports::{Store, StoreError};
use ferrochat_retry::{Rerun, Retrier};
use sqlx::Pool;

use crate::dialect::Dialect;
use crate::error::map;
use crate::query::Query;
use crate::retry::run;
use crate::search_file::SearchFile;

pub struct SqlStore<D: Dialect> {
    /// Where writes (and every transaction) run. On SQLite a pool of one
    /// connection: SQLite has one writer, and queueing in our pool beats
    /// busy retries.
    pub(crate) writer: Pool<D::Db>,
    /// Where reads outside a transaction run. On SQLite a read-only pool
    /// that WAL lets run beside the writer; on the servers the writer's
    /// pool itself.
    pub(crate) reader: Pool<D::Db>,
    /// Runs each call again while the server is unreachable or busy
    /// (`retry.rs`); none on SQLite, a file that is not "unreachable".
    pub(crate) retry: Option<Retrier>,
    pub(crate) durability: Durability,
    /// How the server is told to stop a search that runs too long.
    pub(crate) search_limit: SearchLimit,
    /// SQLite: the search index's own file and its indexer
    /// (`search_file.rs`); the servers index inside the commit.
    pub(crate) search_file: Option<std::sync::Arc<SearchFile>>,
}

/// How a message search is held to `SqlOptions::search_timeout`: each
/// server has its own words for a statement's time limit, and SQLite has
/// none (its index is read newest first and stops at the page).
#[derive(Debug, Clone, Copy)]
pub(crate) enum SearchLimit {
    None,
    /// `SET STATEMENT max_statement_time = s FOR SELECT ...`; `scan`:
    /// the time the newest rows are read first (`SqlOptions::search_scan`).
    MariaDb {
        limit: std::time::Duration,
        scan: std::time::Duration,
    },
    /// `SELECT /*+ MAX_EXECUTION_TIME(ms) */ ...`; `scan` as MariaDB's.
    MySql {
        limit: std::time::Duration,
        scan: std::time::Duration,
    },
    /// `SET LOCAL statement_timeout` in the search's own transaction.
    Postgres(std::time::Duration),
}

impl SearchLimit {
    /// The longest a search may run, if the server is told one.
    pub(crate) fn limit(self) -> Option<std::time::Duration> {
        match self {
            Self::None => None,
            Self::MariaDb { limit, .. } | Self::MySql { limit, .. } | Self::Postgres(limit) => {
                Some(limit)
            }
        }
    }
}

impl<D: Dialect> SqlStore<D> {
    /// The database's settings that can lose acknowledged writes, as read
    /// at open.
    pub fn durability(&self) -> &Durability {
        &self.durability
    }
}

#[async_trait]
impl<D: Dialect> Store for SqlStore<D> {
    async fn ping(&self) -> Result<(), StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || async {
            Query::<D>::new("SELECT 1")
                .execute(&self.reader)
                .await
                .map(|_| ())
                .map_err(map)
        })
        .await
    }

    async fn close(&self) {
        // The index file first: its indexer reads the messages' file.
        if let Some(file) = &self.search_file {
            file.close().await;
        }
        self.writer.close().await;
        self.reader.close().await;
    }
}
