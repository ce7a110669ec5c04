//! MariaDB and MySQL test each row's term filter before its terms when a
//! search walks a conversation (`message_search.bloom`, `bloom2`): rows stored
//! before the filter existed (every bit set, migration 0020's default)
//! and rows with their own are found alike, and a row whose filter lacks
//! the query's bits is skipped even if its terms would match (so the
//! filter is what the walk reads).

use ferrochat_domain::{ConversationKind, UserId};
use ferrochat_ports::Store;
use ferrochat_store_sql::{MysqlStore, SqlOptions};
use ferrochat_test_support::conformance::fixtures::{at, message, users, T0};
use ferrochat_test_support::conformance::search;
use sqlx::{Connection, Executor};

use crate::support::{create_mysql_db, drop_mysql_db};

/// What `viewer` finds for `q`, newest first (one page holds them all).
async fn found(store: &dyn Store, viewer: &UserId, q: &str) -> Vec<String> {
    search::found(store, viewer, q, None, None, 50).await.0
}

#[tokio::test]
async fn mysql_walks_rows_by_their_term_filter() {
    let (url, name) = create_mysql_db().await;
    let store = MysqlStore::open(&url, &SqlOptions::default())
        .await
        .unwrap();
    let s: &dyn Store = &store;
    let [a, b] = <[_; 2]>::try_from(users(s, "bloom", 2).await).unwrap();
    let ab = s.open_single(&a.id, &b.id, T0).await.unwrap();
    let single = ConversationKind::Single;
    s.commit_messages(&[
        message(&ab, single, &a.id, "m1", "quarterly report", at(1)),
        message(&ab, single, &a.id, "m2", "annual report", at(2)),
        message(&ab, single, &b.id, "m3", "weekly summary", at(3)),
    ])
    .await
    .unwrap();
    assert_eq!(
        found(s, &b.id, "report").await,
        ["annual report", "quarterly report"]
    );

    let mut conn = sqlx::MySqlConnection::connect(&url).await.unwrap();
    // As stored before the filter: every bit set, matched on its terms.
    conn.execute("UPDATE message_search SET bloom = DEFAULT, bloom2 = DEFAULT")
        .await
        .unwrap();
    assert_eq!(
        found(s, &b.id, "report").await,
        ["annual report", "quarterly report"]
    );
    assert_eq!(found(s, &b.id, "weekly summary").await, ["weekly summary"]);
    // A filter without the query's bits, in either half: the row is not
    // even matched.
    conn.execute("UPDATE message_search SET bloom2 = 0 WHERE seq = 1")
        .await
        .unwrap();
    assert_eq!(found(s, &b.id, "report").await, ["annual report"]);
    conn.execute("UPDATE message_search SET bloom = 0, bloom2 = DEFAULT WHERE seq = 2")
        .await
        .unwrap();
    assert!(found(s, &b.id, "report").await.is_empty());

    conn.close().await.unwrap();
    drop(store);
    drop_mysql_db(name).await;
}
