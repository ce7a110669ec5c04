//! Fresh databases on the test servers, one per test.

use std::sync::Arc;

use ferrochat_store_sql::{MysqlStore, PostgresStore, SqlOptions};
use ferrochat_test_support::conformance::Fresh;
use sqlx::{Connection, Executor};

pub use ferrochat_test_support::{
    service as server_url, with_database, MYSQL_URL as MYSQL_ENV, POSTGRES_URL as POSTGRES_ENV,
};

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
