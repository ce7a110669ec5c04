//! The cluster roles as separate processes of the built binary (`ferrochat
//! repo | logic | task | gateway`), finding each other in etcd and
//! talking over gRPC, Kafka and Redis, with MariaDB behind the repo. Users
//! on different gateways chat; then one process at a time is SIGKILLed and
//! each test ends with every committed message with every member exactly
//! once, in seq order (a client drops a frame whose seq it already has, as
//! the contract says, and fills gaps with `sync`).
//!
//! Needs the test servers (`scripts/services up`): MariaDB, Kafka, Redis,
//! etcd; the Redis restart test runs a redis-server of its own.

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::procs::{Cluster, BIN, CONVERGE};
use crate::support::TestApp;
use crate::ws::WsClient;
use ferrochat_test_support::PrivateRedis;

/// A member's view of one conversation, as a client keeps it: live frames
/// whose seq it does not have yet, then `sync` from its cursor.
struct Inbox {
    conv: String,
    messages: Vec<Value>,
    /// Frames dropped because their seq was already there (redelivery).
    repeats: usize,
    /// The highest seq seen in a live frame.
    live_max: u64,
}

impl Inbox {
    fn new(conv: &str) -> Self {
        Self {
            conv: conv.to_owned(),
            messages: Vec::new(),
            repeats: 0,
            live_max: 0,
        }
    }

    fn cursor(&self) -> u64 {
        self.messages
            .last()
            .map_or(0, |m| m["seq"].as_u64().unwrap())
    }

    /// Takes the chat frames `frames` holds for this conversation.
    fn take(&mut self, frames: Vec<Value>) {
        for f in frames {
            if f["type"] != "new-message" || f["data"]["conversation_id"] != self.conv.as_str() {
                continue;
            }
            let m = f["data"].clone();
            self.live_max = self.live_max.max(m["seq"].as_u64().unwrap());
            if m["seq"].as_u64().unwrap() <= self.cursor() {
                self.repeats += 1;
                continue;
            }
            // A live frame past a gap is dropped too: sync fills the gap
            // and brings it again.
            if m["seq"].as_u64().unwrap() == self.cursor() + 1 {
                self.messages.push(m);
            }
        }
    }

    /// `sync` from the cursor until the server has nothing more.
    async fn sync(&mut self, ws: &mut WsClient) {
        loop {
            let reply = ws
                .request(
                    "sync",
                    json!({"cursors": {self.conv.clone(): self.cursor()}, "limit": 100}),
                )
                .await;
            assert_eq!(reply["type"], "sync", "{reply}");
            let convs = reply["data"]["conversations"].as_array().unwrap().clone();
            let Some(c) = convs
                .iter()
                .find(|c| c["conversation_id"] == self.conv.as_str())
            else {
                return;
            };
            for m in c["messages"].as_array().unwrap() {
                assert_eq!(
                    m["seq"].as_u64().unwrap(),
                    self.cursor() + 1,
                    "sync is gap-free"
                );
                self.messages.push(m.clone());
            }
            if c["has_more"] == false {
                return;
            }
        }
    }

    /// Every message of `history`, once, in order.
    fn assert_complete(&self, history: &[Value], who: &str) {
        let ids = |v: &[Value]| {
            v.iter()
                .map(|m| m["message_id"].clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ids(&self.messages),
            ids(history),
            "{who}: every committed message once, in order"
        );
    }
}

/// The chat (non-system) messages of `history`.
fn chat(history: Vec<Value>) -> Vec<Value> {
    history
        .into_iter()
        .filter(|m| m["message_type"] != "system")
        .collect()
}

/// A send that resends with the same client_msg_id until it is acked:
/// while a partition moves to a surviving logic the answer may be 1004
/// (not confirmed in time) or 1001 (logic unreachable); while a large
/// group's fan-out lags (a task role killed and replaced) it is 1007,
/// whose hint the client waits out.
async fn send_until_acked(gw: &TestApp, token: &str, body: Value) -> Value {
    for _ in 0..100 {
        let r = gw.send_http(token, body.clone()).await;
        match r.code() {
            0 => return r.data().clone(),
            1004 | 1001 => tokio::time::sleep(Duration::from_millis(200)).await,
            1007 => {
                // Carried from logic through the bus and the gateway.
                let ms = r.body["retry_after_ms"]
                    .as_u64()
                    .unwrap_or_else(|| panic!("send refused: {:?}", r.body));
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            _ => panic!("send refused: {:?}", r.body),
        }
    }
    panic!("a send was never confirmed: {body}");
}

/// Reads live frames until the inbox holds seq `seq`, as a client does:
/// a frame past a gap, or two quiet seconds, makes it sync from its
/// cursor (its own sends come as acks, not frames, and a frame lost with
/// a killed process is only found so).
async fn await_seq(ws: &mut WsClient, inbox: &mut Inbox, seq: u64) {
    let queued = ws.take_pending();
    inbox.take(queued);
    tokio::time::timeout(CONVERGE, async {
        while inbox.cursor() < seq {
            let next = tokio::time::timeout(
                Duration::from_secs(2),
                ws.recv_until(|f| f["type"] == "new-message"),
            )
            .await;
            match next {
                Ok(f) => {
                    let past_gap = f["data"]["seq"].as_u64().unwrap() > inbox.cursor() + 1;
                    inbox.take(vec![f]);
                    if past_gap {
                        inbox.sync(ws).await;
                    }
                }
                Err(_) => inbox.sync(ws).await,
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("seq {seq} never arrived (have {})", inbox.cursor()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn users_on_two_gateways_chat_one_to_one_and_in_a_task_fanned_group() {
    // Groups of more than 2 members go through the task role.
    let cluster = Cluster::new(&[("MESSAGING__FANOUT_TASK_THRESHOLD", "2")]).await;
    let roles = cluster.full().await;
    let (g1, g2) = (roles.gateway(0), roles.gateway(1));
    let alice = g1.new_user("alice").await;
    let bob = g2.new_user("bob").await;
    let carol = g2.new_user("carol").await;
    let dm = g1.open_single(&alice.access, &bob.user_id).await;
    let mut a_ws = g1.ws_connect(&alice.access).await;
    let mut b_ws = g2.ws_connect(&bob.access).await;
    let c_ws = g2.ws_connect(&carol.access).await;

    for i in 1..=10u64 {
        let ack = a_ws
            .send_ok(json!({"conversation_id": dm, "client_msg_id": format!("a{i}"), "content": format!("dm {i}")}))
            .await;
        assert_eq!(ack["seq"], i);
    }
    let mut bobs = Inbox::new(&dm);
    await_seq(&mut b_ws, &mut bobs, 10).await;
    assert_eq!(bobs.repeats, 0);
    bobs.assert_complete(&g2.history_all(&bob.access, &dm).await, "bob");

    let group = g1
        .create_group(
            &alice.access,
            json!({"name": "across", "member_ids": [bob.user_id, carol.user_id]}),
        )
        .await;
    let conv = group.ok()["conversation_id"].as_str().unwrap().to_owned();
    let mut members = [(&alice, a_ws), (&bob, b_ws), (&carol, c_ws)];
    for i in 0..30usize {
        let (_, ws) = &mut members[i % 3];
        ws.send_ok(json!({"conversation_id": conv, "client_msg_id": format!("g{i}"), "content": format!("group {i}")}))
            .await;
    }
    let history = g1.history_all(&alice.access, &conv).await;
    assert_eq!(chat(history.clone()).len(), 30);
    let last = history.last().unwrap()["seq"].as_u64().unwrap();
    for (who, ws) in &mut members {
        // Through the task role, live; what a member's own socket does not
        // get (its own sends are acked instead) comes by sync.
        let mut inbox = Inbox::new(&conv);
        await_seq(ws, &mut inbox, last).await;
        inbox.assert_complete(&history, &who.username);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_gateways_clients_reconnect_to_the_other_and_resync() {
    let cluster = Cluster::new(&[]).await;
    let mut roles = cluster.full().await;
    let (g1, g2) = (roles.gateway(0), roles.gateway(1));
    let alice = g1.new_user("alice").await;
    let bob = g2.new_user("bob").await;
    let dm = g2.open_single(&bob.access, &alice.user_id).await;
    let mut a_ws = g1.ws_connect(&alice.access).await;
    let mut alices = Inbox::new(&dm);
    for i in 1..=10u64 {
        send_until_acked(&g2, &bob.access, json!({"conversation_id": dm, "client_msg_id": format!("b{i}"), "content": format!("{i}")})).await;
    }
    await_seq(&mut a_ws, &mut alices, 10).await;

    roles.gateways[0].kill9();
    assert!(a_ws
        .closed_within(CONVERGE)
        .await
        .code()
        .is_none_or(|c| c != 1000));
    // Sent while alice has no connection at all.
    for i in 11..=20u64 {
        send_until_acked(&g2, &bob.access, json!({"conversation_id": dm, "client_msg_id": format!("b{i}"), "content": format!("{i}")})).await;
    }
    // Her client reconnects to the other gateway and resyncs from its cursor.
    let mut a_ws = g2.ws_connect(&alice.access).await;
    alices.sync(&mut a_ws).await;
    assert_eq!(alices.cursor(), 20);
    // Live again, through the surviving gateway.
    for i in 21..=30u64 {
        send_until_acked(&g2, &bob.access, json!({"conversation_id": dm, "client_msg_id": format!("b{i}"), "content": format!("{i}")})).await;
    }
    await_seq(&mut a_ws, &mut alices, 30).await;
    assert_eq!(alices.repeats, 0);
    alices.assert_complete(&g2.history_all(&alice.access, &dm).await, "alice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_logic_hands_its_partitions_to_the_other() {
    let cluster = Cluster::new(&[]).await;
    let mut roles = cluster.full().await;
    let (g1, g2) = (roles.gateway(0), roles.gateway(1));
    let alice = g1.new_user("alice").await;
    // Several conversations, so logic-1 almost surely owns some (4
    // upstream partitions over 2 instances).
    let mut peers = Vec::new();
    for k in 0..6 {
        let peer = g2.new_user(&format!("peer{k}")).await;
        let conv = g1.open_single(&alice.access, &peer.user_id).await;
        let ws = g2.ws_connect(&peer.access).await;
        peers.push((peer, conv, ws));
    }
    let send_round = |round: u64| {
        let g1 = &g1;
        let alice = &alice;
        let convs: Vec<String> = peers.iter().map(|(_, c, _)| c.clone()).collect();
        async move {
            for (k, conv) in convs.into_iter().enumerate() {
                // client_msg_ids are unique per sender, not per conversation.
                let body = json!({"conversation_id": conv, "client_msg_id": format!("r{round}c{k}"), "content": format!("round {round}")});
                let ack = send_until_acked(g1, &alice.access, body).await;
                assert_eq!(ack["seq"], round, "one seq per round, no gap, no duplicate");
            }
        }
    };
    for round in 1..=5 {
        send_round(round).await;
    }
    roles.logic[0].kill9();
    // The same client_msg_ids again (a client that never saw its acks)
    // are duplicates, not new messages.
    for round in 1..=5 {
        send_round(round).await;
    }
    for round in 6..=15 {
        send_round(round).await;
    }
    for (peer, conv, ws) in &mut peers {
        let mut inbox = Inbox::new(conv);
        await_seq(ws, &mut inbox, 15).await;
        inbox.assert_complete(&g2.history_all(&peer.access, conv).await, &peer.username);
        assert_eq!(inbox.messages.len(), 15);
        assert_eq!(inbox.live_max, 15, "delivered live after the kill");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_task_killed_mid_fan_out_is_resumed_by_the_next() {
    // Every group message goes through the task role. Backpressure is
    // off: the replacement starts seconds behind, and senders waiting out
    // 1007 leave the receivers quiet long enough to sync the last message
    // before it comes live, which is what this test checks
    // (backpressure::, also run against the roles, covers 1007).
    let cluster = Cluster::new(&[
        ("MESSAGING__FANOUT_TASK_THRESHOLD", "2"),
        ("MESSAGING__MAX_FANOUT_LAG", "0s"),
    ])
    .await;
    let mut roles = cluster.full().await;
    let (g1, g2) = (roles.gateway(0), roles.gateway(1));
    let owner = g1.new_user("owner").await;
    let mut others = Vec::new();
    for k in 0..4 {
        others.push(roles.gateway(k % 2).new_user(&format!("m{k}")).await);
    }
    let ids: Vec<&str> = others.iter().map(|m| m.user_id.as_str()).collect();
    let group = g1
        .create_group(&owner.access, json!({"name": "fan", "member_ids": ids}))
        .await;
    let conv = group.ok()["conversation_id"].as_str().unwrap().to_owned();
    let mut sockets = Vec::new();
    for (k, m) in others.iter().enumerate() {
        sockets.push(roles.gateway(k % 2).ws_connect(&m.access).await);
    }
    let sender = {
        let g1 = TestApp::at(g1.base.clone());
        let token = owner.access.clone();
        let conv = conv.clone();
        tokio::spawn(async move {
            for i in 0..150u64 {
                let body = json!({"conversation_id": conv, "client_msg_id": format!("s{i}"), "content": format!("{i}")});
                send_until_acked(&g1, &token, body).await;
            }
        })
    };
    // Kill the task role while the storm is being fanned out; a new one
    // takes over the task topic where the dead one last committed.
    let mut first = Inbox::new(&conv);
    await_seq(&mut sockets[0], &mut first, 20).await;
    roles.task.kill9();
    let _task2 = cluster.start("task", "task-2").await;
    tokio::time::timeout(CONVERGE, sender)
        .await
        .expect("all sends acked")
        .unwrap();

    let history = g2.history_all(&others[0].access, &conv).await;
    let last = history.last().unwrap()["seq"].as_u64().unwrap();
    let mut inboxes = vec![first];
    inboxes.extend((1..others.len()).map(|_| Inbox::new(&conv)));
    for (k, (ws, inbox)) in sockets.iter_mut().zip(inboxes.iter_mut()).enumerate() {
        await_seq(ws, inbox, last).await;
        inbox.assert_complete(&history, &others[k].username);
        // The last message came live too: fan-out resumed after the kill.
        // A member that connected after the group's first message was
        // fanned out met a gap at its first live frame and synced
        // everything at once, with its later live frames still queued
        // unread: read on until the last one.
        let conv = conv.as_str();
        tokio::time::timeout(CONVERGE, async {
            while inbox.live_max < last {
                let f = ws
                    .recv_until(|f| {
                        f["type"] == "new-message" && f["data"]["conversation_id"] == conv
                    })
                    .await;
                inbox.take(vec![f]);
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{}: seq {last} never came live", others[k].username));
        assert_eq!(inbox.live_max, last, "{}", others[k].username);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dead_gateway_leaves_the_route_table_when_its_lease_expires_and_its_users_go_offline() {
    // Routes would outlive the test by far if only their TTL ended them:
    // it is the gateway's etcd lease (3 s) that takes them out.
    let cluster = Cluster::new(&[("PRESENCE__ROUTE_TTL", "10m")]).await;
    let mut roles = cluster.full().await;
    let (g1, g2) = (roles.gateway(0), roles.gateway(1));
    let alice = g1.new_user("alice").await;
    let bob = g2.new_user("bob").await;
    g2.make_friends(&alice, &bob).await;
    let mut b_ws = g2.ws_connect(&bob.access).await;
    let _a_ws = g1.ws_connect(&alice.access).await;
    let about_alice =
        |f: &Value| f["type"] == "presence" && f["data"]["user_id"] == alice.user_id.as_str();
    assert_eq!(b_ws.recv_until(about_alice).await["data"]["online"], true);
    let alice_online = |friends: Vec<Value>| {
        friends
            .iter()
            .find(|f| f["user_id"] == alice.user_id.as_str())
            .unwrap()["online"]
            .clone()
    };
    assert_eq!(alice_online(g2.friends(&bob.access).await), true);

    roles.gateways[0].kill9();
    tokio::time::timeout(CONVERGE, async {
        while alice_online(g2.friends(&bob.access).await) == true {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await
    .expect("alice's route goes with gateway-1's lease, long before its TTL");
    // Her gateway sent no last disconnect; logic's sweep tells her
    // friends, once.
    assert_eq!(b_ws.recv_until(about_alice).await["data"]["online"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_gateway_out_of_discovery_that_still_beats_keeps_delivering_live() {
    // Routes end with the route table's heartbeats: discovery alone
    // (a lease lapsed while etcd was away) is no proof of death.
    let cluster = Cluster::new(&[("PRESENCE__ROUTE_TTL", "10m")]).await;
    let roles = cluster.full().await;
    let (g1, g2) = (roles.gateway(0), roles.gateway(1));
    let alice = g1.new_user("alice").await;
    let bob = g2.new_user("bob").await;
    let dm = g2.open_single(&bob.access, &alice.user_id).await;
    let mut a_ws = g1.ws_connect(&alice.access).await;
    let send = |i: u64| {
        let body = json!({"conversation_id": dm, "client_msg_id": format!("b{i}"), "content": format!("{i}")});
        send_until_acked(&g2, &bob.access, body)
    };
    send(1).await;
    let live = |f: &Value| f["type"] == "new-message";
    assert_eq!(a_ws.recv_until(live).await["data"]["seq"], 1);

    // gateway-1's key leaves etcd while its lease lives on: it stays out
    // of discovery, and logic's reaper (every 200 ms) sees it gone.
    let env = |k: &str| {
        cluster
            .env
            .iter()
            .find(|(name, _)| name.strip_prefix("FERROCHAT_") == Some(k))
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    let key = format!("{}gateway/gateway-1", env("DISCOVERY__ETCD_PREFIX"));
    let out = Command::new("etcdctl")
        .env("ETCDCTL_API", "3")
        .args(["--endpoints", &env("DISCOVERY__ETCD_URL"), "del", &key])
        .output()
        .expect("etcdctl runs");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1", "{out:?}");
    // Sends through the next seconds all reach alice live, in order.
    for i in 2..=40 {
        send(i).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for i in 2..=40 {
        let f = tokio::time::timeout(Duration::from_secs(5), a_ws.recv_until(live))
            .await
            .unwrap_or_else(|_| panic!("seq {i} never came live"));
        assert_eq!(f["data"]["seq"], i, "live frames in order, none missing");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_redis_restart_loses_the_routes_and_gateway_heartbeats_rebuild_them() {
    let mut redis = PrivateRedis::start().await;
    let url = redis.url();
    // Heartbeats every second.
    let cluster =
        Cluster::new(&[("PRESENCE__REDIS_URL", &url), ("PRESENCE__ROUTE_TTL", "3s")]).await;
    let roles = cluster.full().await;
    let (g1, g2) = (roles.gateway(0), roles.gateway(1));
    let alice = g1.new_user("alice").await;
    let bob = g2.new_user("bob").await;
    let dm = g2.open_single(&bob.access, &alice.user_id).await;
    let mut a_ws = g1.ws_connect(&alice.access).await;
    let mut alices = Inbox::new(&dm);
    let send = |i: u64| {
        let body = json!({"conversation_id": dm, "client_msg_id": format!("b{i}"), "content": format!("{i}")});
        send_until_acked(&g2, &bob.access, body)
    };
    send(1).await;
    await_seq(&mut a_ws, &mut alices, 1).await;

    redis.restart().await;
    // Until gateway-1's next heartbeat restores alice's route, sends are
    // stored but not delivered live; then they are again.
    let mut i = 1;
    tokio::time::timeout(CONVERGE, async {
        loop {
            i += 1;
            send(i).await;
            if let Ok(f) = tokio::time::timeout(
                Duration::from_millis(500),
                a_ws.recv_until(|f| f["type"] == "new-message"),
            )
            .await
            {
                if f["data"]["seq"] == i {
                    return;
                }
            }
        }
    })
    .await
    .expect("alice's route was rebuilt: a message reached her live again");
    await_seq(&mut a_ws, &mut alices, i).await;
    alices.assert_complete(&g2.history_all(&alice.access, &dm).await, "alice");
}

/// Each role's `/ready` names every dependency it uses; a role whose
/// Redis is stopped answers 503 naming `redis` (the repo, which does not
/// use it, stays ready) and 200 once Redis is back; with the repo killed,
/// logic and the task role name their `store`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_roles_ready_names_the_dependency_that_is_down() {
    use crate::ready::{all_ok, check_names, down, ready_at, ready_until};

    let mut redis = PrivateRedis::start().await;
    let url = redis.url();
    let cluster = Cluster::new(&[("PRESENCE__REDIS_URL", &url)]).await;
    let mut repo = cluster.start("repo", "repo-1").await;
    let logic = cluster.start("logic", "logic-1").await;
    let task = cluster.start("task", "task-1").await;
    let gateway = cluster.start("gateway", "gateway-1").await;
    let reader = ["store", "bus", "bus_reader", "redis", "etcd"];
    for (role, names) in [
        (&repo, &["store", "etcd"][..]),
        (&logic, &reader[..]),
        (&task, &reader[..]),
        (&gateway, &["logic", "bus", "redis", "etcd"][..]),
    ] {
        // Ready before it is registered (etcd is shown, not required):
        // the registration follows at once.
        let (_, body) = ready_until(&role.metrics, "every check ok", all_ok).await;
        assert_eq!(check_names(&body), names, "{body}");
    }
    // A gateway answers the same on its clients' port.
    let (_, body) = ready_at(&gateway.base).await;
    assert_eq!(check_names(&body), ["logic", "bus", "redis", "etcd"]);

    redis.stop();
    for role in [&logic, &task, &gateway] {
        ready_until(&role.metrics, "redis unavailable", |s, b| {
            down(s, b, "redis")
        })
        .await;
    }
    let (status, body) = ready_at(&repo.metrics).await;
    assert!(all_ok(status, &body), "the repo uses no Redis: {body}");

    redis.restart().await;
    for role in [&logic, &task, &gateway] {
        ready_until(&role.metrics, "every check ok again", all_ok).await;
    }

    repo.kill9();
    for role in [&logic, &task] {
        ready_until(&role.metrics, "the store unavailable", |s, b| {
            down(s, b, "store")
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_that_cannot_register_exits_saying_so() {
    let cluster = Cluster::new(&[("DISCOVERY__ETCD_URL", "http://127.0.0.1:1")]).await;
    let mut child = Command::new(BIN)
        .arg("task")
        .envs(cluster.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .envs(cluster.tls_env("task"))
        .env("FERROCHAT_NODE_ID", "task-x")
        .env("FERROCHAT_DATA_DIR", cluster.dir.path())
        .env("FERROCHAT_STORE__URL", &cluster.store_url)
        .env("FERROCHAT_DISCOVERY__ETCD_TIMEOUT", "1s")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut status = None;
    for _ in 0..600 {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = status.expect("the role exits when etcd cannot be reached");
    assert!(!status.success());
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("registering in discovery"), "{stderr}");
}
