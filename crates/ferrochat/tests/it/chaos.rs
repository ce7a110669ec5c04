//! Acked means pushed, whatever fails. Each test runs the cluster roles
//! as processes (a repo, two logic, a task, two gateways), puts load on it
//! from several senders over both gateways, does one bad thing in the
//! middle of the load (SIGKILL a logic, the repo, the task role or a
//! gateway; Redis restarted empty; the broker replaced by an empty one),
//! and ends when every message acked to a sender has reached each of its
//! receivers over the WebSocket, in seq order, or fails after a bound.
//!
//! The clients behave as real ones do, and nothing more:
//! - a sender keeps up to `WINDOW` sends in flight and resends one with the
//!   same client_msg_id when told to retry (1009, or 1007 after the hint
//!   a lagging large group's refusal gives); when its connection
//!   drops it reconnects and resends what was not acked;
//! - a receiver syncs when it connects and never again while it stays
//!   connected: it takes the frames as they come, drops one whose seq it
//!   already has, and after a reconnect it syncs from the last seq it has,
//!   as the protocol asks.
//!
//! So a message that was acked but whose push died with a process is
//! found missing here; no poll papers over it.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::{SinkExt as _, StreamExt as _};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use ferrochat_test_support::PrivateBroker;

use crate::procs::{Cluster, Roles};
use crate::support::Session as TestUser;
use ferrochat_test_support::PrivateRedis;

/// Sends in flight per sender.
const WINDOW: usize = 8;
/// The bad thing happens once this many sends were acked (the load is
/// flowing: consumer groups have their partitions)...
const ACKED_BEFORE_STRIKE: usize = 60;
/// ... and senders go on this long after it.
const LOAD_AFTER_STRIKE: Duration = Duration::from_secs(8);
/// How long, after the load stops, every acked message has to arrive; and
/// how long the load may take to start flowing.
const SETTLE: Duration = Duration::from_secs(90);

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What every client saw, shared with the test.
#[derive(Default)]
struct Seen {
    /// Per conversation, the seqs acked to its senders.
    acked: HashMap<String, BTreeSet<u64>>,
    /// Per (receiver, conversation), the seqs it has.
    got: HashMap<(String, String), BTreeSet<u64>>,
    /// Frames whose seq the receiver already had (allowed on the wire).
    repeats: u64,
    /// Live frames past a gap (a seq after a missing one): never allowed.
    out_of_order: Vec<String>,
    /// Answers telling a sender to retry.
    retries: u64,
    /// Acks for a client_msg_id acked before.
    repeated_acks: u64,
}

type Shared = Arc<Mutex<Seen>>;

/// One conversation with its sender and the gateway each client uses.
struct Flow {
    conv: String,
    sender: TestUser,
    sender_gw: usize,
    receivers: Vec<(TestUser, usize)>,
}

/// The cluster's gateways as clients find them: a client of a dead one
/// goes to the other.
#[derive(Clone)]
struct Gateways(Arc<Mutex<Vec<(String, bool)>>>);

impl Gateways {
    fn new(roles: &Roles) -> Self {
        Self(Arc::new(Mutex::new(
            roles
                .gateways
                .iter()
                .map(|g| (g.base.clone(), true))
                .collect(),
        )))
    }

    fn mark_dead(&self, i: usize) {
        self.0.lock().unwrap()[i].1 = false;
    }

    /// Gateway `i` if alive, else the first live one.
    fn url(&self, i: usize) -> String {
        let g = self.0.lock().unwrap();
        let base = if g[i].1 {
            &g[i].0
        } else {
            &g.iter()
                .find(|(_, alive)| *alive)
                .expect("a live gateway")
                .0
        };
        format!("{}/ws", base.replacen("http://", "ws://", 1))
    }
}

async fn connect(gateways: &Gateways, i: usize, token: &str) -> Socket {
    let deadline = Instant::now() + SETTLE;
    loop {
        let url = format!("{}?token={token}", gateways.url(i));
        if let Ok(Ok((s, _))) = tokio::time::timeout(
            Duration::from_secs(5),
            tokio_tungstenite::connect_async(url),
        )
        .await
        {
            return s;
        }
        assert!(Instant::now() < deadline, "no gateway takes connections");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn frame(kind: &str, id: &str, data: Value) -> Message {
    Message::text(json!({"type": kind, "id": id, "data": data}).to_string())
}

/// Sends into `flow_conv` until `stop`, then until every send is acked.
async fn sender(
    flow_conv: String,
    token: String,
    gw: usize,
    gateways: Gateways,
    seen: Shared,
    stop: tokio_util::sync::CancellationToken,
) {
    let mut next = 0u64;
    // client_msg_id -> content, sent and not acked yet.
    let mut unacked: HashMap<String, String> = HashMap::new();
    let mut acked_ids: BTreeSet<String> = BTreeSet::new();
    let mut resend: Vec<String> = Vec::new();
    let mut socket = connect(&gateways, gw, &token).await;
    let mut deadline = None;
    loop {
        let sending = !stop.is_cancelled();
        if !sending && unacked.is_empty() {
            return;
        }
        if !sending && deadline.is_none() {
            deadline = Some(Instant::now() + SETTLE);
        }
        if let Some(d) = deadline {
            assert!(
                Instant::now() < d,
                "sends of {flow_conv} never acked: {unacked:?}"
            );
        }
        // Fill the window: resends first, then new messages.
        let mut broken = false;
        while unacked.len() - resend.len() < WINDOW && (!resend.is_empty() || sending) {
            let (id, content) = match resend.pop() {
                Some(id) => {
                    let content = unacked[&id].clone();
                    (id, content)
                }
                None => {
                    next += 1;
                    let id = format!("m{next}");
                    let content = format!("{flow_conv} {next}");
                    unacked.insert(id.clone(), content.clone());
                    (id, content)
                }
            };
            let data =
                json!({"conversation_id": flow_conv, "client_msg_id": id, "content": content});
            if socket.send(frame("send-message", &id, data)).await.is_err() {
                broken = true;
                break;
            }
        }
        let got = if broken {
            None
        } else {
            match tokio::time::timeout(Duration::from_millis(200), socket.next()).await {
                Err(_) => continue,
                Ok(Some(Ok(m))) => Some(m),
                Ok(_) => None,
            }
        };
        let Some(m) = got else {
            // The connection is gone: reconnect and resend what was not
            // acked.
            socket = connect(&gateways, gw, &token).await;
            resend = unacked.keys().cloned().collect();
            continue;
        };
        let Message::Text(text) = m else { continue };
        let f: Value = serde_json::from_str(&text).unwrap();
        let id = f["id"].as_str().unwrap_or_default().to_owned();
        match f["type"].as_str() {
            Some("send-ack") => {
                let seq = f["data"]["seq"].as_u64().unwrap();
                let mut s = seen.lock().unwrap();
                if unacked.remove(&id).is_some() {
                    acked_ids.insert(id);
                    s.acked.entry(flow_conv.clone()).or_default().insert(seq);
                } else if acked_ids.contains(&id) {
                    s.repeated_acks += 1;
                }
            }
            // 1009: retry; 1007: a large group's delivery lags, retry
            // after the hint. Either way the same client_msg_id.
            Some("error") if f["data"]["code"] == 1009 || f["data"]["code"] == 1007 => {
                seen.lock().unwrap().retries += 1;
                if unacked.contains_key(&id) {
                    tokio::time::sleep(retry_hint(&f)).await;
                    resend.push(id);
                }
            }
            Some("error") => panic!("a send was refused: {f}"),
            _ => {}
        }
    }
}

/// How long an error frame says to wait: "... retry in N ms" (1007 for a
/// lagging large group), else a short pause.
fn retry_hint(f: &Value) -> Duration {
    let ms = f["data"]["message"]
        .as_str()
        .and_then(|m| m.split("retry in ").nth(1))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(100);
    Duration::from_millis(ms)
}

/// A receiver's view of one conversation.
struct View {
    key: (String, String),
    /// Everything up to here is there.
    cursor: u64,
}

/// Syncs, then takes frames until `stop`; after a reconnect, syncs from
/// what it has.
async fn receiver(
    name: String,
    token: String,
    gw: usize,
    convs: Vec<String>,
    gateways: Gateways,
    seen: Shared,
    stop: tokio_util::sync::CancellationToken,
) {
    let mut views: HashMap<String, View> = convs
        .iter()
        .map(|c| {
            let key = (name.clone(), c.clone());
            (c.clone(), View { key, cursor: 0 })
        })
        .collect();
    // A client syncs whenever it connects, the first time too: a message
    // fanned out before its route existed (the group's "created" message,
    // say) reaches it only that way, and its live frames start after it.
    let mut socket = connect(&gateways, gw, &token).await;
    sync(&mut socket, &mut views, &seen).await;
    loop {
        let m = tokio::select! {
            _ = stop.cancelled() => return,
            m = socket.next() => m,
        };
        let text = match m {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(_)) => continue,
            _ => {
                socket = connect(&gateways, gw, &token).await;
                sync(&mut socket, &mut views, &seen).await;
                continue;
            }
        };
        let f: Value = serde_json::from_str(&text).unwrap();
        if f["type"] != "new-message" {
            continue;
        }
        let conv = f["data"]["conversation_id"].as_str().unwrap();
        let Some(view) = views.get_mut(conv) else {
            continue;
        };
        let seq = f["data"]["seq"].as_u64().unwrap();
        take(view, seq, &seen, true);
    }
}

/// Records `seq` for `view`. A live frame must be the next seq or one it
/// already has. While a sync is answered (`live` false) frames may come
/// past a gap: live ones pushed before the answer, which then fills the
/// gap below them; the cursor moves only over what is there without a
/// hole, so the answer's messages are kept, not taken for repeats.
fn take(view: &mut View, seq: u64, seen: &Shared, live: bool) {
    let mut s = seen.lock().unwrap();
    let s = &mut *s;
    let got = s.got.entry(view.key.clone()).or_default();
    if seq <= view.cursor || got.contains(&seq) {
        s.repeats += 1;
        return;
    }
    if seq != view.cursor + 1 && live {
        s.out_of_order
            .push(format!("{:?}: seq {seq} after {}", view.key, view.cursor));
        return;
    }
    got.insert(seq);
    while got.contains(&(view.cursor + 1)) {
        view.cursor += 1;
    }
}

/// `sync` from each conversation's cursor until the server has nothing more.
async fn sync(socket: &mut Socket, views: &mut HashMap<String, View>, seen: &Shared) {
    loop {
        let cursors: serde_json::Map<String, Value> = views
            .iter()
            .map(|(c, v)| (c.clone(), json!(v.cursor)))
            .collect();
        if socket
            .send(frame(
                "sync",
                "s",
                json!({"cursors": cursors, "limit": 200}),
            ))
            .await
            .is_err()
        {
            return;
        }
        let reply = loop {
            match tokio::time::timeout(SETTLE, socket.next()).await {
                Ok(Some(Ok(Message::Text(t)))) => {
                    let f: Value = serde_json::from_str(&t).unwrap();
                    if f["type"] == "sync" {
                        break f;
                    }
                    // Live frames before the answer: kept by seq.
                    if f["type"] == "new-message" {
                        let conv = f["data"]["conversation_id"].as_str().unwrap();
                        if let Some(view) = views.get_mut(conv) {
                            take(view, f["data"]["seq"].as_u64().unwrap(), seen, false);
                        }
                    }
                }
                Ok(Some(Ok(_))) => continue,
                _ => return,
            }
        };
        let mut more = false;
        for c in reply["data"]["conversations"].as_array().unwrap() {
            let conv = c["conversation_id"].as_str().unwrap();
            let Some(view) = views.get_mut(conv) else {
                continue;
            };
            for m in c["messages"].as_array().unwrap() {
                take(view, m["seq"].as_u64().unwrap(), seen, false);
            }
            more |= c["has_more"] == true;
        }
        if !more {
            return;
        }
    }
}

/// The load: each flow's sender and receivers, the strike once the load
/// flows, then the wait until every acked message arrived.
async fn run(
    roles_gateways: Gateways,
    flows: Vec<Flow>,
    strike: impl std::future::Future<Output = ()>,
) -> Seen {
    let seen: Shared = Arc::default();
    let stop = tokio_util::sync::CancellationToken::new();
    let stop_sending = tokio_util::sync::CancellationToken::new();
    // Receivers connect first, so nothing is sent before they listen.
    let mut by_receiver: HashMap<String, (TestUser, usize, Vec<String>)> = HashMap::new();
    for f in &flows {
        for (r, gw) in &f.receivers {
            by_receiver
                .entry(r.user_id.clone())
                .or_insert_with(|| (r.clone(), *gw, Vec::new()))
                .2
                .push(f.conv.clone());
        }
    }
    let receivers: Vec<_> = by_receiver
        .into_values()
        .map(|(r, gw, convs)| {
            tokio::spawn(receiver(
                r.username.clone(),
                r.access.clone(),
                gw,
                convs,
                roles_gateways.clone(),
                seen.clone(),
                stop.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let senders: Vec<_> = flows
        .iter()
        .map(|f| {
            tokio::spawn(sender(
                f.conv.clone(),
                f.sender.access.clone(),
                f.sender_gw,
                roles_gateways.clone(),
                seen.clone(),
                stop_sending.clone(),
            ))
        })
        .collect();
    let acked = || {
        seen.lock()
            .unwrap()
            .acked
            .values()
            .map(BTreeSet::len)
            .sum::<usize>()
    };
    let flowing = Instant::now() + SETTLE;
    while acked() < ACKED_BEFORE_STRIKE {
        assert!(Instant::now() < flowing, "the load never flowed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let before = acked();
    strike.await;
    eprintln!("struck after {before} acks");
    tokio::time::sleep(LOAD_AFTER_STRIKE).await;
    stop_sending.cancel();
    for s in senders {
        s.await.expect("a sender");
    }
    // Every acked message reaches every receiver of its conversation.
    let deadline = Instant::now() + SETTLE;
    loop {
        let missing = missing(&seen.lock().unwrap(), &flows);
        if missing.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "acked but never pushed: {}; live frames past a gap: {:?}",
            missing.join("; "),
            seen.lock().unwrap().out_of_order
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    stop.cancel();
    for r in receivers {
        r.await.expect("a receiver");
    }
    let seen = Arc::try_unwrap(seen).ok().unwrap().into_inner().unwrap();
    assert!(
        seen.out_of_order.is_empty(),
        "frames out of order: {:?}",
        seen.out_of_order
    );
    eprintln!(
        "acked {}, repeats {}, retries {}, repeated acks {}",
        seen.acked.values().map(BTreeSet::len).sum::<usize>(),
        seen.repeats,
        seen.retries,
        seen.repeated_acks
    );
    seen
}

/// What each receiver lacks of what was acked in its conversations.
fn missing(seen: &Seen, flows: &[Flow]) -> Vec<String> {
    let mut out = Vec::new();
    for f in flows {
        let Some(acked) = seen.acked.get(&f.conv) else {
            continue;
        };
        for (r, _) in &f.receivers {
            let empty = BTreeSet::new();
            let got = seen
                .got
                .get(&(r.username.clone(), f.conv.clone()))
                .unwrap_or(&empty);
            let lacking: Vec<&u64> = acked.difference(got).collect();
            if !lacking.is_empty() {
                out.push(format!(
                    "{} lacks {} of {} acked in {} (first {:?})",
                    r.username,
                    lacking.len(),
                    acked.len(),
                    f.conv,
                    lacking.first()
                ));
            }
        }
    }
    out
}

/// Six one-to-one conversations, each sender on one gateway and its
/// receiver on the other.
async fn pairs(roles: &Roles) -> Vec<Flow> {
    let mut flows = Vec::new();
    for k in 0..6 {
        let (sgw, rgw) = (k % 2, (k + 1) % 2);
        let s = roles.gateway(sgw).new_user(&format!("s{k}")).await;
        let r = roles.gateway(rgw).new_user(&format!("r{k}")).await;
        let conv = roles.gateway(sgw).open_single(&s.access, &r.user_id).await;
        flows.push(Flow {
            conv,
            sender: s,
            sender_gw: sgw,
            receivers: vec![(r, rgw)],
        });
    }
    flows
}

/// One group fanned out by the task role (its threshold set low), three
/// of its members sending, every other member receiving, on both gateways.
async fn group(roles: &Roles) -> Vec<Flow> {
    let g = roles.gateway(0);
    let mut members = Vec::new();
    for k in 0..8 {
        members.push((roles.gateway(k % 2).new_user(&format!("g{k}")).await, k % 2));
    }
    let ids: Vec<&str> = members[1..]
        .iter()
        .map(|(m, _)| m.user_id.as_str())
        .collect();
    let created = g
        .create_group(
            &members[0].0.access,
            json!({"name": "chaos", "member_ids": ids}),
        )
        .await;
    let conv = created.ok()["conversation_id"].as_str().unwrap().to_owned();
    // One flow per sender: the conversation's acks are checked against
    // every member but the sender.
    (0..3)
        .map(|k| Flow {
            conv: conv.clone(),
            sender: members[k].0.clone(),
            sender_gw: members[k].1,
            receivers: members
                .iter()
                .filter(|(m, _)| m.user_id != members[k].0.user_id)
                .cloned()
                .collect(),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_logic_killed_mid_load_loses_no_push() {
    let cluster = Cluster::new(&[]).await;
    let mut roles = cluster.full().await;
    let flows = pairs(&roles).await;
    let gateways = Gateways::new(&roles);
    let logic = &mut roles.logic[0];
    run(gateways, flows, async { logic.kill9() }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_repo_killed_mid_load_and_back_in_three_seconds_loses_no_push() {
    let cluster = Cluster::new(&[]).await;
    let mut roles = cluster.full().await;
    let flows = pairs(&roles).await;
    let gateways = Gateways::new(&roles);
    let repo = &mut roles.repo;
    let cluster = &cluster;
    run(gateways, flows, async move {
        repo.kill9();
        tokio::time::sleep(Duration::from_secs(3)).await;
        *repo = cluster.start("repo", "repo-2").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_task_killed_mid_fan_out_loses_no_push() {
    let cluster = Cluster::new(&[("MESSAGING__FANOUT_TASK_THRESHOLD", "2")]).await;
    let mut roles = cluster.full().await;
    let flows = group(&roles).await;
    let gateways = Gateways::new(&roles);
    let task = &mut roles.task;
    let cluster = &cluster;
    run(gateways, flows, async move {
        task.kill9();
        *task = cluster.start("task", "task-2").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_gateway_killed_mid_load_its_clients_resync_exactly_what_they_missed() {
    let cluster = Cluster::new(&[]).await;
    let mut roles = cluster.full().await;
    let flows = pairs(&roles).await;
    let gateways = Gateways::new(&roles);
    let killed = gateways.clone();
    let gateway = &mut roles.gateways[0];
    let seen = run(gateways, flows, async move {
        killed.mark_dead(0);
        gateway.kill9();
    })
    .await;
    // Each receiver has every message of its conversation once: what it
    // got live and what its sync brought after the reconnect.
    for (key, got) in &seen.got {
        let max = *got.last().unwrap();
        assert_eq!(got.len() as u64, max, "{key:?} has every seq up to {max}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_restarted_empty_mid_load_loses_no_push() {
    let mut redis = PrivateRedis::start().await;
    let url = redis.url();
    let cluster = Cluster::new(&[("PRESENCE__REDIS_URL", &url)]).await;
    let roles = cluster.full().await;
    let flows = pairs(&roles).await;
    let gateways = Gateways::new(&roles);
    run(gateways, flows, redis.restart()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_broker_replaced_by_an_empty_one_mid_load_loses_no_push() {
    let mut broker = PrivateBroker::start().await;
    let brokers = broker.address();
    let cluster = Cluster::new(&[("BUS__KAFKA__BROKERS", &brokers)]).await;
    let roles = cluster.full().await;
    let flows = pairs(&roles).await;
    let gateways = Gateways::new(&roles);
    run(gateways, flows, broker.replace_with_empty()).await;
}
