//! A write transaction that sends its statements in as few requests as
//! its dialect allows.
//!
//! The group commit (`commit.rs`) is a chain of statements, and each
//! request is a round trip that wakes the store's task and a database
//! thread: on a busy box a few milliseconds each, however little the
//! statement does, and a logic instance commits one batch at a time. On
//! MariaDB and MySQL, which take several statements in one text request
//! (sqlx asks for that when it connects), the statements whose answer
//! nothing waits for (the writes) are held back and go with the next read
//! or with COMMIT, their values written in as literals
//! (`Dialect::LITERAL`): a commit is two requests (BEGIN with its reads,
//! then its writes with COMMIT) instead of eight, and no statement of it
//! is prepared. The server runs a request's statements in order and stops
//! at the first that fails, so the chain means what the statements one by
//! one meant. Elsewhere each statement is a request of its own, in sqlx's
//! transaction.
//!
//! Every request is bounded: statements held back are sent once they come
//! to `HELD_MAX` bytes, and a statement whose text would pass `TEXT_MAX`
//! goes alone with its values bound (far below the 16 MiB that MariaDB
//! takes in one request by default).

use std::time::Instant;

use sqlx::pool::PoolConnection;
use sqlx::{Pool, Transaction};

use crate::dialect::{Dialect, Driver};
use crate::query::{note_slow, Query, Rec};

/// Statements held back are sent once they come to this many bytes.
const HELD_MAX: usize = 1 << 20;
/// A statement longer than this as text is sent alone, prepared.
const TEXT_MAX: usize = 4 << 20;

/// A write transaction on one connection of a pool.
pub(crate) struct Chain<D: Dialect> {
    way: Way<D>,
}

enum Way<D: Dialect> {
    /// A request per statement, in sqlx's transaction.
    Each(Transaction<'static, <D as Driver>::Db>),
    /// Statements sent together (`Dialect::LITERAL`).
    Joined(Joined<D>),
}

struct Joined<D: Dialect> {
    conn: PoolConnection<<D as Driver>::Db>,
    /// Statements not sent yet, separated by `;`.
    held: String,
    /// What each of them begins with, as written here (no value): what a
    /// slow request is logged as.
    heads: String,
    /// Whether the transaction may still be open. A chain dropped so (an
    /// error, or its caller gone mid-request) closes its connection rather
    /// than return it to the pool: the server rolls back what it began.
    open: bool,
}

impl<D: Dialect> Drop for Joined<D> {
    fn drop(&mut self) {
        if self.open {
            self.conn.close_on_drop();
        }
    }
}

impl<D: Dialect> Chain<D> {
    /// Begins a transaction on a connection of `pool`. On a joined
    /// dialect BEGIN goes with the first read.
    pub(crate) async fn begin(pool: &Pool<<D as Driver>::Db>) -> Result<Self, sqlx::Error> {
        let way = if D::LITERAL.is_some() {
            Way::Joined(Joined {
                conn: pool.acquire().await?,
                held: String::from("BEGIN"),
                heads: String::from("BEGIN"),
                open: true,
            })
        } else {
            Way::Each(pool.begin().await?)
        };
        Ok(Self { way })
    }

    /// Runs a statement whose rows nothing reads (on a joined dialect,
    /// later, with the next request).
    pub(crate) async fn execute(&mut self, q: Query<'_, D>) -> Result<(), sqlx::Error> {
        match &mut self.way {
            Way::Each(tx) => q.execute(&mut **tx).await.map(drop),
            Way::Joined(j) => {
                if !j.hold(&q) {
                    j.send().await?;
                    q.execute(&mut *j.conn).await?;
                } else if j.held.len() > HELD_MAX {
                    j.send().await?;
                }
                Ok(())
            }
        }
    }

    /// The rows of each of `queries`, run in order after the statements
    /// held before them: on a joined dialect, all in one request.
    pub(crate) async fn fetch_each(
        &mut self,
        queries: Vec<Query<'_, D>>,
    ) -> Result<Vec<Vec<Rec<D>>>, sqlx::Error> {
        let mut out = Vec::with_capacity(queries.len());
        match &mut self.way {
            Way::Each(tx) => {
                for q in queries {
                    out.push(q.fetch_all(&mut **tx).await?);
                }
            }
            Way::Joined(j) => {
                // Reads held so far: the last sets of the next request.
                let mut waiting = 0;
                for q in queries {
                    if j.hold(&q) {
                        waiting += 1;
                        continue;
                    }
                    j.send_for(waiting, &mut out).await?;
                    waiting = 0;
                    out.push(q.fetch_all(&mut *j.conn).await?);
                }
                j.send_for(waiting, &mut out).await?;
            }
        }
        Ok(out)
    }

    /// The rows of one read.
    pub(crate) async fn fetch_all(&mut self, q: Query<'_, D>) -> Result<Vec<Rec<D>>, sqlx::Error> {
        Ok(self.fetch_each(vec![q]).await?.pop().unwrap_or_default())
    }

    /// The first row of one read, if any.
    pub(crate) async fn fetch_optional(
        &mut self,
        q: Query<'_, D>,
    ) -> Result<Option<Rec<D>>, sqlx::Error> {
        Ok(self.fetch_all(q).await?.into_iter().next())
    }

    /// The first row of one read (`RowNotFound` if none).
    pub(crate) async fn fetch_one(&mut self, q: Query<'_, D>) -> Result<Rec<D>, sqlx::Error> {
        self.fetch_optional(q)
            .await?
            .ok_or(sqlx::Error::RowNotFound)
    }

    /// Sends what is held, and COMMIT.
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        match self.way {
            Way::Each(tx) => tx.commit().await,
            Way::Joined(mut j) => {
                j.push("COMMIT");
                j.send().await?;
                j.open = false;
                Ok(())
            }
        }
    }
}

impl<D: Dialect> Joined<D> {
    fn push(&mut self, statement: &str) {
        if !self.held.is_empty() {
            self.held.push(';');
        }
        self.held.push_str(statement);
        self.note_head(statement);
    }

    fn note_head(&mut self, head: &str) {
        if !self.heads.is_empty() {
            self.heads.push_str("; ");
        }
        self.heads.push_str(head);
    }

    /// Holds `q` back, its values written in; `false` (nothing held) if
    /// its text would pass `TEXT_MAX`.
    fn hold(&mut self, q: &Query<'_, D>) -> bool {
        let before = self.held.len();
        if !self.held.is_empty() {
            self.held.push(';');
        }
        if !q.inline_into(&mut self.held) || self.held.len() - before > TEXT_MAX {
            self.held.truncate(before);
            return false;
        }
        self.note_head(q.head());
        true
    }

    /// Sends the held statements in one request; each one's rows.
    async fn send(&mut self) -> Result<Vec<Vec<Rec<D>>>, sqlx::Error> {
        if self.held.is_empty() {
            return Ok(Vec::new());
        }
        let sql = std::mem::take(&mut self.held);
        let heads = std::mem::take(&mut self.heads);
        let started = Instant::now();
        let sets = D::script(&mut self.conn, &sql).await;
        note_slow::<D>(&heads, started);
        Ok(sets?
            .into_iter()
            .map(|rows| rows.into_iter().map(Rec).collect())
            .collect())
    }

    /// Sends the held statements; the rows of the last `reads` of them
    /// go to `out`.
    async fn send_for(
        &mut self,
        reads: usize,
        out: &mut Vec<Vec<Rec<D>>>,
    ) -> Result<(), sqlx::Error> {
        let mut sets = self.send().await?;
        if sets.len() < reads {
            return Err(sqlx::Error::Protocol(format!(
                "{} answers to a request of {reads} reads",
                sets.len()
            )));
        }
        out.extend(sets.drain(sets.len() - reads..));
        Ok(())
    }
}
