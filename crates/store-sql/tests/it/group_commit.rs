//! The SQL servers' group commit (`src/commit.rs`) beyond the conformance
//! suite: batches over the same conversations, in every order, never
//! deadlock (the store is opened so that it never retries, so a deadlock
//! would fail a commit instead of being ridden out), and a batch over more
//! conversations and messages than one statement takes is committed whole.

use std::sync::Arc;
use std::time::Duration;

use ferrochat_domain::{ConversationId, ConversationKind, UserId};
use ferrochat_ports::Store;
use ferrochat_store_sql::{MysqlStore, PostgresStore, RetryConfig, SqlOptions};
use ferrochat_test_support::conformance::fixtures::{self, stored, text};
use sqlx::Connection;

use crate::support;

const GROUP: ConversationKind = ConversationKind::Group;

/// A store that gives up at its first failed attempt: the first pause
/// (`backoff`) never fits before the deadline. The deadline is a hang
/// guard, not a speed check.
fn never_retry() -> SqlOptions {
    let long = Duration::from_secs(60);
    SqlOptions {
        max_connections: 8,
        retry: RetryConfig {
            deadline: long,
            backoff: long,
            max_backoff: long,
            breaker_after: 2 * long,
            probe_every: long,
        },
        ..SqlOptions::default()
    }
}

#[derive(Clone, Copy)]
enum Server {
    Mariadb,
    Postgres,
}

/// Runs `case` on a fresh database of the test server, with a store
/// that never retries; drops the database after.
async fn with_store<F, Fut>(server: Server, case: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    with_store_at(server, never_retry(), |store, _| case(store)).await;
}

/// `with_store` with the store's options, `case` also given the
/// database's URL.
async fn with_store_at<F, Fut>(server: Server, options: SqlOptions, case: F)
where
    F: FnOnce(Arc<dyn Store>, String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    match server {
        Server::Mariadb => {
            let (url, name) = support::create_mysql_db().await;
            let store = Arc::new(MysqlStore::open(&url, &options).await.unwrap());
            case(store.clone(), url).await;
            store.close().await;
            support::drop_mysql_db(name).await;
        }
        Server::Postgres => {
            let (url, name) = support::create_postgres_db().await;
            let store = Arc::new(PostgresStore::open(&url, &options).await.unwrap());
            case(store.clone(), url).await;
            store.close().await;
            support::drop_postgres_db(name).await;
        }
    }
}

/// Runs `sql` on the database at `url`, on a connection of its own.
async fn run_sql(server: Server, url: &str, sql: &str) {
    match server {
        Server::Mariadb => {
            let mut conn = sqlx::MySqlConnection::connect(url).await.unwrap();
            // A hang guard: DDL waits for every open transaction on its
            // table, a year by default.
            sqlx::raw_sql("SET SESSION lock_wait_timeout = 20")
                .execute(&mut conn)
                .await
                .unwrap();
            sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
            conn.close().await.unwrap();
        }
        Server::Postgres => {
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
            conn.close().await.unwrap();
        }
    }
}

/// The seqs of a conversation's history, oldest first.
async fn seqs(store: &dyn Store, c: &ConversationId) -> Vec<u64> {
    fixtures::history(store, c)
        .await
        .iter()
        .map(|m| m.seq.get())
        .collect()
}

/// Writers each commit batches over all of the same conversations, each
/// in its own order (rotated, reversed, interleaved), with two senders
/// per conversation, so every pair of batches contends for every row the
/// commit locks: conversations, member cursors, the dedup index.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_batches_in_any_order_never_deadlock() {
    batches_in_any_order_never_deadlock(Server::Mariadb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_batches_in_any_order_never_deadlock() {
    batches_in_any_order_never_deadlock(Server::Postgres).await;
}

async fn batches_in_any_order_never_deadlock(server: Server) {
    const CONVERSATIONS: usize = 12;
    const WRITERS: usize = 6;
    const ROUNDS: usize = 8;
    with_store(server, |store| async move {
        let [owner, member] = <[_; 2]>::try_from(fixtures::users(&*store, "lock", 2).await)
            .unwrap_or_else(|_| unreachable!());
        let mut convs = Vec::new();
        for _ in 0..CONVERSATIONS {
            let g = fixtures::group(&*store, &owner.id, std::slice::from_ref(&member.id), 10).await;
            convs.push(g.conversation_id);
        }
        let tasks: Vec<_> = (0..WRITERS)
            .map(|w| {
                let store = store.clone();
                let senders = [owner.id.clone(), member.id.clone()];
                let order = order(&convs, w);
                tokio::spawn(async move {
                    for round in 0..ROUNDS {
                        let batch: Vec<_> = order
                            .iter()
                            .flat_map(|c| {
                                // Which sender comes first alternates, so
                                // cursor rows are met in both orders too.
                                let (a, b) = if (w + round) % 2 == 0 { (0, 1) } else { (1, 0) };
                                [text(c, GROUP, &senders[a]), text(c, GROUP, &senders[b])]
                            })
                            .collect();
                        if let Err(e) = store.commit_messages(&batch).await {
                            panic!("writer {w}, round {round}: {e}");
                        }
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        let all = u64::try_from(WRITERS * ROUNDS * 2).unwrap();
        for c in &convs {
            assert_eq!(seqs(&*store, c).await, (1..=all).collect::<Vec<_>>());
        }
        for user in [&owner.id, &member.id] {
            let views = store.conversations_of(user).await.unwrap();
            for view in views.iter().filter(|v| convs.contains(&v.id)) {
                assert_eq!(view.last_seq.get(), all);
                // Each sent in every batch; the last batch's last
                // message may be the other's.
                assert!(view.read_seq.get() >= all - 1, "{view:?}");
            }
        }
    })
    .await;
}

/// Writer `w`'s order of the conversations: a rotation, every other one
/// reversed, every third one with its halves interleaved.
fn order(convs: &[ConversationId], w: usize) -> Vec<ConversationId> {
    let mut o = convs.to_vec();
    o.rotate_left(w % convs.len());
    if w % 2 == 1 {
        o.reverse();
    }
    if w % 3 == 2 {
        let (a, b) = o.split_at(o.len() / 2);
        o = a
            .iter()
            .zip(b)
            .flat_map(|(x, y)| [y.clone(), x.clone()])
            .collect();
    }
    o
}

/// One batch over more conversations than one statement locks or
/// updates (500 rows each) and more messages than one INSERT takes: every
/// conversation gets its seqs, its last_seq and the sender's cursor.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_a_batch_larger_than_a_statement_is_committed_whole() {
    a_batch_larger_than_a_statement_is_committed_whole(Server::Mariadb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_batch_larger_than_a_statement_is_committed_whole() {
    a_batch_larger_than_a_statement_is_committed_whole(Server::Postgres).await;
}

async fn a_batch_larger_than_a_statement_is_committed_whole(server: Server) {
    const CONVERSATIONS: usize = 520;
    with_store(server, |store| async move {
        let [a, b] = <[_; 2]>::try_from(fixtures::users(&*store, "wide", 2).await)
            .unwrap_or_else(|_| unreachable!());
        let mut convs = Vec::new();
        for _ in 0..CONVERSATIONS {
            let g = fixtures::group(&*store, &a.id, std::slice::from_ref(&b.id), 10).await;
            convs.push(g.conversation_id);
        }
        // Two messages each: 1,040, three INSERTs' worth; b's second.
        let senders: [&UserId; 2] = [&a.id, &b.id];
        let batch: Vec<_> = convs
            .iter()
            .flat_map(|c| senders.map(|s| text(c, GROUP, s)))
            .collect();
        let out = store.commit_messages(&batch).await.unwrap();
        assert_eq!(out.len(), batch.len());
        for (i, c) in out.iter().enumerate() {
            let m = stored(c);
            assert_eq!(m.id, batch[i].id);
            assert_eq!(m.seq.get(), u64::try_from(i % 2 + 1).unwrap());
        }
        // The next batch continues every conversation at 3.
        let next: Vec<_> = convs.iter().map(|c| text(c, GROUP, &a.id)).collect();
        for c in store.commit_messages(&next).await.unwrap() {
            assert_eq!(stored(&c).seq.get(), 3);
        }
        for (user, read) in [(&a.id, 3), (&b.id, 2)] {
            let views = store.conversations_of(user).await.unwrap();
            let groups: Vec<_> = views.iter().filter(|v| convs.contains(&v.id)).collect();
            assert_eq!(groups.len(), CONVERSATIONS);
            for v in groups {
                assert_eq!((v.last_seq.get(), v.read_seq.get()), (3, read), "{v:?}");
            }
        }
    })
    .await;
}

/// A commit that fails in its writes (here the last, the search index
/// row, refused by a trigger the test adds) stores nothing, and the
/// connection it failed on serves the next commit with no part of it: on
/// MariaDB the writes and COMMIT go in one request, which the server stops
/// at the failure, so the chain must not hand back a connection still in
/// the failed transaction. The store has one connection, so the next
/// commit gets that same one, unless it was closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_a_commit_failing_in_its_writes_stores_nothing() {
    let refuse = "CREATE TRIGGER refuse_index BEFORE INSERT ON message_search FOR EACH ROW \
                  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the test'";
    failing_writes_store_nothing(Server::Mariadb, refuse, "DROP TRIGGER refuse_index").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_commit_failing_in_its_writes_stores_nothing() {
    let refuse = "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS \
                  $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$; \
                  CREATE TRIGGER refuse_index BEFORE INSERT ON message_search \
                  FOR EACH ROW EXECUTE FUNCTION refuse()";
    let allow = "DROP TRIGGER refuse_index ON message_search";
    failing_writes_store_nothing(Server::Postgres, refuse, allow).await;
}

/// `never_retry` with a single connection.
fn one_connection() -> SqlOptions {
    SqlOptions {
        max_connections: 1,
        ..never_retry()
    }
}

/// The case on `server`: `refuse` makes the database refuse every search
/// index row, `allow` takes that back.
async fn failing_writes_store_nothing(server: Server, refuse: &str, allow: &str) {
    with_store_at(server, one_connection(), |store, url| async move {
        let [a, b] = <[_; 2]>::try_from(fixtures::users(&*store, "fail", 2).await)
            .unwrap_or_else(|_| unreachable!());
        let g = fixtures::group(&*store, &a.id, std::slice::from_ref(&b.id), 10).await;
        let c = g.conversation_id;
        let first = store
            .commit_messages(&[text(&c, GROUP, &a.id)])
            .await
            .unwrap();
        assert_eq!(stored(&first[0]).seq.get(), 1);
        run_sql(server, &url, refuse).await;
        let failed = [text(&c, GROUP, &a.id), text(&c, GROUP, &b.id)];
        let err = store.commit_messages(&failed).await.unwrap_err();
        assert!(err.to_string().contains("refused by the test"), "{err}");
        run_sql(server, &url, allow).await;
        // Seq 2, not 4: nothing of the failed batch took a seq or was kept.
        let next = store
            .commit_messages(&[text(&c, GROUP, &b.id)])
            .await
            .unwrap();
        assert_eq!(stored(&next[0]).seq.get(), 2);
        let kept: Vec<_> = fixtures::history(&*store, &c)
            .await
            .into_iter()
            .map(|m| (m.seq.get(), m.id))
            .collect();
        let (first, next) = (stored(&first[0]), stored(&next[0]));
        assert_eq!(kept, [(1, first.id.clone()), (2, next.id.clone())]);
        // The failed batch's first message can be sent again: its key was not taken.
        let again = store.commit_messages(&failed[..1]).await.unwrap();
        assert_eq!(stored(&again[0]).seq.get(), 3);
    })
    .await;
}

/// Batches of the largest messages (16 KiB, the default content limit):
/// 300 of them are more than one joined request may carry as text (on
/// MariaDB their INSERT goes alone, its values bound), 100 more than the
/// writes held back at once (sent before the rest); each is stored whole
/// and in order either way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_batches_of_the_largest_messages_are_committed_whole() {
    batches_of_the_largest_messages_are_committed_whole(Server::Mariadb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_batches_of_the_largest_messages_are_committed_whole() {
    batches_of_the_largest_messages_are_committed_whole(Server::Postgres).await;
}

async fn batches_of_the_largest_messages_are_committed_whole(server: Server) {
    with_store(server, |store| async move {
        let [a, b] = <[_; 2]>::try_from(fixtures::users(&*store, "large", 2).await)
            .unwrap_or_else(|_| unreachable!());
        let g = fixtures::group(&*store, &a.id, std::slice::from_ref(&b.id), 10).await;
        let c = g.conversation_id;
        let mut sent = Vec::new();
        for size in [300, 100] {
            let batch: Vec<_> = (0..size)
                .map(|i| {
                    let n = sent.len() + i;
                    let mut content = format!("message {n}:");
                    while content.len() < 16 * 1024 - 16 {
                        content.push_str(&format!(" w{n}'\\?"));
                    }
                    fixtures::message(
                        &c,
                        GROUP,
                        &a.id,
                        &format!("large-{n}"),
                        &content,
                        fixtures::at(1),
                    )
                })
                .collect();
            let out = store.commit_messages(&batch).await.unwrap();
            for (new, got) in batch.iter().zip(&out) {
                assert_eq!(stored(got).content, new.content);
            }
            sent.extend(batch.into_iter().map(|m| m.content));
        }
        let kept: Vec<_> = fixtures::history(&*store, &c)
            .await
            .into_iter()
            .map(|m| m.content)
            .collect();
        assert_eq!(kept.len(), sent.len());
        assert!(kept == sent, "every message kept whole, in order");
    })
    .await;
}
