//! `MysqlStore`: MariaDB (tested on 10.11) and MySQL 8.
//!
//! Dialect notes: tables are InnoDB with a binary collation (byte order,
//! as in SQLite); there are no partial indexes, so the pair key of single
//! conversations is a plain unique key over nullable columns; UPDATE has no
//! RETURNING. Every connection runs at READ COMMITTED (InnoDB's default is
//! REPEATABLE READ, whose snapshot would hide rows committed by the writer
//! a `FOR UPDATE` just waited for).

use std::borrow::Cow;
use std::str::FromStr;

use async_trait::async_trait;
use ferrochat_ports::store::Durability;
use ferrochat_ports::{Store, StoreError};
use ferrochat_retry::{BreakerState, Rerun, Retrier};
use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};
use sqlx::{Executor, MySqlPool};

use crate::durability;
use crate::error::{map, store_error};
use crate::retry::run;
use crate::shared;
use crate::SqlOptions;

pub struct MysqlStore {
    pub(crate) pool: MySqlPool,
    pub(crate) retry: Retrier,
    durability: Durability,
}

impl MysqlStore {
    /// Connects to `url` (`mysql://user:password@host:port/database`) and,
    /// unless `opts.migrate` is off, applies every pending migration.
    pub async fn open(url: &str, opts: &SqlOptions) -> Result<Self, StoreError> {
        let connect = MySqlConnectOptions::from_str(url).map_err(store_error)?;
        let pool = MySqlPoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .min_connections(opts.min_connections)
            .acquire_timeout(opts.acquire_timeout)
            .idle_timeout(opts.idle_timeout)
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
                        .await
                        .map(|_| ())
                })
            })
            .connect_with(connect)
            .await
            .map_err(store_error)?;
        let found = durability::mysql(&pool).await?;
        if let Err(e) = durability::enforce("mysql", &found, opts.require_durable) {
            pool.close().await;
            return Err(e);
        }
        if opts.migrate {
            sqlx::migrate!("./migrations/mysql")
                .run(&pool)
                .await
                .map_err(|e| StoreError::Other(Box::new(e)))?;
        }
        Ok(Self {
            pool,
            retry: Retrier::new("mysql", opts.retry.clone()),
            durability: found,
        })
    }

    /// Ends an INSERT so that an existing row with the same key is kept
    /// (and foreign keys are still checked, unlike `INSERT IGNORE`). Used
    /// on tables with a `created_at` column.
    pub(crate) const KEEP_EXISTING: &'static str =
        "ON DUPLICATE KEY UPDATE created_at = created_at";

    /// The server's settings that can lose acknowledged writes, as read
    /// at open (`durability.rs`).
    pub fn durability(&self) -> &Durability {
        &self.durability
    }

    pub(crate) const DIALECT: shared::Dialect = shared::Dialect::Mysql;

    /// Whether calls fail at once because the server has been
    /// unreachable for `retry.breaker_after`.
    pub fn breaker(&self) -> BreakerState {
        self.retry.breaker()
    }

    /// MySQL's placeholders are the `?` the shared statements use.
    pub(crate) fn sql(s: &str) -> Cow<'_, str> {
        Cow::Borrowed(s)
    }
}

shared::accounts::impl_account_store!(crate::MysqlStore, sqlx::MySql, sqlx::mysql::MySqlRow);
shared::messages::impl_message_store!(crate::MysqlStore, sqlx::MySql, sqlx::mysql::MySqlRow);
shared::groups::impl_group_store!(crate::MysqlStore, sqlx::MySql, sqlx::mysql::MySqlRow);
shared::social::impl_social_store!(crate::MysqlStore, sqlx::MySql, sqlx::mysql::MySqlRow);

#[async_trait]
impl Store for MysqlStore {
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
