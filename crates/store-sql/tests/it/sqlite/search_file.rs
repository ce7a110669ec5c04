//! The search index's own file (`<database>.search`), as a stop or an
//! operator can leave it: behind its messages (a crash between the two
//! files' commits), lost, or ahead of them (the messages' file restored
//! from an older backup). The next open makes it hold exactly the
//! messages as they are now: an edit found by its new words, a recall
//! gone, each message once.

use ferrochat_domain::search::{index_terms, index_words};
use ferrochat_domain::{ConversationId, ConversationKind, Reference, Seq, User};
use ferrochat_ports::store::{MessageStore as _, NewMessage};
use ferrochat_ports::Store;
use ferrochat_store_sql::{SqliteOptions, SqliteStore};
use ferrochat_test_support::conformance::changes::referring;
use ferrochat_test_support::conformance::fixtures::{at, message, users, T0};
use ferrochat_test_support::conformance::search::found;
use sqlx::{Connection, Executor, SqliteConnection};
use tempfile::TempDir;

/// A store in a temp dir, two users and their conversation.
struct Setup {
    dir: TempDir,
    store: SqliteStore,
    a: User,
    b: User,
    ab: ConversationId,
}

impl Setup {
    async fn new(prefix: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir).await;
        let [a, b] = <[_; 2]>::try_from(users(&store, prefix, 2).await).unwrap();
        let ab = store.open_single(&a.id, &b.id, T0).await.unwrap();
        Self {
            dir,
            store,
            a,
            b,
            ab,
        }
    }

    /// A message `a` wrote in their conversation.
    fn says(&self, id: &str, text: &str, offset_ms: i64) -> NewMessage {
        let single = ConversationKind::Single;
        message(&self.ab, single, &self.a.id, id, text, at(offset_ms))
    }

    /// Closes the store and opens the index file as a plain database.
    async fn close_and_open_index(&self) -> SqliteConnection {
        self.store.close().await;
        let index = self.dir.path().join("ferrochat.db.search");
        SqliteConnection::connect(&format!("sqlite://{}", index.display()))
            .await
            .unwrap()
    }

    /// Replaces the index file's rows with `rows` (id, seq, text), written
    /// by hand, and its place with `through`.
    async fn rewrite_index(
        &self,
        conn: &mut SqliteConnection,
        rows: &[(i64, i64, &str)],
        through: i64,
    ) {
        self.rewrite_index_as(conn, rows, through, index_words)
            .await;
    }

    /// As `rewrite_index`, each text's terms made by `terms`.
    async fn rewrite_index_as(
        &self,
        conn: &mut SqliteConnection,
        rows: &[(i64, i64, &str)],
        through: i64,
        terms: fn(&str) -> String,
    ) {
        conn.execute("DELETE FROM message_search").await.unwrap();
        for (id, seq, text) in rows {
            sqlx::query(
                "INSERT INTO message_search (rowid, conversation_id, seq, terms) VALUES (?, ?, ?, ?)",
            )
            .bind(id)
            .bind(self.ab.as_str())
            .bind(seq)
            .bind(terms(text))
            .execute(&mut *conn)
            .await
            .unwrap();
        }
        sqlx::query("UPDATE indexed SET through = ?")
            .bind(through)
            .execute(&mut *conn)
            .await
            .unwrap();
    }

    /// What `b` finds for `q` in the store opened again.
    async fn finds(&self, store: &SqliteStore, q: &str) -> Vec<String> {
        found(store, &self.b.id, q, None, None, 50).await.0
    }
}

async fn open(dir: &TempDir) -> SqliteStore {
    SqliteStore::open(&dir.path().join("ferrochat.db"), &SqliteOptions::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn an_index_left_behind_its_messages_catches_up_at_the_next_open() {
    let s = Setup::new("behind").await;
    // Search ids 1 and 2.
    let first = [s.says("m1", "alpha one", 1), s.says("m2", "beta two", 2)];
    s.store.commit_messages(&first).await.unwrap();
    // 3 (the edit of 1), 4 (the recall of 2) and 5.
    let (ab, a) = (&s.ab, &s.a.id);
    s.store
        .commit_messages(&[
            referring(ab, a, "m3", "gamma one", Reference::Edit(Seq::new(1)), 3),
            referring(ab, a, "m4", "", Reference::Recall(Seq::new(2)), 4),
            s.says("m5", "delta five", 5),
        ])
        .await
        .unwrap();
    assert_eq!(s.finds(&s.store, "one").await, ["gamma one"]);

    // The index file as a crash after the first batch's rows leaves it.
    let mut conn = s.close_and_open_index().await;
    let through: i64 = sqlx::query_scalar("SELECT through FROM indexed")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(through, 5, "closed once everything committed was applied");
    s.rewrite_index(&mut conn, &[(1, 1, "alpha one"), (2, 2, "beta two")], 2)
        .await;
    conn.close().await.unwrap();

    let store = open(&s.dir).await;
    assert!(
        s.finds(&store, "alpha").await.is_empty(),
        "the edit was applied"
    );
    assert_eq!(s.finds(&store, "gamma").await, ["gamma one"]);
    assert!(
        s.finds(&store, "beta").await.is_empty(),
        "the recall was applied"
    );
    assert_eq!(
        s.finds(&store, "five").await,
        ["delta five"],
        "the missed message"
    );
    assert_eq!(s.finds(&store, "one").await, ["gamma one"], "once");
    store.close().await;
}

/// A database whose index file is gone (lost, or one from before the
/// index had a file of its own) gets it back at the next open.
#[tokio::test]
async fn a_lost_index_file_is_rebuilt_from_the_messages_at_the_next_open() {
    let s = Setup::new("lost").await;
    let batch: Vec<_> = (0..300)
        .map(|i| s.says(&format!("m{i}"), &format!("note {i}"), i))
        .collect();
    s.store.commit_messages(&batch).await.unwrap();
    s.close_and_open_index().await.close().await.unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let file = s.dir.path().join(format!("ferrochat.db.search{suffix}"));
        if file.exists() {
            std::fs::remove_file(file).unwrap();
        }
    }

    let store = open(&s.dir).await;
    let mut all = Vec::new();
    let mut before = None;
    loop {
        let (texts, next) = found(&store, &s.b.id, "note", None, before, 50).await;
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

/// An index file ahead of its messages is built again: its rows named
/// seqs that may now hold other messages.
#[tokio::test]
async fn an_index_file_ahead_of_its_messages_is_built_again() {
    let s = Setup::new("ahead").await;
    let first = [s.says("m1", "real words", 1)];
    s.store.commit_messages(&first).await.unwrap();

    // A newer index: a row for seq 1 with other words, and a place past
    // every id the messages' file handed out.
    let mut conn = s.close_and_open_index().await;
    s.rewrite_index(&mut conn, &[(7, 1, "ghost words")], 7)
        .await;
    conn.close().await.unwrap();

    let store = open(&s.dir).await;
    assert!(s.finds(&store, "ghost").await.is_empty());
    assert_eq!(s.finds(&store, "words").await, ["real words"]);
    store.close().await;
}

/// An index file of the previous version (terms encoded as hex, before
/// they were kept as the words) is built again at the open: a query's
/// words would find nothing in it.
#[tokio::test]
async fn an_index_file_of_the_previous_version_is_built_again() {
    let s = Setup::new("version").await;
    s.store
        .commit_messages(&[s.says("m1", "older words", 1)])
        .await
        .unwrap();

    // The file as the previous version wrote it, caught up.
    let mut conn = s.close_and_open_index().await;
    s.rewrite_index_as(&mut conn, &[(1, 1, "older words")], 1, index_terms)
        .await;
    conn.execute("PRAGMA user_version = 0").await.unwrap();
    conn.close().await.unwrap();

    let store = open(&s.dir).await;
    assert_eq!(s.finds(&store, "older").await, ["older words"]);
    store.close().await;
    let mut conn = s.close_and_open_index().await;
    let version: i64 = sqlx::query_scalar("PRAGMA user_version")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(version, 1);
}

/// The indexer's threads run below the normal priority (nice 10 on
/// Linux), so the commit path's threads go first when both want a core.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn the_indexer_thread_yields_to_the_commit_path() {
    let s = Setup::new("nice").await;
    // The nice value of each thread named `name` (a thread of this process
    // that ended while it was listed, another test's, is left out).
    let nice_of_threads = |name: &str| -> Vec<i64> {
        let tasks = std::fs::read_dir("/proc/self/task").unwrap();
        tasks
            .filter_map(|t| {
                let task = t.ok()?.path();
                let comm = std::fs::read_to_string(task.join("comm")).ok()?;
                let stat = std::fs::read_to_string(task.join("stat")).ok()?;
                // After the name in parentheses: state (field 3) ... nice (19).
                let after_name = &stat[stat.rfind(')').unwrap() + 1..];
                let nice = after_name.split_whitespace().nth(16).unwrap();
                (comm.trim_end() == name).then(|| nice.parse().unwrap())
            })
            .collect()
    };
    // Its own thread and its SQLite connection's.
    for name in ["search-indexer", "search-index-db"] {
        let nice = nice_of_threads(name);
        assert!(!nice.is_empty(), "no thread named {name}");
        assert!(
            nice.iter().all(|n| *n == 10),
            "{name}: nice values {nice:?}"
        );
    }
    // And it indexes.
    s.store
        .commit_messages(&[s.says("m1", "lowly words", 1)])
        .await
        .unwrap();
    assert_eq!(s.finds(&s.store, "lowly").await, ["lowly words"]);
    s.store.close().await;
}
