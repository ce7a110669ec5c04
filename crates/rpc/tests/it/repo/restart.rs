//! Issue 27, item 4: a brief repo outage is ridden out. The repo stops
//! serving (its port closed) under calls and comes back on the same port
//! within the deadline: every call succeeds, late, and every acked
//! message is stored once, gap-free. A longer outage fails calls as
//! `Unavailable` within their deadline and opens the client's breaker,
//! which closes once the repo answers again. (A repo process SIGKILLed
//! under sends: `crates/ferrochat/tests/it/repo_outage.rs`.)

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ferrochat_domain::{ConversationKind, Seq, UserId};
use ferrochat_ports::store::HistoryQuery;
use ferrochat_ports::{AccountStore, Store, StoreError};
use ferrochat_rpc::{RepoBreakerState, RepoClient, RetryConfig};
use ferrochat_test_support::conformance::fixtures::{self, text};
use tokio::task::JoinHandle;

use super::Repo;

/// One attempt; generous, as for the conformance suite.
const ATTEMPT: Duration = Duration::from_secs(10);
const WRITERS: usize = 3;
/// How long the repo stays down: with a 10-s deadline, ridden out.
const DOWN: Duration = Duration::from_secs(2);
/// Hang guard only: scheduling slack on a busy 2-core machine.
const SLACK: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_ride_out_a_repo_restart() {
    let mut repo = Repo::start().await;
    // The default retry settings: a 10-s deadline.
    let client = RepoClient::connect_lazy(repo.addr, ATTEMPT, RetryConfig::default()).unwrap();
    let client: Arc<dyn Store> = Arc::new(client);
    let [a, b] = <[_; 2]>::try_from(fixtures::users(&*client, "ride", 2).await).unwrap();
    let ab = client
        .open_single(&a.id, &b.id, fixtures::T0)
        .await
        .unwrap();

    let calls = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (client, calls, stop, ab) = (client.clone(), calls.clone(), stop.clone(), ab.clone());
        let from = if w % 2 == 0 {
            a.id.clone()
        } else {
            b.id.clone()
        };
        writers.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let m = text(&ab, ConversationKind::Single, &from);
                let out = client.commit_messages(std::slice::from_ref(&m)).await;
                let committed = out.unwrap_or_else(|e| panic!("a commit failed: {e}"));
                acked.push((m.id, fixtures::stored(&committed[0]).seq));
                let page = HistoryQuery {
                    pinned: false,
                    after: None,
                    before: None,
                    limit: 5,
                    viewer: None,
                };
                let read = client.history(&ab, page).await;
                read.unwrap_or_else(|e| panic!("a read failed: {e}"));
                calls.fetch_add(1, Ordering::SeqCst);
            }
            acked
        }));
    }
    let failed = |writers: &[JoinHandle<_>]| writers.iter().any(|w| w.is_finished());
    until(|| calls.load(Ordering::SeqCst) >= WRITERS * 3 || failed(&writers)).await;

    repo.halt().await;
    // Made while the repo is down: each waits for it; a registration,
    // which may not run twice, too (it never reached the repo).
    let down = {
        let (client, ab, from) = (client.clone(), ab.clone(), a.id.clone());
        tokio::spawn(async move {
            let newcomer = fixtures::user(&*client, "while-down").await;
            let m = text(&ab, ConversationKind::Single, &from);
            let out = client
                .commit_messages(std::slice::from_ref(&m))
                .await
                .unwrap();
            (newcomer, m.id, fixtures::stored(&out[0]).seq)
        })
    };
    tokio::time::sleep(DOWN).await;
    repo.resume().await;
    let (newcomer, id, seq) = down.await.expect("calls made while it was down succeed");
    assert_eq!(client.user(&newcomer.id).await.unwrap(), Some(newcomer));

    let after = calls.load(Ordering::SeqCst) + WRITERS * 3;
    until(|| calls.load(Ordering::SeqCst) >= after || failed(&writers)).await;
    stop.store(true, Ordering::SeqCst);
    let mut acked = vec![(id, seq)];
    for w in writers {
        acked.extend(w.await.expect("no writer's call failed"));
    }
    let all = HistoryQuery {
        pinned: false,
        after: Some(Seq::ZERO),
        before: None,
        limit: 10_000,
        viewer: None,
    };
    let (all, _) = client.history(&ab, all).await.unwrap();
    let seqs: Vec<u64> = all.iter().map(|m| m.seq.get()).collect();
    assert_eq!(seqs, (1..=all.len() as u64).collect::<Vec<_>>());
    acked.sort_by_key(|(_, s)| *s);
    let stored: Vec<_> = all.into_iter().map(|m| (m.id, m.seq)).collect();
    assert_eq!(stored, acked, "every acked message once, under its seq");
    repo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_repo_outage_fails_calls_in_time_and_opens_the_breaker_until_it_is_back() {
    let mut repo = Repo::start().await;
    let retry = RetryConfig {
        deadline: Duration::from_secs(1),
        backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(100),
        breaker_after: Duration::from_secs(2),
        probe_every: Duration::from_millis(200),
    };
    let deadline = retry.deadline;
    let attempt = Duration::from_millis(500);
    let client = RepoClient::connect_lazy(repo.addr, attempt, retry).unwrap();
    let someone = UserId::generate();
    client.ping().await.unwrap();

    repo.halt().await;
    let started = Instant::now();
    let e = client.user(&someone).await.unwrap_err();
    assert!(matches!(e, StoreError::Unavailable(_)), "{e:?}");
    assert!(
        started.elapsed() < deadline + SLACK,
        "{:?}",
        started.elapsed()
    );

    let mut open = false;
    for _ in 0..30 {
        let e = client.ping().await.unwrap_err();
        assert!(matches!(e, StoreError::Unavailable(_)), "{e:?}");
        if client.breaker() == RepoBreakerState::Open {
            open = true;
            break;
        }
    }
    assert!(open, "the breaker never opened");
    let e = client.user(&someone).await.unwrap_err();
    assert!(
        matches!(&e, StoreError::Unavailable(why) if why.contains("breaker open")),
        "{e:?}"
    );

    repo.resume().await;
    let mut answered = false;
    for _ in 0..100 {
        if client.user(&someone).await.is_ok() {
            answered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(answered, "no call succeeded once the repo was back");
    assert_eq!(client.breaker(), RepoBreakerState::Closed);
    repo.stop().await;
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
