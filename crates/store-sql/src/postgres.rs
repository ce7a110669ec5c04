//! `PostgresStore`: PostgreSQL (tested on 15).
//!
//! Dialect notes: placeholders are `$1, $2, ...` (`Query` numbers the
//! `?` the store code writes); keys use the "C" collation (byte order, as
//! in SQLite); the default READ COMMITTED isolation is what the store
//! code's locking expects.

use std::fmt::Write as _;
use std::str::FromStr;

use ferrochat_ports::StoreError;
use ferrochat_retry::{BreakerState, Retrier};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::dialect::{Dialect, Driver, Kind};
use crate::error::store_error;
use crate::store::SearchLimit;
use crate::{durability, SqlOptions, SqlStore};

/// The PostgreSQL dialect.
#[derive(Debug)]
pub struct Postgres;

pub type PostgresStore = SqlStore<Postgres>;

impl SqlStore<Postgres> {
    /// Connects to `url` (`postgres://user:password@host:port/database`)
    /// and, unless `opts.migrate` is off, applies every pending migration.
    pub async fn open(url: &str, opts: &SqlOptions) -> Result<Self, StoreError> {
        let connect = PgConnectOptions::from_str(url)
            .map_err(store_error)?
            .application_name("ferrochat");
        let pool = PgPoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .min_connections(opts.min_connections)
            .acquire_timeout(opts.acquire_timeout)
            .idle_timeout(opts.idle_timeout)
            .connect_with(connect)
            .await
            .map_err(store_error)?;
        let found = durability::postgres(&pool).await?;
        if let Err(e) = durability::enforce("postgres", &found, opts.require_durable) {
            pool.close().await;
            return Err(e);
        }
        if opts.migrate {
            sqlx::migrate!("./migrations/postgres")
                .run(&pool)
                .await
                .map_err(|e| StoreError::Other(Box::new(e)))?;
        }
        Ok(Self {
            writer: pool.clone(),
            reader: pool,
            retry: Some(Retrier::new("postgres", opts.retry.clone())),
            durability: found,
            search_limit: SearchLimit::Postgres(opts.search_timeout),
            search_file: None,
        })
    }

    /// Whether calls fail at once because the server has been
    /// unreachable for `retry.breaker_after`.
    pub fn breaker(&self) -> BreakerState {
        self.retry
            .as_ref()
            .map_or(BreakerState::Closed, Retrier::breaker)
    }
}

impl Driver for Postgres {
    type Db = sqlx::Postgres;
    const UNCHECKED_READS: bool = false;

    fn rows_affected(done: &<sqlx::Postgres as sqlx::Database>::QueryResult) -> u64 {
        done.rows_affected()
    }
}

impl Dialect for Postgres {
    const KIND: Kind = Kind::Postgres;
    const NAME: &'static str = "postgres";
    /// At most 8 binds a row: far below the server's 65,535 placeholders.
    const CHUNK: usize = 500;
    const FOR_UPDATE: &'static str = "FOR UPDATE";
    const KEEP_EXISTING: &'static str = "ON CONFLICT DO NOTHING";
    const GREATEST: &'static str = "GREATEST";

    fn placeholder(sql: &mut String, n: usize) {
        // Writing to a String cannot fail.
        let _ = write!(sql, "${n}");
    }
}
