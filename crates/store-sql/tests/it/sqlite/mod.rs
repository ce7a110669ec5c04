//! The store conformance suite against `SqliteStore`: each case on a fresh
//! database file in a temp dir of its own; the durability check
//! (`durability.rs`).

mod durability;

use std::sync::Arc;

use ferrochat_store_sql::{SqliteOptions, SqliteStore};
use ferrochat_test_support::conformance::Fresh;

async fn fresh_store() -> Fresh {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("ferrochat.db"), &SqliteOptions::default())
        .await
        .unwrap();
    // The temp dir goes once the case is done and the store closed.
    Fresh::with_cleanup(Arc::new(store), async move { drop(dir) })
}

ferrochat_test_support::store_conformance_tests!(crate::sqlite::fresh_store);
