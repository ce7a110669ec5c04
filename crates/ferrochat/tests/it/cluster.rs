//! Two ferrochat nodes sharing what a cluster shares: one MariaDB
//! database, the Kafka topics and the Redis route table. Each node is a
//! gateway of its own (its own `node_id` and downstream topic); their
//! logic instances split `upstream` by conversation. Users on different
//! nodes chat as if they were on one.
//!
//! Needs the test servers (`scripts/services up`): MariaDB, Kafka, Redis.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use ferrochat::config::Config;
use serde_json::{json, Value};

use crate::support::{spawn_app_with, Session, TestApp};
use crate::ws::WsClient;

/// What the nodes of one test cluster share.
pub(crate) struct Shared {
    store_url: String,
    pub(crate) config: Config,
}

impl Shared {
    pub(crate) async fn new() -> Self {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let store_url = crate::store_env::fresh_mysql_database(&format!("fc_cluster_{id}")).await;
        let mut config = Config::default();
        crate::bus_env::use_kafka(&mut config, &format!("cl{id}"), 4);
        config.presence.redis_url = Some(crate::presence_env::redis_url());
        config.presence.redis_prefix = format!("cl{id}:");
        config.presence.route_ttl = Duration::from_secs(3);
        // Every node must accept every node's tokens.
        config.auth.jwt_secret = Some(format!("cluster-test-secret-{id}"));
        Self { store_url, config }
    }

    pub(crate) async fn node(&self, name: &str) -> TestApp {
        let shared = self.config.clone();
        let store_url = self.store_url.clone();
        let name = name.to_owned();
        spawn_app_with(move |c| {
            c.node_id = name;
            c.store.url = Some(store_url);
            c.store.max_connections = 8;
            c.bus = shared.bus;
            c.presence = shared.presence;
            c.auth.jwt_secret = shared.auth.jwt_secret;
            c.gateway.send_rate_limit = shared.gateway.send_rate_limit;
            c.messaging = shared.messaging;
        })
        .await
    }
}

pub(crate) async fn next_chat(ws: &mut WsClient) -> Value {
    loop {
        let f = ws.recv_until(|f| f["type"] == "new-message").await;
        if f["data"]["message_type"] != "system" {
            return f["data"].clone();
        }
    }
}

/// Two nodes; alice on node A and bob on node B, each with a socket that
/// is being served, and their single conversation.
struct Pair {
    a_node: TestApp,
    b_node: TestApp,
    alice: Session,
    bob: Session,
    conv: String,
    a_ws: WsClient,
    b_ws: WsClient,
}

async fn alice_and_bob_on_two_nodes() -> Pair {
    let shared = Shared::new().await;
    let a_node = shared.node("node-a").await;
    let b_node = shared.node("node-b").await;
    let alice = a_node.new_user("alice").await;
    let bob = b_node.new_user("bob").await;
    let conv = a_node.open_single(&alice.access, &bob.user_id).await;
    let mut a_ws = a_node.ws_connect(&alice.access).await;
    let mut b_ws = b_node.ws_connect(&bob.access).await;
    a_ws.ping().await;
    b_ws.ping().await;
    Pair {
        a_node,
        b_node,
        alice,
        bob,
        conv,
        a_ws,
        b_ws,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn users_on_different_nodes_chat_one_to_one() {
    let Pair {
        a_node,
        b_node,
        alice,
        bob,
        conv,
        mut a_ws,
        mut b_ws,
    } = alice_and_bob_on_two_nodes().await;

    for i in 1..=20u64 {
        let ack = a_ws
            .send_ok(json!({"conversation_id": conv, "client_msg_id": format!("a{i}"), "content": format!("a says {i}")}))
            .await;
        assert_eq!(ack["seq"], i);
    }
    for i in 1..=20u64 {
        let m = next_chat(&mut b_ws).await;
        assert_eq!(m["seq"], i, "bob gets alice's messages in order: {m}");
        assert_eq!(m["content"], format!("a says {i}"));
    }
    let ack = b_ws
        .send_ok(json!({"conversation_id": conv, "client_msg_id": "b1", "content": "bob answers"}))
        .await;
    assert_eq!(ack["seq"], 21);
    let m = next_chat(&mut a_ws).await;
    assert_eq!(m["content"], "bob answers");
    assert_eq!(m["seq"], 21);
    // The same history, whichever node is asked.
    assert_eq!(
        a_node.history_all(&alice.access, &conv).await.len(),
        b_node.history_all(&bob.access, &conv).await.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_group_spanning_two_nodes_sees_one_gap_free_order() {
    let shared = Shared::new().await;
    let nodes = [shared.node("node-a").await, shared.node("node-b").await];
    let owner = nodes[0].new_user("owner").await;
    let mut members = vec![owner];
    for i in 0..3 {
        members.push(nodes[i % 2].new_user("member").await);
    }
    let ids: Vec<String> = members[1..].iter().map(|m| m.user_id.clone()).collect();
    let group = nodes[0]
        .create_group(
            &members[0].access,
            json!({"name": "across", "member_ids": ids}),
        )
        .await;
    let conv = group.ok()["conversation_id"].as_str().unwrap().to_owned();

    // Member k is connected to node k % 2.
    let mut sockets = Vec::new();
    for (k, m) in members.iter().enumerate() {
        let mut ws = nodes[k % 2].ws_connect(&m.access).await;
        ws.ping().await;
        sockets.push(ws);
    }
    // Everyone sends at once, each from their own node.
    let per = 15;
    let mut senders = Vec::new();
    for (k, mut ws) in sockets.drain(..).enumerate() {
        let conv = conv.clone();
        senders.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            for i in 0..per {
                let ack = ws
                    .send_ok(json!({"conversation_id": conv, "client_msg_id": format!("m{k}-{i}"), "content": format!("{k}:{i}")}))
                    .await;
                acked.push(ack["seq"].as_u64().unwrap());
            }
            (ws, acked)
        }));
    }
    let mut all_acked = HashSet::new();
    for s in senders {
        let (ws, acked) = s.await.unwrap();
        for seq in acked {
            assert!(all_acked.insert(seq), "seq {seq} acked twice");
        }
        sockets.push(ws);
    }
    let total = members.len() * per;
    let first = *all_acked.iter().min().unwrap();
    assert_eq!(
        all_acked,
        (first..first + total as u64).collect::<HashSet<_>>(),
        "acked seqs are gap-free"
    );
    // Each member got every other member's messages once, in seq order.
    for (k, ws) in sockets.iter_mut().enumerate() {
        let expected = total - per;
        let mut last = 0;
        let mut seen: HashMap<String, u64> = HashMap::new();
        while seen.len() < expected {
            let m = next_chat(ws).await;
            let seq = m["seq"].as_u64().unwrap();
            assert!(seq > last, "member {k}: seq {seq} after {last}");
            last = seq;
            let content = m["content"].as_str().unwrap().to_owned();
            assert!(!content.starts_with(&format!("{k}:")), "own message echoed");
            assert!(seen.insert(content, seq).is_none(), "duplicate");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_that_leaves_takes_its_routes_and_its_users_resync_elsewhere() {
    let Pair {
        a_node,
        b_node,
        alice: _,
        bob,
        conv,
        mut a_ws,
        mut b_ws,
    } = alice_and_bob_on_two_nodes().await;
    a_ws.send_ok(json!({"conversation_id": conv, "client_msg_id": "x1", "content": "one"}))
        .await;
    assert_eq!(next_chat(&mut b_ws).await["content"], "one");

    // Node B stops: bob's socket closes and his route goes with the node.
    b_node.shutdown().await.unwrap();
    for i in 2..=4 {
        a_ws.send_ok(json!({"conversation_id": conv, "client_msg_id": format!("x{i}"), "content": format!("n{i}")}))
            .await;
    }
    // Bob comes back through node A and resyncs by seq.
    let mut b2 = a_node.ws_connect(&bob.access).await;
    let synced = b2
        .request("sync", json!({"cursors": {conv.clone(): 1}}))
        .await;
    let msgs = synced["data"]["conversations"][0]["messages"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let contents: Vec<&str> = msgs
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(contents, ["n2", "n3", "n4"], "{synced}");
    // And live delivery reaches him on his new node.
    a_ws.send_ok(json!({"conversation_id": conv, "client_msg_id": "x5", "content": "live"}))
        .await;
    assert_eq!(next_chat(&mut b2).await["content"], "live");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_kick_through_one_node_is_enforced_by_every_node_at_once() {
    let shared = Shared::new().await;
    let a_node = shared.node("node-a").await;
    let b_node = shared.node("node-b").await;
    let owner = a_node.new_user("owner").await;
    let member = b_node.new_user("member").await;
    let group = a_node
        .create_group(
            &owner.access,
            json!({"name": "kicks", "member_ids": [member.user_id]}),
        )
        .await;
    let group_id = group.ok()["group_id"].as_str().unwrap().to_owned();
    let conv = group.ok()["conversation_id"].as_str().unwrap().to_owned();
    // The member sends through both nodes, so both have checked them.
    for (i, node) in [&a_node, &b_node].into_iter().enumerate() {
        let mut ws = node.ws_connect(&member.access).await;
        ws.send_ok(json!({"conversation_id": conv, "client_msg_id": format!("before{i}"), "content": "hi"}))
            .await;
    }
    // Kicked through node A ...
    a_node
        .kick(&owner.access, &group_id, &member.user_id)
        .await
        .ok();
    // ... and refused through either node from the next send on.
    for (i, node) in [&a_node, &b_node].into_iter().enumerate() {
        let mut ws = node.ws_connect(&member.access).await;
        ws.send_err(
            json!({"conversation_id": conv, "client_msg_id": format!("after{i}"), "content": "still here?"}),
            1005,
        )
        .await;
    }
}

/// `online` of `friend` in `who`'s friends list, through `node`.
async fn listed_online(node: &TestApp, who: &Session, friend: &str) -> Value {
    node.friends(&who.access)
        .await
        .iter()
        .find(|f| f["user_id"] == friend)
        .unwrap()["online"]
        .clone()
}

/// What a user's friends were last told is shared: alice comes online
/// through node A's logic and leaves through node B's, which announces
/// her offline although it never announced her online; and either node
/// lists her as a friend the same way.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn presence_announced_through_one_node_is_withdrawn_through_the_other() {
    let mut shared = Shared::new().await;
    shared.config.messaging.presence_offline_delay = Duration::from_millis(200);
    let a_node = shared.node("node-a").await;
    let b_node = shared.node("node-b").await;
    let alice = a_node.new_user("alice").await;
    let bob = b_node.new_user("bob").await;
    a_node.make_friends(&alice, &bob).await;
    let mut b_ws = b_node.ws_connect(&bob.access).await;
    let about_alice =
        |f: &Value| f["type"] == "presence" && f["data"]["user_id"] == alice.user_id.as_str();
    let a_ws = a_node.ws_connect(&alice.access).await;
    assert_eq!(b_ws.recv_until(about_alice).await["data"]["online"], true);
    // Her second connection, on the other node, announces nothing.
    let b_side = b_node.ws_connect(&alice.access).await;
    drop(a_ws);
    for node in [&a_node, &b_node] {
        assert_eq!(listed_online(node, &bob, &alice.user_id).await, true);
    }
    // Her last connection closes on node B.
    drop(b_side);
    assert_eq!(b_ws.recv_until(about_alice).await["data"]["online"], false);
    for node in [&a_node, &b_node] {
        assert_eq!(listed_online(node, &bob, &alice.user_id).await, false);
    }
}

/// Issue 8: "rate-limit buckets shared by all gateways". One user sending
/// through both nodes has one budget, not one per node: of sends made at
/// once through both, exactly the burst is accepted and the rest get 1007
/// (sent at once so the one-a-second refill cannot add one). Every
/// accepted send is in the history.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_user_on_two_nodes_has_one_send_budget() {
    let mut shared = Shared::new().await;
    shared.config.gateway.send_rate_limit.per_second = 1;
    shared.config.gateway.send_rate_limit.burst = 5;
    let a_node = shared.node("node-a").await;
    let b_node = shared.node("node-b").await;
    let alice = a_node.new_user("alice").await;
    let bob = b_node.new_user("bob").await;
    let conv = a_node.open_single(&alice.access, &bob.user_id).await;

    let sends = (0..12).map(|i| {
        let node = if i % 2 == 0 { &a_node } else { &b_node };
        let content = format!("send {i}");
        let body =
            json!({"conversation_id": conv, "client_msg_id": format!("r{i}"), "content": content});
        let access = alice.access.clone();
        async move { (content, node.send_http(&access, body).await) }
    });
    let replies = futures::future::join_all(sends).await;
    let mut accepted = HashSet::new();
    for (content, reply) in &replies {
        if reply.code() == 0 {
            accepted.insert(content.clone());
        } else {
            reply.err(1007);
        }
    }
    assert_eq!(accepted.len(), 5, "one burst over both nodes: {replies:?}");

    let history: HashSet<String> = b_node
        .history_all(&bob.access, &conv)
        .await
        .iter()
        .filter(|m| m["message_type"] != "system")
        .map(|m| m["content"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(history, accepted, "every accepted send, and only those");
}
