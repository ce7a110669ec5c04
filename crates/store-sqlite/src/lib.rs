//! `SqliteStore`: the embedded store behind `ferrochat serve`.
//!
//! One file in WAL mode. All writes go through a single-connection pool
//! (SQLite has one writer anyway; queueing in our pool beats busy-retries),
//! reads through a separate pool that WAL lets run beside the writer.
//! Durability: `synchronous` is configurable; the default `full` syncs the
//! WAL on every commit, so an acknowledged write survives power loss, and
//! group commit amortises that cost over many messages.

mod accounts;
mod commit;
mod error;
mod groups;
mod messages;
mod open;
mod social;

pub use open::{SqliteOptions, SqliteStore, Synchronous};
