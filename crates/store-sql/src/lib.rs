//! SQL server stores for the cluster: `MysqlStore` (MariaDB/MySQL) and
//! `PostgresStore` (PostgreSQL), behind the same store port as SQLite.
//!
//! The SQL the two dialects share is written once, in `shared/`, as macros
//! that each dialect module instantiates for its own sqlx driver (sqlx's
//! generic bounds would otherwise swamp every function). Statements are
//! written with `?` placeholders; the PostgreSQL module rewrites them to
//! `$1, $2, ...` (`postgres::sql`). What differs lives in the dialect
//! modules (`mysql.rs`, `postgres.rs`): connecting, session settings and
//! the migrations in `migrations/<dialect>/`.
//!
//! Concurrency: unlike SQLite, many writers run at once, so every
//! read-then-write takes a row lock first (`SELECT ... FOR UPDATE`) and both
//! servers run at READ COMMITTED, where each statement sees the latest
//! committed rows. Locks are always taken conversation row first, then
//! member rows, so two transactions never wait on each other in a cycle.
//! A commit assigns seqs from `conversations.last_seq` read under that lock;
//! the primary key (conversation_id, seq) is the last guard.

mod durability;
mod error;
mod mysql;
mod options;
mod postgres;
mod retry;
mod shared;

pub use ferrochat_retry::{BreakerState, RetryConfig};
pub use mysql::MysqlStore;
pub use options::SqlOptions;
pub use postgres::PostgresStore;
