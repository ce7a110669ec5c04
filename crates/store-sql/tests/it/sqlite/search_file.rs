//! The search index's own file (`<database>.search`): an indexer left
//! behind its messages, as a crash between the two files' commits leaves
//! it, catches up at the next open, with the messages as they are now (an
//! edit found by its new words, a recall gone).

use ferrochat_domain::search::index_terms;
use ferrochat_domain::{ConversationKind, Reference, Seq};
use ferrochat_ports::store::MessageStore as _;
use ferrochat_ports::Store;
use ferrochat_store_sql::{SqliteOptions, SqliteStore};
use ferrochat_test_support::conformance::changes::referring;
use ferrochat_test_support::conformance::fixtures::{at, message, users, T0};
use ferrochat_test_support::conformance::search::found;
use sqlx::{Connection, Executor, SqliteConnection};

#[tokio::test]
async fn an_index_left_behind_its_messages_catches_up_at_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ferrochat.db");
    let store = SqliteStore::open(&path, &SqliteOptions::default())
        .await
        .unwrap();
    let [a, b] = <[_; 2]>::try_from(users(&store, "behind", 2).await).unwrap();
    let ab = store.open_single(&a.id, &b.id, T0).await.unwrap();
    let single = ConversationKind::Single;
    // Search ids 1 and 2.
    store
        .commit_messages(&[
            message(&ab, single, &a.id, "m1", "alpha one", at(1)),
            message(&ab, single, &a.id, "m2", "beta two", at(2)),
        ])
        .await
        .unwrap();
    // 3 (the edit of 1), 4 (the recall of 2) and 5.
    store
        .commit_messages(&[
            referring(
                &ab,
                &a.id,
                "m3",
                "gamma one",
                Reference::Edit(Seq::new(1)),
                3,
            ),
            referring(&ab, &a.id, "m4", "", Reference::Recall(Seq::new(2)), 4),
            message(&ab, single, &a.id, "m5", "delta five", at(5)),
        ])
        .await
        .unwrap();
    assert_eq!(
        found(&store, &b.id, "one", None, None, 20).await.0,
        ["gamma one"]
    );
    store.close().await;

    // The index file as a crash after the first batch's rows leaves it.
    let index = dir.path().join("ferrochat.db.search");
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}", index.display()))
        .await
        .unwrap();
    let through: i64 = sqlx::query_scalar("SELECT through FROM indexed")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(through, 5, "closed once everything committed was applied");
    conn.execute("DELETE FROM message_search").await.unwrap();
    for (id, text) in [(1, "alpha one"), (2, "beta two")] {
        sqlx::query(
            "INSERT INTO message_search (rowid, conversation_id, seq, terms) VALUES (?, ?, ?, ?)",
        )
        .bind(id)
        .bind(ab.as_str())
        .bind(id)
        .bind(index_terms(text))
        .execute(&mut conn)
        .await
        .unwrap();
    }
    conn.execute("UPDATE indexed SET through = 2")
        .await
        .unwrap();
    conn.close().await.unwrap();

    let store = SqliteStore::open(&path, &SqliteOptions::default())
        .await
        .unwrap();
    let finds = |q: &'static str| {
        let (store, viewer) = (&store, b.id.clone());
        async move { found(store, &viewer, q, None, None, 20).await.0 }
    };
    assert!(finds("alpha").await.is_empty(), "the edit was applied");
    assert_eq!(finds("gamma").await, ["gamma one"]);
    assert!(finds("beta").await.is_empty(), "the recall was applied");
    assert_eq!(finds("five").await, ["delta five"], "the missed message");
    assert_eq!(finds("one").await, ["gamma one"], "once");
    store.close().await;
}

/// A database whose index file is gone (lost, or one from before the
/// index had a file of its own) gets it back at the next open: every
/// message users wrote is found again, once.
#[tokio::test]
async fn a_lost_index_file_is_rebuilt_from_the_messages_at_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ferrochat.db");
    let store = SqliteStore::open(&path, &SqliteOptions::default())
        .await
        .unwrap();
    let [a, b] = <[_; 2]>::try_from(users(&store, "lost", 2).await).unwrap();
    let ab = store.open_single(&a.id, &b.id, T0).await.unwrap();
    let single = ConversationKind::Single;
    let batch: Vec<_> = (0..300)
        .map(|i| {
            message(
                &ab,
                single,
                &a.id,
                &format!("m{i}"),
                &format!("note {i}"),
                at(i),
            )
        })
        .collect();
    store.commit_messages(&batch).await.unwrap();
    store.close().await;
    drop(store);
    for suffix in ["", "-wal", "-shm"] {
        let file = dir.path().join(format!("ferrochat.db.search{suffix}"));
        if file.exists() {
            std::fs::remove_file(file).unwrap();
        }
    }

    let store = SqliteStore::open(&path, &SqliteOptions::default())
        .await
        .unwrap();
    let mut all = Vec::new();
    let mut before = None;
    loop {
        let (texts, next) = found(&store, &b.id, "note", None, before, 50).await;
        all.extend(texts);
        match next {
            Some(n) => before = Some(n),
            None => break,
        }
    }
    let expected: Vec<String> = (0..300).rev().map(|i| format!("note {i}")).collect();
    assert_eq!(all, expected, "each message once, newest first");
    store.close().await;
}
