//! A logic that is down, or up but silent, fails each call with an
//! internal error within the client's timeout; it never hangs the caller.

use std::time::{Duration, Instant};

use ferrochat_domain::{ErrorKind, UserId};
use ferrochat_ports::{AccountsApi, SocialApi};
use ferrochat_rpc::LogicClient;
use tokio::net::TcpListener;

use crate::fake::{serve, Fake};

const TIMEOUT: Duration = Duration::from_millis(500);
/// Scheduling slack on a busy 2-core machine.
const SLACK: Duration = Duration::from_secs(2);

#[tokio::test]
async fn a_logic_that_is_down_gives_an_internal_error_at_once() {
    // A port nobody listens on.
    let addr = {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap()
    };
    let client = LogicClient::connect_lazy(addr, TIMEOUT).unwrap();
    for _ in 0..3 {
        let start = Instant::now();
        let e = client.user(&UserId::generate()).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Internal, "{e:?}");
        assert!(e.message.starts_with("internal error"), "{e:?}");
        assert!(start.elapsed() < TIMEOUT + SLACK, "{:?}", start.elapsed());
    }
    // Calls without an answer fail quietly for the caller, too.
    client.came_online(&UserId::generate()).await;
}

#[tokio::test]
async fn a_silent_logic_times_out() {
    // Accepts connections, then never says a word.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let client = LogicClient::connect_lazy(addr, TIMEOUT).unwrap();
    let start = Instant::now();
    let e = client.user(&UserId::generate()).await.unwrap_err();
    let took = start.elapsed();
    assert_eq!(e.kind, ErrorKind::Internal, "{e:?}");
    assert!(e.message.starts_with("internal error"), "{e:?}");
    assert!(took < TIMEOUT + SLACK, "took {took:?}");
}

#[tokio::test]
async fn the_client_reaches_a_logic_that_starts_later() {
    let fake = Fake::new();
    let served = serve(fake.clone()).await;
    let addr = served.addr;
    drop(served);
    // Give the server a moment to let go of the port.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let client = LogicClient::connect_lazy(addr, TIMEOUT).unwrap();
    let e = client.user(&UserId::generate()).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Internal, "{e:?}");

    // Logic comes up on the same address: the next call dials again.
    let listener = TcpListener::bind(addr).await.unwrap();
    let apis = ferrochat_rpc::LogicApis {
        accounts: fake.clone(),
        messaging: fake.clone(),
        groups: fake.clone(),
        social: fake.clone(),
        moderation: fake.clone(),
        attachments: fake.clone(),
    };
    let cancel = tokio_util::sync::CancellationToken::new();
    tokio::spawn(ferrochat_rpc::serve(
        listener,
        ferrochat_rpc::LogicServer::new(apis),
        cancel.clone(),
    ));
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let e = client.user(&UserId::generate()).await.unwrap_err();
        if e.kind == ErrorKind::NotFound {
            break; // the fake's answer: logic was reached
        }
        assert!(Instant::now() < deadline, "never reconnected: {e:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    cancel.cancel();
}
