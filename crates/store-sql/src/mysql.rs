//! `MysqlStore`: MariaDB (tested on 10.11) and MySQL 8.
//!
//! Dialect notes: tables are InnoDB with a binary collation (byte order,
//! as in SQLite); there are no partial indexes, so the pair key of single
//! conversations is a plain unique key over nullable columns; UPDATE has no
//! RETURNING. Every connection runs at READ COMMITTED (InnoDB's default is
//! REPEATABLE READ, whose snapshot would hide rows committed by the writer
//! a `FOR UPDATE` just waited for).

use std::str::FromStr;

use ferrochat_ports::StoreError;
use ferrochat_retry::{BreakerState, Retrier};
use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};
use sqlx::Executor;

use crate::dialect::{Dialect, Driver, Kind};
use crate::error::store_error;
use crate::store::SearchLimit;
use crate::{durability, SqlOptions, SqlStore};

/// The MariaDB/MySQL dialect.
#[derive(Debug)]
pub struct Mysql;

pub type MysqlStore = SqlStore<Mysql>;

impl SqlStore<Mysql> {
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
        // MariaDB and MySQL 8 name a statement's time limit differently.
        let version: String = sqlx::query_scalar("SELECT VERSION()")
            .fetch_one(&pool)
            .await
            .map_err(store_error)?;
        let search_limit = if version.contains("MariaDB") {
            SearchLimit::MariaDb {
                limit: opts.search_timeout,
                scan: opts.search_scan,
            }
        } else {
            SearchLimit::MySql {
                limit: opts.search_timeout,
                scan: opts.search_scan,
            }
        };
        Ok(Self {
            writer: pool.clone(),
            reader: pool,
            retry: Some(Retrier::new("mysql", opts.retry.clone())),
            durability: found,
            search_limit,
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

impl Driver for Mysql {
    type Db = sqlx::MySql;
    const UNCHECKED_READS: bool = true;

    fn rows_affected(done: &<sqlx::MySql as sqlx::Database>::QueryResult) -> u64 {
        done.rows_affected()
    }
}

impl Dialect for Mysql {
    const KIND: Kind = Kind::Mysql;
    const NAME: &'static str = "mysql";
    /// At most 8 binds a row: far below the server's 65,535 placeholders.
    const CHUNK: usize = 500;
    const FOR_UPDATE: &'static str = "FOR UPDATE";
    /// Not `INSERT IGNORE`, which would ignore foreign keys too. Used on
    /// tables with a `created_at` column.
    const KEEP_EXISTING: &'static str = "ON DUPLICATE KEY UPDATE created_at = created_at";
    const GREATEST: &'static str = "GREATEST";

    fn placeholder(sql: &mut String, _n: usize) {
        sql.push('?');
    }
}
