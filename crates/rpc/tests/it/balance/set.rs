//! Calls spread over every instance discovery lists, and follow the list
//! as instances leave and join; discovery failing keeps the set.

use std::time::{Duration, Instant};

use ferrochat_domain::UserId;
use ferrochat_ports::AccountsApi;
use ferrochat_rpc::{BreakerState, LogicClient};

use super::{burst, config, eventually, instances_are, logic, not_answered, Listed};
use crate::fake::{serve, Fake};

/// Long enough that calls overlap, as they do under load.
const WORK: Duration = Duration::from_millis(5);

fn slow_fake() -> std::sync::Arc<Fake> {
    let fake = Fake::new();
    fake.delay(WORK);
    fake
}

#[tokio::test]
async fn calls_spread_over_every_instance_and_answers_keep_breakers_closed() {
    let (a, b) = (slow_fake(), slow_fake());
    let (served_a, served_b) = (serve(a.clone()).await, serve(b.clone()).await);
    let listed = Listed::new(vec![logic("a", served_a.addr), logic("b", served_b.addr)]);
    let client = LogicClient::balanced(listed, config()).unwrap();
    instances_are(&client, &["a", "b"]).await;

    let mut sent = 0;
    for _ in 0..5 {
        sent += burst(&client, 32).await;
    }
    assert!(
        a.calls() > 0 && b.calls() > 0,
        "a {} b {}",
        a.calls(),
        b.calls()
    );
    // Application errors are answers: none was sent twice, no breaker moved.
    assert_eq!(a.calls() + b.calls(), sent);
    assert_eq!(client.breakers().get("a"), Some(&BreakerState::Closed));
    assert_eq!(client.breakers().get("b"), Some(&BreakerState::Closed));
}

#[tokio::test]
async fn an_instance_that_leaves_gets_no_more_calls_and_one_that_joins_gets_some() {
    let (a, b, c) = (slow_fake(), slow_fake(), slow_fake());
    let served_a = serve(a.clone()).await;
    let served_b = serve(b.clone()).await;
    let served_c = serve(c.clone()).await;
    let listed = Listed::new(vec![logic("a", served_a.addr), logic("b", served_b.addr)]);
    let client = LogicClient::balanced(listed.clone(), config()).unwrap();
    instances_are(&client, &["a", "b"]).await;
    burst(&client, 32).await;
    assert!(b.calls() > 0);

    // b's lease expires: it leaves discovery, and the balancer.
    listed.set(vec![logic("a", served_a.addr)]);
    instances_are(&client, &["a"]).await;
    let (a_before, b_before) = (a.calls(), b.calls());
    let sent = burst(&client, 32).await + burst(&client, 32).await;
    assert_eq!(b.calls(), b_before, "b is gone but was called");
    assert_eq!(a.calls(), a_before + sent);

    // c registers: it joins and shares the load.
    listed.set(vec![logic("a", served_a.addr), logic("c", served_c.addr)]);
    instances_are(&client, &["a", "c"]).await;
    let start = Instant::now();
    while c.calls() == 0 {
        assert!(start.elapsed() < Duration::from_secs(20), "c never called");
        burst(&client, 32).await;
    }
    assert_eq!(b.calls(), b_before);
}

#[tokio::test]
async fn discovery_failing_keeps_the_last_known_set() {
    let a = Fake::new();
    let served = serve(a.clone()).await;
    let listed = Listed::new(vec![logic("a", served.addr)]);
    let client = LogicClient::balanced(listed.clone(), config()).unwrap();
    instances_are(&client, &["a"]).await;

    listed.fail(true);
    let asked = listed.asked();
    eventually("discovery asked thrice more", || {
        listed.asked() >= asked + 3
    })
    .await;
    assert_eq!(client.breakers().len(), 1);
    let before = a.calls();
    burst(&client, 4).await;
    assert_eq!(a.calls(), before + 4);

    // Back, listing nothing: every instance goes, and calls fail at once.
    listed.set(Vec::new());
    listed.fail(false);
    instances_are(&client, &[]).await;
    let e = client.user(&UserId::generate()).await.unwrap_err();
    assert!(not_answered(&e), "{e:?}");
    assert_eq!(a.calls(), before + 4);
}
