//! A message search the server stops at `search_timeout` is `TimedOut`,
//! at once and not retried, so one costly search holds a connection for
//! that long at most; the same search runs once the server can answer.
//! The search is held up by a lock another connection takes on the index,
//! so the limit is what ends it, whatever the machine's speed.

use std::time::Duration;

use ferrochat_domain::search::{SearchMessages, SearchPage};
use ferrochat_domain::UserId;
use ferrochat_ports::{MessageStore, StoreError};
use ferrochat_store_sql::{MysqlStore, PostgresStore, SqlOptions};
use sqlx::{Connection, Executor};

use crate::support::{create_mysql_db, create_postgres_db, drop_mysql_db, drop_postgres_db};

fn limited() -> SqlOptions {
    SqlOptions {
        search_timeout: Duration::from_millis(300),
        // Straight to the full-text index: MariaDB's scan reads only the
        // caller's conversations, and this caller is in none.
        search_scan: Duration::ZERO,
        ..SqlOptions::default()
    }
}

/// A search by someone in no conversation: an empty page when it runs.
async fn search(store: &dyn MessageStore) -> Result<SearchPage, StoreError> {
    let q = SearchMessages::parse("hello world".into(), None, None, None, None).unwrap();
    // Bounded, so a limit the server ignores fails the test instead of
    // hanging it.
    tokio::time::timeout(
        Duration::from_secs(30),
        store.search_messages(&UserId::generate(), &q),
    )
    .await
    .expect("the server stops the search within its limit")
}

#[tokio::test]
async fn mysql_stops_a_search_past_its_time_limit() {
    let (url, name) = create_mysql_db().await;
    let store = MysqlStore::open(&url, &limited()).await.unwrap();
    assert!(search(&store).await.unwrap().messages.is_empty());

    let mut holder = sqlx::MySqlConnection::connect(&url).await.unwrap();
    holder
        .execute("LOCK TABLES message_search WRITE")
        .await
        .unwrap();
    let held = search(&store).await;
    assert!(matches!(held, Err(StoreError::TimedOut(_))), "{held:?}");
    holder.execute("UNLOCK TABLES").await.unwrap();
    assert!(search(&store).await.unwrap().messages.is_empty());

    holder.close().await.unwrap();
    drop(store);
    drop_mysql_db(name).await;
}

#[tokio::test]
async fn postgres_stops_a_search_past_its_time_limit() {
    let (url, name) = create_postgres_db().await;
    let store = PostgresStore::open(&url, &limited()).await.unwrap();
    assert!(search(&store).await.unwrap().messages.is_empty());

    let mut holder = sqlx::PgConnection::connect(&url).await.unwrap();
    let mut tx = holder.begin().await.unwrap();
    tx.execute("LOCK TABLE message_search IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let held = search(&store).await;
    assert!(matches!(held, Err(StoreError::TimedOut(_))), "{held:?}");
    tx.rollback().await.unwrap();
    // The limit was the search's own: the connection it used serves on.
    assert!(search(&store).await.unwrap().messages.is_empty());

    holder.close().await.unwrap();
    drop(store);
    drop_postgres_db(name).await;
}
