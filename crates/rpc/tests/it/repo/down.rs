//! A repo that is down, stopped or silent fails each call with
//! `StoreError::Unavailable` within the client's timeout; it never hangs
//! the caller. A peer that answers but is no repo is `Other`.

use std::time::{Duration, Instant};

use ferrochat_domain::UserId;
use ferrochat_ports::{AccountStore, MessageStore, Store, StoreError};
use ferrochat_rpc::{RepoClient, RetryConfig};
use tokio::net::TcpListener;

use super::Repo;

const TIMEOUT: Duration = Duration::from_millis(500);
/// Hang guard only: scheduling slack on a busy 2-core machine.
const SLACK: Duration = Duration::from_secs(5);

/// Calls that give up after `deadline`.
fn within(deadline: Duration) -> RetryConfig {
    RetryConfig {
        deadline,
        ..RetryConfig::default()
    }
}

fn unavailable<T: std::fmt::Debug>(r: Result<T, StoreError>) {
    assert!(matches!(r, Err(StoreError::Unavailable(_))), "{r:?}");
}

#[tokio::test]
async fn a_stopped_repo_is_unavailable() {
    let repo = Repo::start().await;
    let client = repo.client(TIMEOUT);
    client.ping().await.unwrap();
    assert_eq!(client.user(&UserId::generate()).await.unwrap(), None);

    repo.stop().await;
    for _ in 0..3 {
        let start = Instant::now();
        unavailable(client.ping().await);
        unavailable(client.user(&UserId::generate()).await);
        assert!(
            start.elapsed() < 2 * TIMEOUT + SLACK,
            "{:?}",
            start.elapsed()
        );
    }
}

#[tokio::test]
async fn a_repo_never_started_is_unavailable() {
    // A port nobody listens on.
    let addr = {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap()
    };
    let client = RepoClient::connect_lazy(addr, TIMEOUT, within(TIMEOUT)).unwrap();
    unavailable(client.ping().await);
    unavailable(client.commit_messages(&[]).await);
}

#[tokio::test]
async fn a_silent_repo_is_unavailable_after_the_timeout() {
    // Accepts connections, then never says a word.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let client = RepoClient::connect_lazy(addr, TIMEOUT, within(TIMEOUT)).unwrap();
    let start = Instant::now();
    unavailable(client.user(&UserId::generate()).await);
    assert!(start.elapsed() < TIMEOUT + SLACK, "{:?}", start.elapsed());
}

#[tokio::test]
async fn a_peer_that_is_not_a_repo_is_other_not_unavailable() {
    // A logic where the repo should be: it answers, but not as a repo
    // (UNIMPLEMENTED). Retrying will not help, so this is no `Unavailable`.
    let served = crate::fake::serve(crate::fake::Fake::new()).await;
    let client = RepoClient::connect_lazy(served.addr, TIMEOUT, within(TIMEOUT)).unwrap();
    let r = client.ping().await;
    assert!(
        matches!(&r, Err(StoreError::Other(e)) if e.to_string().contains("Unimplemented")),
        "{r:?}"
    );
}
