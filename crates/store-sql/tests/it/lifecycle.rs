//! Opening, migrating, failing and the durability check: what the
//! conformance suite does not see.

use std::time::Duration;

use ferrochat_ports::store::NotDurable;
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
    let u = ferrochat_test_support::conformance::fixtures::user(&store, "reopen").await;
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
    let u = ferrochat_test_support::conformance::fixtures::user(&store, "reopen").await;
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

/// The test servers run with fsync off (scripts/services: fast and
/// throwaway): each setting that can lose acknowledged writes is named,
/// and `require_durable` refuses to open, naming them.
#[tokio::test]
async fn the_test_mariadb_is_named_as_able_to_lose_acked_writes() {
    let (url, name) = create_mysql_db().await;
    let store = MysqlStore::open(&url, &quick()).await.unwrap();
    let found = store.durability().clone();
    assert!(found.names("innodb_flush_log_at_trx_commit"), "{found}");
    assert!(found.names("innodb_doublewrite"), "{found}");
    assert!(!found.names("sync_binlog"), "no binary log: {found}");
    store.close().await;
    let strict = SqlOptions {
        require_durable: true,
        ..quick()
    };
    let refused = MysqlStore::open(&url, &strict)
        .await
        .err()
        .expect("refused");
    assert!(not_durable(&refused), "{refused:?}");
    let why = refused.to_string();
    // The test server runs 2 (scripts/services): written to the OS at
    // each commit, flushed to disk once a second.
    assert!(
        why.contains("innodb_flush_log_at_trx_commit = 2 (needs 1)"),
        "{why}"
    );
    assert!(why.contains("innodb_doublewrite = OFF (needs ON)"), "{why}");
    drop_mysql_db(name).await;
}

#[tokio::test]
async fn the_test_postgres_is_named_as_able_to_lose_acked_writes() {
    let (url, name) = create_postgres_db().await;
    let store = PostgresStore::open(&url, &quick()).await.unwrap();
    let found = store.durability().clone();
    for setting in ["fsync", "synchronous_commit", "full_page_writes"] {
        assert!(found.names(setting), "{setting}: {found}");
    }
    store.close().await;
    let strict = SqlOptions {
        require_durable: true,
        ..quick()
    };
    let refused = PostgresStore::open(&url, &strict)
        .await
        .err()
        .expect("refused");
    assert!(not_durable(&refused), "{refused:?}");
    assert!(
        refused.to_string().contains("fsync = off (needs on)"),
        "{refused}"
    );
    drop_postgres_db(name).await;
}

fn not_durable(e: &StoreError) -> bool {
    matches!(e, StoreError::Other(inner) if inner.is::<NotDurable>())
}
