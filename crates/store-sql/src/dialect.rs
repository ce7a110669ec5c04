//! What differs between the three databases, as one small trait that the
//! store code (`accounts.rs`, `messages.rs`, ...) is generic over.
//!
//! The store code never names a sqlx driver: it builds statements with
//! `query::Query` and binds `Val`s, which `query::Run` runs on the
//! dialect's `Driver`. That keeps sqlx's generic bounds (an executor per
//! connection type, an `Encode` and a `Decode` per type) in one place,
//! `Run`'s one impl, instead of on every function.

use sqlx::{Database, Pool};

use crate::query::{Run, Val};

/// The three dialects, where a statement must be written differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Mysql,
    Postgres,
}

/// A row as its dialect's driver returns it.
pub(crate) type RowOf<D> = <<D as Driver>::Db as Database>::Row;
/// A connection of the dialect's driver (what a transaction derefs to).
pub(crate) type ConnOf<D> = <<D as Driver>::Db as Database>::Connection;

/// Where a statement runs: on a pool (a connection of its own) or on a
/// connection that holds a transaction.
pub enum Ex<'e, D: Driver> {
    Pool(&'e Pool<D::Db>),
    Conn(&'e mut ConnOf<D>),
}

impl<'e, D: Driver> From<&'e Pool<D::Db>> for Ex<'e, D> {
    fn from(p: &'e Pool<D::Db>) -> Self {
        Ex::Pool(p)
    }
}

impl<'e, D: Driver> From<&'e mut ConnOf<D>> for Ex<'e, D> {
    fn from(c: &'e mut ConnOf<D>) -> Self {
        Ex::Conn(c)
    }
}

/// A dialect's sqlx driver, and what its rows and results need said.
pub trait Driver: Send + Sync + Sized + 'static {
    type Db: Database;
    /// Read columns without checking their declared type. MySQL: our text
    /// columns use a binary collation (byte order, as SQLite), and MySQL
    /// flags such columns BINARY, which sqlx 0.8 takes for VARBINARY and
    /// refuses to decode as `String`; the bytes are UTF-8 text (decoding
    /// still checks that).
    const UNCHECKED_READS: bool;

    /// The rows a statement changed.
    fn rows_affected(done: &<Self::Db as Database>::QueryResult) -> u64;
}

pub trait Dialect: Run {
    const KIND: Kind;
    /// Its name in logs and metrics (the retrier's).
    const NAME: &'static str;
    /// Rows per multi-row statement (group commit): a bound on the
    /// placeholders of one statement, far below each database's limit.
    const CHUNK: usize;
    /// Ends a `SELECT` that locks the rows it reads until the transaction
    /// ends. Empty on SQLite, where the one writer connection already
    /// serializes every read-then-write.
    const FOR_UPDATE: &'static str;
    /// Ends an `INSERT ... VALUES (...)` so that an existing row with the
    /// same key is kept (foreign keys are still checked).
    const KEEP_EXISTING: &'static str;
    /// The scalar larger-of-two function (`GREATEST`, or SQLite's `MAX`).
    const GREATEST: &'static str;

    /// Writes a bound value as a literal of the statement's text, for a
    /// dialect that takes several statements in one request
    /// (`chain.rs`); `None` where statements go one to a request. Only for
    /// a dialect whose placeholder is `?`.
    const LITERAL: Option<fn(&mut String, &Val<'_>)> = None;

    /// Appends the `n`th (from 1) placeholder of a statement.
    fn placeholder(sql: &mut String, n: usize);
}
