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
use sqlx::{ConnectOptions, Executor};

use crate::dialect::{Dialect, Driver, Kind};
use crate::error::store_error;
use crate::query::Val;
use crate::store::SearchLimit;
use crate::{durability, SqlOptions, SqlStore};

/// Turns backslash escapes on for the session (takes
/// `NO_BACKSLASH_ESCAPES` out of its `sql_mode`), as the literals of
/// `chain.rs` are written.
const BACKSLASH_ESCAPES_ON: &str = "SET SESSION sql_mode = TRIM(BOTH ',' FROM \
     REPLACE(CONCAT(',', @@sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ','))";

/// The MariaDB/MySQL dialect.
#[derive(Debug)]
pub struct Mysql;

pub type MysqlStore = SqlStore<Mysql>;

impl SqlStore<Mysql> {
    /// Connects to `url` (`mysql://user:password@host:port/database`) and,
    /// unless `opts.migrate` is off, applies every pending migration.
    pub async fn open(url: &str, opts: &SqlOptions) -> Result<Self, StoreError> {
        // UTF-8 whatever the URL asks (`charset=`), which the literals'
        // escaping counts on (in GBK, say, a backslash can end a
        // character); and sqlx's statement logs off, since a joined
        // request's text holds what users wrote (`query::note_slow` logs
        // slow statements without it).
        let connect = MySqlConnectOptions::from_str(url)
            .map_err(store_error)?
            .charset("utf8mb4")
            .disable_statement_logging();
        let pool = MySqlPoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .min_connections(opts.min_connections)
            .acquire_timeout(opts.acquire_timeout)
            .idle_timeout(opts.idle_timeout)
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
                        .await?;
                    conn.execute(BACKSLASH_ESCAPES_ON).await.map(|_| ())
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

    const LITERAL: Option<fn(&mut String, &Val<'_>)> = Some(literal);

    fn placeholder(sql: &mut String, _n: usize) {
        sql.push('?');
    }
}

/// A value written into a statement's text (`chain.rs`), as the server's
/// own literal: a string in quotes, its quote, backslash and NUL escaped
/// (connections run with backslash escapes on, whatever the server's
/// `sql_mode`, and in UTF-8, where no byte of a character is a quote or a
/// backslash). Like a bound value it takes the connection's collation,
/// which yields to a column's in a comparison.
fn literal(out: &mut String, v: &Val<'_>) {
    match v {
        Val::Text(s) | Val::OptText(Some(s)) => text_literal(out, s),
        Val::Owned(s) => text_literal(out, s),
        Val::Int(n) | Val::OptInt(Some(n)) => out.push_str(&n.to_string()),
        Val::Bool(b) | Val::OptBool(Some(b)) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        Val::OptText(None) | Val::OptInt(None) | Val::OptBool(None) => out.push_str("NULL"),
    }
}

fn text_literal(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('\'');
    let mut from = 0;
    for (at, c) in s.match_indices(['\'', '\\', '\0']) {
        out.push_str(s.get(from..at).unwrap_or_default());
        out.push_str(if c == "\0" {
            "\\0"
        } else if c == "'" {
            "\\'"
        } else {
            "\\\\"
        });
        from = at + c.len();
    }
    out.push_str(s.get(from..).unwrap_or_default());
    out.push('\'');
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::{Connection, Row};

    /// On the test server (`FERROCHAT_TEST_MYSQL_URL`), in a session that
    /// had backslash escapes off, as a server's `sql_mode` may say.
    #[tokio::test]
    async fn literals_read_back_as_written_where_the_server_turned_backslash_escapes_off() {
        let url = ferrochat_test_support::service(ferrochat_test_support::MYSQL_URL);
        let mut conn = sqlx::MySqlConnection::connect(&url).await.unwrap();
        conn.execute("SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES,STRICT_TRANS_TABLES'")
            .await
            .unwrap();
        conn.execute(BACKSLASH_ESCAPES_ON).await.unwrap();
        let tricky = "it's a \\ and a \0 and ?; -- \u{1f980}";
        let mut sql = String::from("SELECT ");
        literal(&mut sql, &Val::Text(tricky));
        sql.push_str(" AS v, @@sql_mode AS m");
        let row = sqlx::raw_sql(&sql).fetch_one(&mut conn).await.unwrap();
        assert_eq!(row.try_get_unchecked::<String, _>("v").unwrap(), tricky);
        assert_eq!(
            row.try_get_unchecked::<String, _>("m").unwrap(),
            "STRICT_TRANS_TABLES"
        );
        conn.close().await.unwrap();
    }

    #[test]
    fn literals_escape_what_ends_or_bends_a_string() {
        let mut out = String::new();
        for v in [
            Val::Text("it's a \\ and a \0 and ?; --"),
            Val::OptText(None),
            Val::Int(-42),
            Val::Bool(true),
            Val::Owned("\u{1f980}".to_owned()),
        ] {
            literal(&mut out, &v);
            out.push(' ');
        }
        assert_eq!(
            out,
            "'it\\'s a \\\\ and a \\0 and ?; --' NULL -42 TRUE '\u{1f980}' "
        );
    }
}
