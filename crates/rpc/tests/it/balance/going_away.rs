//! A logic shutting down gracefully sends GOAWAY naming the last call it
//! will answer; HTTP/2 guarantees the later ones never ran, so the
//! balanced client sends them to another instance, even a call that may
//! not run twice (joining a group): a rolling restart fails none. A call
//! reset in transit may have run, and such a call is not sent again.

use std::sync::atomic::Ordering;

use ferrochat_domain::{ErrorKind, GroupId, UserId};
use ferrochat_ports::GroupsApi;
use ferrochat_rpc::LogicClient;

use super::{config, instances_are, logic, Listed};
use crate::fake::{serve, Fake};
use crate::h2_peer::{peer, Refusal};

/// Calls in a row: enough for the balancer to pick the refusing peer
/// many times over (it picks between two at random when both are idle).
const CALLS: usize = 24;

#[tokio::test]
async fn calls_a_logic_going_away_never_ran_and_go_to_another_even_a_join() {
    let up = Fake::new();
    let served = serve(up.clone()).await;
    let (going, refused) = peer(Refusal::GoAway).await;
    let listed = Listed::new(vec![logic("up", served.addr), logic("going", going)]);
    let client = LogicClient::balanced(listed, config()).unwrap();
    instances_are(&client, &["going", "up"]).await;
    for _ in 0..CALLS {
        let e = client
            .join_group(&UserId::generate(), &GroupId::generate())
            .await
            .unwrap_err();
        // The fake's answer: every call reached the instance that is up.
        assert_eq!(e.kind, ErrorKind::NotFound, "not answered by logic: {e:?}");
    }
    assert_eq!(up.calls(), CALLS, "each call ran once");
    assert!(
        refused.load(Ordering::SeqCst) > 0,
        "the peer was never tried"
    );
}

#[tokio::test]
async fn a_call_reset_in_transit_may_have_run_and_is_not_sent_again() {
    let (reset, calls) = peer(Refusal::Reset).await;
    let listed = Listed::new(vec![logic("reset", reset)]);
    let client = LogicClient::balanced(listed, config()).unwrap();
    instances_are(&client, &["reset"]).await;
    let e = client
        .join_group(&UserId::generate(), &GroupId::generate())
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Internal, "{e:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 1, "sent again: {e:?}");
}
