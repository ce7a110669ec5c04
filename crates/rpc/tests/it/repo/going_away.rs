//! A repo that shuts down gracefully sends GOAWAY naming the last stream
//! it will process; HTTP/2 guarantees the later ones never ran, so the
//! client sends them again, even a call that may not run twice. Any other
//! HTTP/2 failure under a call may have come after the call ran: such a
//! call is sent again only if it may run twice, and a caller who gets no
//! answer is told the repo is unavailable, not that it failed.
//!
//! The peer (`h2_peer.rs`) speaks just enough HTTP/2 by hand to say
//! exactly that (a real repo says it only when its shutdown races a call:
//! `restart.rs`).

use std::sync::atomic::Ordering;
use std::time::Duration;

use ferrochat_domain::{Avatar, Nickname, User, UserId, Username};
use ferrochat_ports::{AccountStore, StoreError};
use ferrochat_rpc::{RepoClient, RetryConfig};
use ferrochat_test_support::conformance::fixtures::T0;

use crate::h2_peer::{peer, Refusal};

const ATTEMPT: Duration = Duration::from_millis(500);

fn client(addr: std::net::SocketAddr) -> RepoClient {
    let retry = RetryConfig {
        deadline: Duration::from_secs(1),
        backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(100),
        ..RetryConfig::default()
    };
    RepoClient::connect_lazy(addr, ATTEMPT, retry).unwrap()
}

fn someone() -> User {
    User {
        discoverable: true,
        deleted: false,
        email: None,
        status: Default::default(),
        admin: false,
        disabled_until: None,
        sanctions: Default::default(),
        id: UserId::generate(),
        username: Username::parse("goaway".to_owned()).unwrap(),
        nickname: Nickname::parse("Go Away".to_owned()).unwrap(),
        avatar: Avatar::from_stored(String::new()),
        created_at: T0,
    }
}

#[tokio::test]
async fn a_call_after_a_graceful_goaway_never_ran_and_is_sent_again() {
    let (addr, calls) = peer(Refusal::GoAway).await;
    // An insert may not run twice: sent again only because it never ran.
    let e = client(addr)
        .insert_user(&someone(), "argon2-hash")
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Unavailable(_)), "{e:?}");
    assert!(calls.load(Ordering::SeqCst) > 1, "sent once only: {e}");
}

#[tokio::test]
async fn a_call_reset_in_transit_is_unavailable_and_sent_again_only_if_it_may_run_twice() {
    let (addr, calls) = peer(Refusal::Reset).await;
    let client = client(addr);
    let e = client
        .insert_user(&someone(), "argon2-hash")
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Unavailable(_)), "{e:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 1, "may have run: sent once");

    let e = client.user(&UserId::generate()).await.unwrap_err();
    assert!(matches!(e, StoreError::Unavailable(_)), "{e:?}");
    assert!(calls.load(Ordering::SeqCst) > 2, "a read is sent again");
}
