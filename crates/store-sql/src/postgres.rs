//! `PostgresStore`: PostgreSQL (tested on 15).
//!
//! Dialect notes: placeholders are `$1, $2, ...` (the shared `?`
//! statements are rewritten by `sql`); keys use the "C" collation (byte
//! order, as in SQLite); the default READ COMMITTED isolation is what the
//! shared code's locking expects.

use std::borrow::Cow;
use std::str::FromStr;

use async_trait::async_trait;
use ferrochat_ports::store::Durability;
use ferrochat_ports::{Store, StoreError};
use ferrochat_retry::{BreakerState, Rerun, Retrier};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

use crate::durability;
use crate::error::{map, store_error};
use crate::retry::run;
use crate::shared;
use crate::SqlOptions;

pub struct PostgresStore {
    pub(crate) pool: PgPool,
    pub(crate) retry: Retrier,
    durability: Durability,
}

impl PostgresStore {
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
            pool,
            retry: Retrier::new("postgres", opts.retry.clone()),
            durability: found,
        })
    }

    /// The server's settings that can lose acknowledged writes, as read
    /// at open (`durability.rs`).
    pub fn durability(&self) -> &Durability {
        &self.durability
    }

    pub(crate) const DIALECT: shared::Dialect = shared::Dialect::Postgres;

    /// Whether calls fail at once because the server has been
    /// unreachable for `retry.breaker_after`.
    pub fn breaker(&self) -> BreakerState {
        self.retry.breaker()
    }

    /// Ends an INSERT so that an existing row with the same key is kept.
    pub(crate) const KEEP_EXISTING: &'static str = "ON CONFLICT DO NOTHING";

    /// The shared statements' `?` as PostgreSQL's numbered placeholders.
    pub(crate) fn sql(s: &str) -> Cow<'_, str> {
        Cow::Owned(shared::numbered_placeholders(s))
    }
}

shared::accounts::impl_account_store!(crate::PostgresStore, sqlx::Postgres, sqlx::postgres::PgRow);
shared::messages::impl_message_store!(crate::PostgresStore, sqlx::Postgres, sqlx::postgres::PgRow);
shared::groups::impl_group_store!(crate::PostgresStore, sqlx::Postgres, sqlx::postgres::PgRow);
shared::social::impl_social_store!(crate::PostgresStore, sqlx::Postgres, sqlx::postgres::PgRow);

#[async_trait]
impl Store for PostgresStore {
    async fn ping(&self) -> Result<(), StoreError> {
        run(&self.retry, Rerun::Safe, || async {
            sqlx::query("SELECT 1")
                .execute(&self.pool)
                .await
                .map(|_| ())
                .map_err(map)
        })
        .await
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
