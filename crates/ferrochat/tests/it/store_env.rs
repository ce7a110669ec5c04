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
use sqlx::{Connection, Executor};

const STORE_ENV: &str = "FERROCHAT_TEST_STORE";

fn server_url(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!(
            "{STORE_ENV} asks for a SQL server but {var} is not set: start the test \
             servers with `scripts/services up` and load their addresses with \
             `eval \"$(scripts/services env)\"` (scripts/test does both)"
        )
    })
}

/// `url` with its database (the path) replaced by `db`.
fn with_database(url: &str, db: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL with a scheme");
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    let query = rest.split_once('?').map(|(_, q)| format!("?{q}"));
    format!("{scheme}://{authority}/{db}{}", query.unwrap_or_default())
}

/// Points `config` at a fresh database when `FERROCHAT_TEST_STORE` asks
/// for a SQL server; leaves it on SQLite otherwise.
pub async fn apply(config: &mut Config) {
    let kind = std::env::var(STORE_ENV).unwrap_or_default();
    let name = format!("fc_it_{}", uuid::Uuid::new_v4().simple());
    let url = match kind.as_str() {
        "" | "sqlite" => return,
        "mysql" => fresh_mysql_database(&name).await,
        "postgres" => {
            let admin = server_url("FERROCHAT_TEST_POSTGRES_URL");
            let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
            conn.execute(format!("CREATE DATABASE {name}").as_str())
                .await
                .unwrap();
            conn.close().await.unwrap();
            with_database(&admin, &name)
        }
        other => panic!("{STORE_ENV}={other:?}: expected sqlite, mysql or postgres"),
    };
    config.store.url = Some(url);
    config.store.max_connections = 8;
}

/// Creates database `name` on the MariaDB/MySQL test server; its URL.
pub async fn fresh_mysql_database(name: &str) -> String {
    let admin = server_url("FERROCHAT_TEST_MYSQL_URL");
    let mut conn = sqlx::MySqlConnection::connect(&admin).await.unwrap();
    conn.execute(format!("CREATE DATABASE {name} CHARACTER SET utf8mb4").as_str())
        .await
        .unwrap();
    conn.close().await.unwrap();
    with_database(&admin, name)
}

#[test]
fn database_is_replaced_in_urls() {
    assert_eq!(
        with_database("mysql://u:p@127.0.0.1:3306/app", "x"),
        "mysql://u:p@127.0.0.1:3306/x"
    );
    assert_eq!(
        with_database("postgres://u@h:5432/app?sslmode=disable", "x"),
        "postgres://u@h:5432/x?sslmode=disable"
    );
}
