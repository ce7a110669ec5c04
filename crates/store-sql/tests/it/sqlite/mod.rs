//! The store conformance suite against `SqliteStore`: each case on a fresh
//! database file in a temp dir of its own; the durability check
//! (`durability.rs`); the search index's own file (`search_file.rs`).

mod durability;
mod search_file;

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

// SQLite's own case: its indexer writes rows in statements of at most
// 4,096 (`search_file::insert_rows`). (On PostgreSQL a fresh database's
// tables have no statistics yet, and a word common to 4,200 rows of one
// commit ran past the 2 s search limit.)
ferrochat_test_support::store_conformance_tests!(@cases crate::sqlite::fresh_store;
    search::search_finds_each_message_of_a_batch_larger_than_one_statement,
);
