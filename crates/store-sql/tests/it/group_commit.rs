//! The SQL servers' group commit (`src/commit.rs`) beyond the conformance
//! suite: batches over the same conversations, in every order, never
//! deadlock (the store is opened so that it never retries, so a deadlock
//! would fail a commit instead of being ridden out), and a batch over more
//! conversations and messages than one statement takes is committed whole.

use std::sync::Arc;
use std::time::Duration;

use ferrochat_domain::{ConversationId, ConversationKind, Seq, UserId};
use ferrochat_ports::store::HistoryQuery;
use ferrochat_ports::Store;
use ferrochat_store_sql::{MysqlStore, PostgresStore, RetryConfig, SqlOptions};
use ferrochat_test_support::conformance::fixtures::{self, stored, text};

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
    match server {
        Server::Mariadb => {
            let (url, name) = support::create_mysql_db().await;
            let store = Arc::new(MysqlStore::open(&url, &never_retry()).await.unwrap());
            case(store.clone()).await;
            store.close().await;
            support::drop_mysql_db(name).await;
        }
        Server::Postgres => {
            let (url, name) = support::create_postgres_db().await;
            let store = Arc::new(PostgresStore::open(&url, &never_retry()).await.unwrap());
            case(store.clone()).await;
            store.close().await;
            support::drop_postgres_db(name).await;
        }
    }
}

/// The seqs of a conversation's history, oldest first.
async fn seqs(store: &dyn Store, c: &ConversationId) -> Vec<u64> {
    let mut out = Vec::new();
    let mut after = Seq::ZERO;
    loop {
        let query = HistoryQuery {
            pinned: false,
            after: Some(after),
            before: None,
            limit: 100,
            viewer: None,
        };
        let (page, _) = store.history(c, query).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.seq;
        out.extend(page.iter().map(|m| m.seq.get()));
    }
    out
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
