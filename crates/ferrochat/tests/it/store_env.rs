//! Which store the spawned apps use: SQLite in their temp dir (the
//! default), or, with `FERROCHAT_TEST_STORE=mysql` or `postgres`, a fresh
//! database per app on the server that `FERROCHAT_TEST_MYSQL_URL` or
//! `FERROCHAT_TEST_POSTGRES_URL` names (`scripts/services up` starts them,
//! `scripts/services env` prints the variables). `scripts/test` runs the
//! whole suite once per store.
//!
//! The databases are not dropped: the test servers are throwaway, and
//! `scripts/services down` deletes them with their data dirs.

use ferrochat::config::Config;
use ferrochat_test_support::{service, with_database, MYSQL_URL, POSTGRES_URL};
use sqlx::{Connection, Executor};

const STORE_ENV: &str = "FERROCHAT_TEST_STORE";

/// Points `config` at a fresh database when `FERROCHAT_TEST_STORE` asks
/// for a SQL server; leaves it on SQLite otherwise.
pub async fn apply(config: &mut Config) {
    let kind = std::env::var(STORE_ENV).unwrap_or_default();
    if let Some(url) = fresh_database(&kind).await {
        config.store.url = Some(url);
        config.store.max_connections = 8;
    }
}

/// A fresh database on the `kind` server (`mysql`, `postgres`); `None`
/// for SQLite (`""`, `sqlite`), which lives in the app's data dir.
pub async fn fresh_database(kind: &str) -> Option<String> {
    let name = format!("fc_it_{}", uuid::Uuid::new_v4().simple());
    let url = match kind {
        "" | "sqlite" => return None,
        "mysql" => fresh_mysql_database(&name).await,
        "postgres" => {
            let admin = service(POSTGRES_URL);
            let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
            conn.execute(format!("CREATE DATABASE {name}").as_str())
                .await
                .unwrap();
            conn.close().await.unwrap();
            with_database(&admin, &name)
        }
        other => panic!("{STORE_ENV}={other:?}: expected sqlite, mysql or postgres"),
    };
    Some(url)
}

/// Creates database `name` on the MariaDB/MySQL test server; its URL.
pub async fn fresh_mysql_database(name: &str) -> String {
    let admin = service(MYSQL_URL);
    let mut conn = sqlx::MySqlConnection::connect(&admin).await.unwrap();
    conn.execute(format!("CREATE DATABASE {name} CHARACTER SET utf8mb4").as_str())
        .await
        .unwrap();
    conn.close().await.unwrap();
    with_database(&admin, name)
}
