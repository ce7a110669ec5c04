//! Fresh databases on the test servers, one per test.

use std::sync::Arc;

use ferrochat_ports::conformance::Fresh;
use ferrochat_store_sql::{MysqlStore, PostgresStore, SqlOptions};
use sqlx::{Connection, Executor};

pub const MYSQL_ENV: &str = "FERROCHAT_TEST_MYSQL_URL";
pub const POSTGRES_ENV: &str = "FERROCHAT_TEST_POSTGRES_URL";

/// The server URL in `var`; a missing one fails the test, naming the
/// command that starts the servers.
pub fn server_url(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!(
            "{var} is not set: start the test servers with `scripts/services up` \
             and load their addresses with `eval \"$(scripts/services env)\"` \
             (scripts/test does both)"
        )
    })
}

/// `url` with its database (the path) replaced by `db`.
pub fn with_database(url: &str, db: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL with a scheme");
    let (authority, query) = match rest.split_once('?') {
        Some((before, q)) => (before.split('/').next().unwrap_or(before), Some(q)),
        None => (rest.split('/').next().unwrap_or(rest), None),
    };
    match query {
        Some(q) => format!("{scheme}://{authority}/{db}?{q}"),
        None => format!("{scheme}://{authority}/{db}"),
    }
}

fn unique_name() -> String {
    format!("ft_{}", uuid::Uuid::new_v4().simple())
}

fn options() -> SqlOptions {
    SqlOptions {
        max_connections: 8,
        ..SqlOptions::default()
    }
}

/// Creates an empty database on the MySQL test server; returns its URL.
pub async fn create_mysql_db() -> (String, String) {
    let admin = server_url(MYSQL_ENV);
    let name = unique_name();
    let mut conn = sqlx::MySqlConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("connecting to {MYSQL_ENV} ({admin}): {e}"));
    conn.execute(
        format!("CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin").as_str(),
    )
    .await
    .unwrap();
    conn.close().await.unwrap();
    (with_database(&admin, &name), name)
}

pub async fn drop_mysql_db(name: String) {
    let admin = server_url(MYSQL_ENV);
    drop_db(&name, || async {
        let mut conn = sqlx::MySqlConnection::connect(&admin).await?;
        conn.execute(format!("DROP DATABASE {name}").as_str())
            .await?;
        conn.close().await
    })
    .await;
}

/// Creates an empty database on the PostgreSQL test server; returns its URL.
pub async fn create_postgres_db() -> (String, String) {
    let admin = server_url(POSTGRES_ENV);
    let name = unique_name();
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("connecting to {POSTGRES_ENV} ({admin}): {e}"));
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    conn.close().await.unwrap();
    (with_database(&admin, &name), name)
}

pub async fn drop_postgres_db(name: String) {
    let admin = server_url(POSTGRES_ENV);
    drop_db(&name, || async {
        let mut conn = sqlx::PgConnection::connect(&admin).await?;
        conn.execute(format!("DROP DATABASE {name} WITH (FORCE)").as_str())
            .await?;
        conn.close().await
    })
    .await;
}

/// Drops a test's database, a few times if need be: PostgreSQL refuses
/// now and then while a background worker of its own is in it (42501).
/// A database left behind is only disk on a throwaway server, so the last
/// failure is reported, not taken for the test's.
async fn drop_db<F, Fut>(name: &str, attempt: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<(), sqlx::Error>>,
{
    let mut last = None;
    for _ in 0..5 {
        match attempt().await {
            Ok(()) => return,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    if let Some(e) = last {
        eprintln!("could not drop test database {name}: {e}");
    }
}

pub async fn fresh_mysql() -> Fresh {
    let (url, name) = create_mysql_db().await;
    let store = MysqlStore::open(&url, &options()).await.unwrap();
    Fresh::with_cleanup(Arc::new(store), drop_mysql_db(name))
}

pub async fn fresh_postgres() -> Fresh {
    let (url, name) = create_postgres_db().await;
    let store = PostgresStore::open(&url, &options()).await.unwrap();
    Fresh::with_cleanup(Arc::new(store), drop_postgres_db(name))
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
    assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
}
