//! `synchronous = normal` acknowledges commits before they are synced: it
//! is named, and `require_durable` refuses it; `full` is durable.

use ferrochat_ports::store::NotDurable;
use ferrochat_ports::{Store, StoreError};
use ferrochat_store_sql::{SqliteOptions, SqliteStore, Synchronous};

#[tokio::test]
async fn synchronous_normal_is_named_and_refused_when_durability_is_required() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ferrochat.db");
    let full = SqliteStore::open(&path, &SqliteOptions::default())
        .await
        .unwrap();
    assert!(full.durability().is_durable(), "{}", full.durability());
    full.close().await;

    let normal = SqliteOptions {
        synchronous: Synchronous::Normal,
        ..SqliteOptions::default()
    };
    let store = SqliteStore::open(&path, &normal).await.unwrap();
    assert!(
        store.durability().names("synchronous"),
        "{}",
        store.durability()
    );
    assert_eq!(
        store.durability().to_string(),
        "synchronous = normal (needs full (store.synchronous))"
    );
    store.close().await;

    let strict = SqliteOptions {
        require_durable: true,
        ..normal
    };
    let refused = SqliteStore::open(&path, &strict)
        .await
        .err()
        .expect("refused");
    assert!(
        matches!(&refused, StoreError::Other(e) if e.is::<NotDurable>()),
        "{refused:?}"
    );
    assert!(
        refused.to_string().contains("synchronous = normal"),
        "{refused}"
    );
}
