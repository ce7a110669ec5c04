//! A dead instance: idempotent calls go around it, its breaker opens; a
//! call that may not run twice is never retried; no instance at all is a
//! clear error within the deadline.

use std::convert::Infallible;
use std::future::{ready, Ready};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use ferrochat_domain::{ErrorKind, GroupId, UserId};
use ferrochat_ports::{AccountsApi, GroupsApi};
use ferrochat_rpc::{BalanceConfig, BreakerState, LogicClient};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::body::Body;
use tonic::server::NamedService;
use tonic::transport::server::TcpIncoming;
use tonic::transport::Server;
use tonic::Status;

use super::{burst, config, eventually, instances_are, logic, not_answered, state, Listed};
use crate::fake::{serve, Fake};

/// Scheduling slack on a busy 2-core machine.
const SLACK: Duration = Duration::from_secs(2);

#[tokio::test]
async fn a_dead_instance_is_gone_around_and_its_breaker_opens() {
    let (a, b) = (Fake::new(), Fake::new());
    a.delay(Duration::from_millis(2));
    b.delay(Duration::from_millis(2));
    let served_a = serve(a.clone()).await;
    let served_b = serve(b.clone()).await;
    let listed = Listed::new(vec![logic("a", served_a.addr), logic("b", served_b.addr)]);
    let client = LogicClient::balanced(listed, config()).unwrap();
    instances_are(&client, &["a", "b"]).await;
    burst(&client, 32).await;
    assert!(b.calls() > 0);

    // b dies (still listed: its lease has not expired yet). Calls it took
    // while stopping are answered once too: count both.
    drop(served_b);
    let ran = || a.calls() + b.calls();
    let before = ran();
    let mut answered = 0;
    let start = Instant::now();
    // Every idempotent call is answered while b's breaker opens.
    while !matches!(
        state(&client, "b"),
        Some(BreakerState::Open | BreakerState::HalfOpen)
    ) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "b's breaker never opened"
        );
        answered += burst(&client, 8).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    answered += burst(&client, 8).await;
    assert_eq!(ran(), before + answered, "each call ran once");
    assert_eq!(state(&client, "a"), Some(BreakerState::Closed));

    // Calls that may not run twice: each answered once by a, or failed.
    let before = ran();
    let mut answers = 0;
    for _ in 0..20 {
        let e = client.refresh("a token").await.unwrap_err();
        match e.kind {
            ErrorKind::NotFound => answers += 1,
            _ => assert!(not_answered(&e), "{e:?}"),
        }
    }
    assert_eq!(ran(), before + answers);
}

#[tokio::test]
async fn an_instance_that_just_failed_ranks_after_healthy_ones() {
    let (a, b) = (Fake::new(), Fake::new());
    let served_a = serve(a.clone()).await;
    let served_b = serve(b.clone()).await;
    let config = BalanceConfig {
        // b's breaker never opens, and one retry only: the retry must
        // not go to b, though b, failing fast, looks the quickest.
        failure_threshold: 1000,
        retries: 1,
        // How long b ranks last after each failure: well past a retry's
        // backoff, even on a busy machine.
        open_for: Duration::from_secs(1),
        ..config()
    };
    let listed = Listed::new(vec![logic("a", served_a.addr), logic("b", served_b.addr)]);
    let client = LogicClient::balanced(listed, config).unwrap();
    instances_are(&client, &["a", "b"]).await;
    burst(&client, 16).await;
    drop(served_b);
    let start = Instant::now();
    // Past a few penalties, calls one by one and in bursts.
    while start.elapsed() < Duration::from_millis(2500) {
        burst(&client, 1).await;
        burst(&client, 8).await;
    }
    assert_eq!(state(&client, "b"), Some(BreakerState::Closed));
}

/// A logic that refuses every call with UNAVAILABLE (shedding load, say),
/// and counts them.
#[derive(Clone, Default)]
struct Refusing {
    calls: Arc<AtomicUsize>,
}

impl NamedService for Refusing {
    const NAME: &'static str = "ferrochat.v1.LogicService";
}

impl tower::Service<http::Request<Body>> for Refusing {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: http::Request<Body>) -> Self::Future {
        self.calls.fetch_add(1, Ordering::SeqCst);
        ready(Ok(Status::unavailable("shedding load").into_http()))
    }
}

async fn serve_refusing(refusing: Refusing, cancel: CancellationToken) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(
        Server::builder()
            .add_service(refusing)
            .serve_with_incoming_shutdown(TcpIncoming::from(listener), cancel.cancelled_owned()),
    );
    addr
}

#[tokio::test]
async fn only_idempotent_calls_are_retried_and_never_past_the_retries() {
    let refusing = Refusing::default();
    let cancel = CancellationToken::new();
    let addr = serve_refusing(refusing.clone(), cancel.clone()).await;
    let config = BalanceConfig {
        retries: 3,
        // Keep the breaker out of it: this is about retries.
        failure_threshold: 1000,
        ..config()
    };
    let client = LogicClient::balanced(Listed::new(vec![logic("r", addr)]), config).unwrap();
    instances_are(&client, &["r"]).await;
    let calls = || refusing.calls.load(Ordering::SeqCst);

    // refresh rotates a token; joining twice is a conflict: run once.
    let e = client.refresh("a token").await.unwrap_err();
    assert!(not_answered(&e), "{e:?}");
    assert_eq!(calls(), 1);
    let e = client
        .join_group(&UserId::generate(), &GroupId::generate())
        .await
        .unwrap_err();
    assert!(not_answered(&e), "{e:?}");
    assert_eq!(calls(), 2);

    // A read: the first attempt and three retries, then the error.
    let e = client.user(&UserId::generate()).await.unwrap_err();
    assert!(not_answered(&e), "{e:?}");
    assert_eq!(calls(), 2 + 4);
    cancel.cancel();
}

#[tokio::test]
async fn application_errors_are_never_retried() {
    let fake = Fake::new();
    let served = serve(fake.clone()).await;
    let config = BalanceConfig {
        failure_threshold: 1,
        ..config()
    };
    let client = LogicClient::balanced(Listed::new(vec![logic("a", served.addr)]), config).unwrap();
    instances_are(&client, &["a"]).await;
    for kind in [
        ErrorKind::Internal,
        ErrorKind::Conflict,
        ErrorKind::InvalidParams,
    ] {
        fake.answer(ferrochat_ports::ApiError::new(kind, "no"));
        let before = fake.calls();
        let e = client.user(&UserId::generate()).await.unwrap_err();
        assert_eq!(e.kind, kind);
        assert_eq!(fake.calls(), before + 1, "{kind:?} retried");
    }
    // With a threshold of one, any counted failure would have opened it.
    assert_eq!(state(&client, "a"), Some(BreakerState::Closed));
}

#[tokio::test]
async fn no_instance_at_all_is_a_clear_error_within_the_deadline() {
    let config = BalanceConfig {
        call_timeout: Duration::from_millis(500),
        ..config()
    };
    let listed = Listed::new(Vec::new());
    let client = LogicClient::balanced(listed.clone(), config.clone()).unwrap();
    // Whether discovery has answered yet or not.
    for _ in 0..2 {
        let start = Instant::now();
        let e = client.user(&UserId::generate()).await.unwrap_err();
        assert!(not_answered(&e), "{e:?}");
        assert!(
            start.elapsed() < config.call_timeout + SLACK,
            "{:?}",
            start.elapsed()
        );
        let e = client.refresh("a token").await.unwrap_err();
        assert!(not_answered(&e), "{e:?}");
        eventually("discovery asked", || listed.asked() > 0).await;
    }
}

#[tokio::test]
async fn a_silent_instance_times_out_and_its_breaker_opens() {
    // Accepts connections, then never says a word.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let config = BalanceConfig {
        call_timeout: Duration::from_millis(300),
        failure_threshold: 2,
        open_for: Duration::from_secs(60),
        ..config()
    };
    let client =
        LogicClient::balanced(Listed::new(vec![logic("s", addr)]), config.clone()).unwrap();
    instances_are(&client, &["s"]).await;
    for _ in 0..2 {
        let start = Instant::now();
        let e = client.user(&UserId::generate()).await.unwrap_err();
        assert!(not_answered(&e), "{e:?}");
        assert!(
            start.elapsed() < config.call_timeout + SLACK,
            "{:?}",
            start.elapsed()
        );
    }
    assert_eq!(state(&client, "s"), Some(BreakerState::Open));
    // Every breaker open: calls fail at once, without queueing.
    let e = client.user(&UserId::generate()).await.unwrap_err();
    assert_eq!(e.message, "internal error: logic is unreachable", "{e:?}");
}

#[tokio::test]
async fn a_breaker_closes_again_when_its_instance_comes_back() {
    let fake = Fake::new();
    let served = serve(fake.clone()).await;
    let addr = served.addr;
    let client = LogicClient::balanced(Listed::new(vec![logic("a", addr)]), config()).unwrap();
    instances_are(&client, &["a"]).await;
    burst(&client, 4).await;

    drop(served);
    let start = Instant::now();
    while state(&client, "a") != Some(BreakerState::Open) {
        assert!(start.elapsed() < Duration::from_secs(20), "never opened");
        if let Err(e) = client.user(&UserId::generate()).await {
            assert!(e.kind == ErrorKind::NotFound || not_answered(&e), "{e:?}");
        }
    }

    // The same logic comes back on the same address: after the cool-down
    // a probe goes, succeeds, and the breaker closes.
    let listener = loop {
        match TcpListener::bind(addr).await {
            Ok(listener) => break listener,
            Err(_) => {
                assert!(
                    start.elapsed() < Duration::from_secs(20),
                    "port never freed"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    let cancel = CancellationToken::new();
    tokio::spawn(ferrochat_rpc::serve(
        listener,
        ferrochat_rpc::LogicServer::new(ferrochat_rpc::LogicApis {
            accounts: fake.clone(),
            messaging: fake.clone(),
            groups: fake.clone(),
            social: fake.clone(),
            moderation: fake.clone(),
            attachments: fake.clone(),
        }),
        cancel.clone(),
    ));
    let start = Instant::now();
    loop {
        match client.user(&UserId::generate()).await {
            Err(e) if e.kind == ErrorKind::NotFound => break,
            Err(e) => assert!(not_answered(&e), "{e:?}"),
            Ok(user) => panic!("the fake knows no user: {user:?}"),
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "never answered again"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(state(&client, "a"), Some(BreakerState::Closed));
    burst(&client, 8).await;
    cancel.cancel();
}
