//! Session checks in a cluster (issue 15, item 4): each node's logic
//! answers "is this token's session live?" from the shared cache instead
//! of the store, and a revocation through one node (logout, refresh-token
//! reuse) is refused by the other from its next request on, HTTP and
//! WebSocket upgrade alike. Each test first has both nodes check the
//! token and shows the shared cache answering them, so a revocation that
//! did not forget the session would be accepted by the other node.
//!
//! Needs the test servers (`scripts/services up`): MariaDB, Kafka, Redis;
//! the Redis outage test runs a redis-server of its own.

use std::time::Duration;

use crate::cluster::Shared;
use crate::support::{sample, TestApp};
use ferrochat_test_support::PrivateRedis;

/// `ferrochat_session_checks_total{source}` as `node` reports it.
async fn checks(node: &TestApp, source: &str) -> f64 {
    let text = node.metrics_text().await;
    sample(
        &text,
        &format!("ferrochat_session_checks_total{{source=\"{source}\"}}"),
    )
}

/// Both nodes accept `access` over HTTP and WebSocket, and the shared
/// cache answered their checks.
async fn warm(nodes: [&TestApp; 2], access: &str) {
    let before = checks(nodes[0], "shared").await;
    for _ in 0..3 {
        for node in nodes {
            node.profile(access).await.ok();
        }
    }
    for node in nodes {
        node.ws_connect(access).await.close().await;
    }
    assert!(
        checks(nodes[0], "shared").await >= before + 6.0,
        "the shared cache answered too few session checks"
    );
}

/// `access` is refused (1002) by `node` on an upgrade, then over HTTP.
async fn refused_upgrade_then_http(node: &TestApp, access: &str) {
    node.ws_upgrade_reply(Some(access)).await.err(1002);
    node.profile(access).await.err(1002);
}

/// `access` is refused (1002) by `node` over HTTP, then on an upgrade.
async fn refused_http_then_upgrade(node: &TestApp, access: &str) {
    node.profile(access).await.err(1002);
    node.ws_upgrade_reply(Some(access)).await.err(1002);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_logout_on_one_node_is_refused_by_the_other_on_its_next_request() {
    let shared = Shared::new().await;
    let (a_node, b_node) = (shared.node("node-a").await, shared.node("node-b").await);
    let nodes = [&a_node, &b_node];
    let alice = a_node.new_user("alice").await;
    let second = a_node.second_session(&alice).await;
    warm(nodes, &alice.access).await;
    warm(nodes, &second).await;

    // Logout through A; B's next request is HTTP. A socket B serves for
    // that session is closed too.
    let mut b_ws = b_node.ws_connect(&alice.access).await;
    a_node.logout(&alice.access).await.ok();
    refused_http_then_upgrade(&b_node, &alice.access).await;
    refused_http_then_upgrade(&a_node, &alice.access).await;
    assert_eq!(
        b_ws.closed_within(Duration::from_secs(10)).await.code(),
        Some(4001)
    );

    // The other session, through B; A's next request is an upgrade.
    b_node.logout(&second).await.ok();
    refused_upgrade_then_http(&a_node, &second).await;
    refused_upgrade_then_http(&b_node, &second).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refresh_token_reuse_on_one_node_revokes_the_session_on_the_other() {
    let shared = Shared::new().await;
    let (a_node, b_node) = (shared.node("node-a").await, shared.node("node-b").await);
    let nodes = [&a_node, &b_node];
    let bob = a_node.new_user("bob").await;
    let rotated = a_node.refresh(&bob.refresh).await;
    let access = rotated.ok()["access_token"].as_str().unwrap().to_owned();
    warm(nodes, &access).await;
    warm(nodes, &bob.access).await;

    // The rotated-away token again: the whole session is revoked.
    a_node.refresh(&bob.refresh).await.err(1002);
    refused_upgrade_then_http(&b_node, &access).await;
    refused_http_then_upgrade(&b_node, &bob.access).await;
    refused_http_then_upgrade(&a_node, &access).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_redis_stopped_the_store_answers_and_a_logout_still_holds_everywhere() {
    let mut redis = PrivateRedis::start().await;
    let mut shared = Shared::new().await;
    shared.config.presence.redis_url = Some(redis.url());
    let (a_node, b_node) = (shared.node("node-a").await, shared.node("node-b").await);
    let nodes = [&a_node, &b_node];
    let carol = a_node.new_user("carol").await;
    let dave = a_node.new_user("dave").await;
    warm(nodes, &carol.access).await;
    warm(nodes, &dave.access).await;

    redis.stop();
    let from_store = checks(&b_node, "store").await;
    let errors = sample(
        &b_node.metrics_text().await,
        "ferrochat_cache_reads_total{result=\"error\"}",
    );
    for _ in 0..3 {
        b_node.profile(&carol.access).await.ok();
    }
    assert!(checks(&b_node, "store").await >= from_store + 3.0);
    let text = b_node.metrics_text().await;
    assert!(sample(&text, "ferrochat_cache_reads_total{result=\"error\"}") > errors);

    // Revoked in the store, but the cache that B read it from could not
    // be told: A says so (1009), and B, reading the store, refuses it.
    let reply = a_node.logout(&carol.access).await;
    assert!(reply.err(1009).contains("retry"), "{:?}", reply.body);
    refused_http_then_upgrade(&b_node, &carol.access).await;
    refused_upgrade_then_http(&a_node, &carol.access).await;
    b_node.profile(&dave.access).await.ok();

    // Redis back (empty): once the connection is made again the cache
    // answers again, and the revoked session stays refused.
    redis.restart().await;
    let hits = checks(&b_node, "shared").await;
    tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            b_node.profile(&dave.access).await.ok();
            b_node.profile(&carol.access).await.err(1002);
            if checks(&b_node, "shared").await > hits {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("the shared cache answers again once Redis is back");
}
