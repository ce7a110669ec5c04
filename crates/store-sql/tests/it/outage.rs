//! Issue 27, item 4: a brief database outage is ridden out. A private
//! server (test-support's `private_sql`) is crashed or stopped under calls and started
//! again: every call succeeds, late; acked messages are all there, once,
//! gap-free. A longer outage fails calls as `Unavailable` within their
//! deadline, and the breaker opens, then closes once the server is back.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ferrochat_domain::{ConversationKind, Seq, UserId};
use ferrochat_ports::store::HistoryQuery;
use ferrochat_ports::{Store, StoreError};
use ferrochat_store_sql::{BreakerState, MysqlStore, PostgresStore, RetryConfig, SqlOptions};
use ferrochat_test_support::conformance::fixtures::{self, text};

use ferrochat_test_support::private_sql::{Kind, PrivateServer, Stop};

/// Tasks writing and reading at once.
const WRITERS: usize = 3;
/// How long the server stays down before it is started again: with its
/// start, a restart of a few seconds.
const DOWN: Duration = Duration::from_secs(2);
/// Hang guard only: scheduling slack on a busy 2-core machine.
const SLACK: Duration = Duration::from_secs(5);

/// A store on `url`, and a way to read its breaker. The private servers
/// keep their durable defaults: opening finds nothing that can lose
/// acknowledged writes, which these tests count on.
async fn open(
    kind: Kind,
    url: &str,
    opts: &SqlOptions,
) -> (Arc<dyn Store>, impl Fn() -> BreakerState) {
    let (store, breaker): (Arc<dyn Store>, Box<dyn Fn() -> BreakerState>) = match kind {
        Kind::Mariadb => {
            let s = Arc::new(MysqlStore::open(url, opts).await.unwrap());
            assert!(s.durability().is_durable(), "{}", s.durability());
            (s.clone(), Box::new(move || s.breaker()))
        }
        Kind::Postgres => {
            let s = Arc::new(PostgresStore::open(url, opts).await.unwrap());
            assert!(s.durability().is_durable(), "{}", s.durability());
            (s.clone(), Box::new(move || s.breaker()))
        }
    };
    (store, breaker)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_ride_out_a_mariadb_crash_and_restart() {
    ride_out(Kind::Mariadb, Stop::Kill).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_ride_out_a_mariadb_restart() {
    ride_out(Kind::Mariadb, Stop::Clean).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_ride_out_a_postgres_restart() {
    ride_out(Kind::Postgres, Stop::Clean).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_ride_out_a_postgres_crash_and_restart() {
    ride_out(Kind::Postgres, Stop::Kill).await;
}

/// With the default retry settings, writers commit and read through a
/// stop and start of the server; calls made while it is down wait for
/// it, a registration (which may not run twice) included.
async fn ride_out(kind: Kind, how: Stop) {
    let mut server = PrivateServer::start(kind).await;
    let (store, _) = open(kind, &server.url(), &SqlOptions::default()).await;
    let [a, b] = <[_; 2]>::try_from(fixtures::users(&*store, "ride", 2).await).unwrap();
    let ab = store.open_single(&a.id, &b.id, fixtures::T0).await.unwrap();

    let calls = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (store, calls, stop, ab) = (store.clone(), calls.clone(), stop.clone(), ab.clone());
        let from = if w % 2 == 0 {
            a.id.clone()
        } else {
            b.id.clone()
        };
        writers.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let m = text(&ab, ConversationKind::Single, &from);
                let out = store.commit_messages(std::slice::from_ref(&m)).await;
                let committed = out.unwrap_or_else(|e| panic!("a commit failed: {e}"));
                acked.push((m.id, fixtures::stored(&committed[0]).seq));
                let page = HistoryQuery {
                    pinned: false,
                    after: None,
                    before: None,
                    limit: 5,
                    viewer: None,
                };
                let read = store.history(&ab, page).await;
                read.unwrap_or_else(|e| panic!("a read failed: {e}"));
                calls.fetch_add(1, Ordering::SeqCst);
            }
            acked
        }));
    }
    // A writer that ended early failed a call: joining it says which.
    let failed = |writers: &[tokio::task::JoinHandle<_>]| writers.iter().any(|w| w.is_finished());
    until(|| calls.load(Ordering::SeqCst) >= WRITERS * 3 || failed(&writers)).await;

    server.stop(how);
    // Made while the server is down: each waits for it.
    let down = {
        let store = store.clone();
        let ab = ab.clone();
        let from = a.id.clone();
        tokio::spawn(async move {
            let newcomer = fixtures::user(&*store, "while-down").await;
            let m = text(&ab, ConversationKind::Single, &from);
            let out = store
                .commit_messages(std::slice::from_ref(&m))
                .await
                .unwrap();
            (newcomer, m.id, fixtures::stored(&out[0]).seq)
        })
    };
    tokio::time::sleep(DOWN).await;
    server.spawn();
    let (newcomer, id, seq) = down.await.expect("calls made while it was down succeed");
    assert_eq!(store.user(&newcomer.id).await.unwrap(), Some(newcomer));

    let after = calls.load(Ordering::SeqCst) + WRITERS * 3;
    until(|| calls.load(Ordering::SeqCst) >= after || failed(&writers)).await;
    stop.store(true, Ordering::SeqCst);
    let mut acked = vec![(id, seq)];
    for w in writers {
        acked.extend(w.await.expect("no writer's call failed"));
    }

    // Every acked message is stored once, under the seq it was acked
    // with, and the seqs are gap-free.
    let (all, more) = store
        .history(
            &ab,
            HistoryQuery {
                pinned: false,
                after: Some(Seq::ZERO),
                before: None,
                limit: 10_000,
                viewer: None,
            },
        )
        .await
        .unwrap();
    assert!(!more);
    let seqs: Vec<u64> = all.iter().map(|m| m.seq.get()).collect();
    assert_eq!(seqs, (1..=all.len() as u64).collect::<Vec<_>>());
    acked.sort_by_key(|(_, s)| *s);
    let stored: Vec<_> = all.into_iter().map(|m| (m.id, m.seq)).collect();
    assert_eq!(stored, acked);
    store.close().await;
}

/// Short settings, so the test sees the deadline and the breaker.
fn impatient() -> SqlOptions {
    SqlOptions {
        acquire_timeout: Duration::from_millis(500),
        retry: RetryConfig {
            deadline: Duration::from_secs(1),
            backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(100),
            breaker_after: Duration::from_secs(2),
            probe_every: Duration::from_millis(200),
        },
        ..SqlOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_mariadb_outage_fails_calls_in_time_and_opens_the_breaker_until_it_is_back() {
    long_outage(Kind::Mariadb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_postgres_outage_fails_calls_in_time_and_opens_the_breaker_until_it_is_back() {
    long_outage(Kind::Postgres).await;
}

async fn long_outage(kind: Kind) {
    let mut server = PrivateServer::start(kind).await;
    let options = impatient();
    let deadline = options.retry.deadline;
    let (store, breaker) = open(kind, &server.url(), &options).await;
    let someone = UserId::generate();
    store.ping().await.unwrap();

    server.stop(Stop::Kill);
    // Down longer than the deadline: each call gives up within it.
    let started = Instant::now();
    let e = store.user(&someone).await.unwrap_err();
    assert!(matches!(e, StoreError::Unavailable(_)), "{e:?}");
    assert!(
        started.elapsed() < deadline + SLACK,
        "{:?}",
        started.elapsed()
    );

    // Still down past `breaker_after`: the breaker opens...
    let mut open = false;
    for _ in 0..30 {
        let e = store.ping().await.unwrap_err();
        assert!(matches!(e, StoreError::Unavailable(_)), "{e:?}");
        if breaker() == BreakerState::Open {
            open = true;
            break;
        }
    }
    assert!(open, "the breaker never opened");
    // ...and a call fails at once, saying so.
    let e = store.user(&someone).await.unwrap_err();
    assert!(
        matches!(&e, StoreError::Unavailable(why) if why.contains("breaker open")),
        "{e:?}"
    );

    // Back: a probe gets an answer and closes it.
    server.spawn();
    server.wait_ready().await;
    let mut answered = false;
    for _ in 0..100 {
        if store.user(&someone).await.is_ok() {
            answered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(answered, "no call succeeded once the server was back");
    assert_eq!(breaker(), BreakerState::Closed);
    store.ping().await.unwrap();
    store.close().await;
}

/// Polls `done` every 50 ms; a hang guard, not a speed check.
async fn until(mut done: impl FnMut() -> bool) {
    for _ in 0..1200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("gave up waiting");
}
