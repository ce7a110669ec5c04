//! ferrochat's SQL stores, one per dialect, behind the store port:
//! `SqliteStore` (the embedded store of `ferrochat serve`), `MysqlStore`
//! (MariaDB/MySQL) and `PostgresStore` (PostgreSQL), each a `SqlStore<D>`.
//!
//! The store code is written once, as ordinary functions generic over a
//! small `Dialect` trait (`dialect.rs`: placeholders, upsert and locking
//! syntax, rows per multi-row statement, how to run a statement and read
//! a column); the few statements a dialect must write its own way match
//! on `Dialect::KIND`. Each dialect module (`sqlite.rs`, `mysql.rs`,
//! `postgres.rs`) opens its pools, checks durability and applies its own
//! migrations (`migrations/<dialect>/`).
//!
//! Concurrency: SQLite has one writer connection, which serializes every
//! write transaction, and a read pool beside it (WAL). The servers have
//! many writers at once, so every read-then-write takes a row lock first
//! (`SELECT ... FOR UPDATE`, `Dialect::FOR_UPDATE`, empty on SQLite) and
//! both servers run at READ COMMITTED, where each statement sees the
//! latest committed rows. Locks are always taken conversation row first,
//! then member rows, so two transactions never wait on each other in a
//! cycle. A commit assigns seqs from `conversations.last_seq` read under
//! that lock; the primary key (conversation_id, seq) is the last guard.

mod accounts;
mod attachments;
mod background_thread;
mod chain;
mod changes;
mod commit;
mod devices;
mod dialect;
mod durability;
mod erase;
mod error;
mod external;
mod groups;
mod mentions;
mod messages;
mod moderation;
mod mysql;
mod options;
mod postgres;
mod query;
mod retry;
mod search;
mod search_bloom;
mod search_file;
mod social;
mod sqlite;
mod store;
mod uploads;

pub use ferrochat_retry::{BreakerState, RetryConfig};
pub use mysql::{Mysql, MysqlStore};
pub use options::{SqlOptions, DEFAULT_SEARCH_SCAN, DEFAULT_SEARCH_TIMEOUT};
pub use postgres::{Postgres, PostgresStore};
pub use sqlite::{Sqlite, SqliteOptions, SqliteStore, Synchronous};
pub use store::SqlStore;
