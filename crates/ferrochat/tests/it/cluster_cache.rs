//! The cache logic instances share in Redis (issue 8: "caches ...
//! invalidated on write"). Two nodes, each with its own logic, cache
//! what every send is checked against (conversations, memberships and
//! mutes, blocks, friendships, member lists) and profiles in one Redis.
//! A change made through one node must hold on the other from the next
//! request on: each test first has both nodes read (and so cache) the
//! facts, shows the cache answering, changes them through one node, and
//! checks both.
//!
//! Needs the test servers (`scripts/services up`): MariaDB, Kafka, Redis.

use ferrochat_logic::DmPolicy;
use reqwest::Method;
use serde_json::{json, Value};

use crate::cluster::{next_chat, Shared};
use crate::support::{sample, Session, TestApp};

const FAR: &str = "2099-01-01T00:00:00Z";

/// `ferrochat_cache_reads_total{result="hit"}` as `node` reports it.
async fn cache_hits(node: &TestApp) -> f64 {
    let text = node.metrics_text().await;
    sample(&text, "ferrochat_cache_reads_total{result=\"hit\"}")
}

/// Sends `tag` to `conversation_id` as `who` through each node in turn;
/// each must get `expect` (0: acked, else that error code).
async fn send_through_both(
    nodes: [&TestApp; 2],
    who: &Session,
    conversation_id: &str,
    tag: &str,
    expect: i64,
) {
    for (i, node) in nodes.into_iter().enumerate() {
        let mut ws = node.ws_connect(&who.access).await;
        let body = json!({"conversation_id": conversation_id, "client_msg_id": format!("{tag}-{i}"), "content": tag});
        if expect == 0 {
            ws.send_ok(body).await;
        } else {
            ws.send_err(body, expect).await;
        }
    }
}

/// Both nodes have read a conversation's facts, and the shared cache
/// answers their reads: a send through each twice more counts hits.
async fn warm(nodes: [&TestApp; 2], who: &Session, conversation_id: &str, tag: &str) {
    let before = cache_hits(nodes[0]).await;
    for round in 0..3 {
        send_through_both(nodes, who, conversation_id, &format!("{tag}{round}"), 0).await;
    }
    assert!(
        cache_hits(nodes[0]).await > before,
        "the shared cache answered none of the checks"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_block_made_on_one_node_is_enforced_by_both_at_once() {
    let shared = Shared::new().await;
    let (a_node, b_node) = (shared.node("node-a").await, shared.node("node-b").await);
    let alice = a_node.new_user("alice").await;
    let bob = b_node.new_user("bob").await;
    let conv = a_node.open_single(&alice.access, &bob.user_id).await;
    let nodes = [&a_node, &b_node];
    warm(nodes, &bob, &conv, "before").await;

    a_node.block(&alice.access, &bob.user_id).await.ok();
    send_through_both(nodes, &bob, &conv, "blocked", 1005).await;

    b_node.unblock(&alice.access, &bob.user_id).await.ok();
    send_through_both(nodes, &bob, &conv, "unblocked", 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn friends_only_chat_follows_an_unfriending_on_the_other_node() {
    let mut shared = Shared::new().await;
    shared.config.messaging.dm_policy = DmPolicy::Friends;
    let (a_node, b_node) = (shared.node("node-a").await, shared.node("node-b").await);
    let alice = a_node.new_user("alice").await;
    let bob = b_node.new_user("bob").await;
    a_node.make_friends(&alice, &bob).await;
    let conv = a_node.open_single(&alice.access, &bob.user_id).await;
    let nodes = [&a_node, &b_node];
    warm(nodes, &alice, &conv, "friends").await;

    b_node.unfriend(&bob.access, &alice.user_id).await.ok();
    send_through_both(nodes, &alice, &conv, "strangers", 1005).await;

    b_node.make_friends(&bob, &alice).await;
    send_through_both(nodes, &alice, &conv, "again", 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mutes_new_members_and_dissolution_on_one_node_hold_on_the_other() {
    let shared = Shared::new().await;
    let (a_node, b_node) = (shared.node("node-a").await, shared.node("node-b").await);
    let owner = a_node.new_user("owner").await;
    let member = b_node.new_user("member").await;
    let (gid, conv) = a_node
        .new_group(
            &owner,
            json!({"name": "cached", "member_ids": [member.user_id]}),
        )
        .await;
    let nodes = [&a_node, &b_node];
    warm(nodes, &member, &conv, "before").await;

    a_node
        .update_member(
            &owner.access,
            &gid,
            &member.user_id,
            json!({"muted_until": FAR}),
        )
        .await
        .ok();
    send_through_both(nodes, &member, &conv, "muted", 1005).await;
    b_node
        .update_member(
            &owner.access,
            &gid,
            &member.user_id,
            json!({"muted_until": null}),
        )
        .await
        .ok();
    send_through_both(nodes, &member, &conv, "unmuted", 0).await;

    // A member added through B is in the member list A's logic fans out
    // to (it cached the list above), and may send through A.
    let newbie = b_node.new_user("newbie").await;
    b_node
        .add_members(&owner.access, &gid, &[&newbie.user_id])
        .await
        .ok();
    let mut newbie_ws = b_node.ws_connect(&newbie.access).await;
    let mut owner_ws = a_node.ws_connect(&owner.access).await;
    owner_ws
        .send_ok(json!({"conversation_id": conv, "client_msg_id": "welcome", "content": "welcome"}))
        .await;
    assert_eq!(next_chat(&mut newbie_ws).await["content"], "welcome");
    send_through_both(nodes, &newbie, &conv, "hello", 0).await;

    b_node.dissolve(&owner.access, &gid).await.ok();
    send_through_both(nodes, &member, &conv, "dissolved", 1005).await;
}

/// `whose` nickname as `reader` sees it through `node`.
async fn nickname(node: &TestApp, reader: &Session, whose: &Session) -> Value {
    let path = format!("/api/v1/users/{}", whose.user_id);
    let reply = node
        .request(Method::GET, &path, Some(&reader.access), None)
        .await;
    reply.ok()["nickname"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_profile_changed_on_one_node_is_read_at_once_on_the_other() {
    let shared = Shared::new().await;
    let (a_node, b_node) = (shared.node("node-a").await, shared.node("node-b").await);
    let alice = a_node.new_user("alice").await;
    let bob = b_node.new_user("bob").await;
    let before = cache_hits(&b_node).await;
    for _ in 0..3 {
        assert_eq!(
            nickname(&b_node, &bob, &alice).await,
            Value::from(alice.username.clone())
        );
    }
    assert!(
        cache_hits(&b_node).await > before,
        "profiles are not cached"
    );

    a_node
        .request(
            Method::PUT,
            "/api/v1/users/profile",
            Some(&alice.access),
            Some(json!({"nickname": "Alice Renamed"})),
        )
        .await
        .ok();
    assert_eq!(nickname(&b_node, &bob, &alice).await, "Alice Renamed");
    assert_eq!(nickname(&a_node, &bob, &alice).await, "Alice Renamed");
}
