//! Opening, migrating and failing: what the conformance suite does not see.

use std::time::Duration;

use ferrochat_ports::{AccountStore, Store, StoreError};
use ferrochat_store_sql::{MysqlStore, PostgresStore, SqlOptions};

use crate::support::{create_mysql_db, create_postgres_db, drop_mysql_db, drop_postgres_db};

/// A port nothing listens on: connecting fails at once.
const DEAD: &str = "127.0.0.1:1";

fn quick() -> SqlOptions {
    SqlOptions {
        acquire_timeout: Duration::from_secs(2),
        ..SqlOptions::default()
    }
}

#[tokio::test]
async fn unreachable_servers_are_unavailable() {
    let err = MysqlStore::open(&format!("mysql://u:p@{DEAD}/db"), &quick())
        .await
        .err()
        .expect("no server");
    assert!(matches!(err, StoreError::Unavailable(_)), "got {err:?}");
    let err = PostgresStore::open(&format!("postgres://u:p@{DEAD}/db"), &quick())
        .await
        .err()
        .expect("no server");
    assert!(matches!(err, StoreError::Unavailable(_)), "got {err:?}");
}

#[tokio::test]
async fn mysql_reopens_a_migrated_database_with_its_data() {
    let (url, name) = create_mysql_db().await;
    let store = MysqlStore::open(&url, &quick()).await.unwrap();
    let u = ferrochat_ports::conformance::fixtures::user(&store, "reopen").await;
    store.close().await;
    assert!(matches!(
        store.ping().await,
        Err(StoreError::Unavailable(_))
    ));
    let again = MysqlStore::open(&url, &quick()).await.unwrap();
    assert_eq!(again.user(&u.id).await.unwrap(), Some(u));
    again.close().await;
    drop_mysql_db(name).await;
}

#[tokio::test]
async fn postgres_reopens_a_migrated_database_with_its_data() {
    let (url, name) = create_postgres_db().await;
    let store = PostgresStore::open(&url, &quick()).await.unwrap();
    let u = ferrochat_ports::conformance::fixtures::user(&store, "reopen").await;
    store.close().await;
    assert!(matches!(
        store.ping().await,
        Err(StoreError::Unavailable(_))
    ));
    let again = PostgresStore::open(&url, &quick()).await.unwrap();
    assert_eq!(again.user(&u.id).await.unwrap(), Some(u));
    again.close().await;
    drop_postgres_db(name).await;
}
