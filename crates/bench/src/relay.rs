//! The null relay: the same WebSocket stack as ferrochat (axum, tokio),
//! with no auth, no persistence and no checks, just seq numbering and
//! fan-out. What the bench measures against it is this machine's ceiling.
//!
//! It speaks only what the bench uses: register and login (the token is
//! the username), group create and add members, conversations (empty),
//! and on `/ws` `send-message`, `sync` (always empty) and `ping`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, RwLock};

use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::{SinkExt as _, StreamExt as _};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::target::Target;

/// A relay serving on 127.0.0.1:<free port> until dropped.
pub struct Relay {
    addr: SocketAddr,
    cancel: CancellationToken,
}

/// Frames queued per connection; a full queue holds the senders back.
const OUTBOX: usize = 1024;

/// One connection's id and outbox.
type Registered = (u64, mpsc::Sender<Utf8Bytes>);

#[derive(Default)]
struct Hub {
    /// user -> that user's connections.
    conns: RwLock<HashMap<String, Vec<Registered>>>,
    /// conversation -> last seq. Held while a message is numbered and
    /// queued to every member, so each connection gets a conversation's
    /// frames in seq order.
    seqs: tokio::sync::Mutex<HashMap<String, u64>>,
    groups: RwLock<HashMap<String, Vec<String>>>,
    next: AtomicU64,
}

impl Relay {
    pub async fn start() -> anyhow::Result<Self> {
        let hub = Arc::new(Hub::default());
        let app = Router::new()
            .route("/api/v1/users/register", post(register))
            .route("/api/v1/auth/login", post(login))
            .route("/api/v1/groups/create", post(create_group))
            .route("/api/v1/groups/{id}/members", post(add_members))
            .route("/api/v1/conversations", get(conversations))
            .route("/ws", get(ws))
            .with_state(hub);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let cancel = CancellationToken::new();
        let stop = cancel.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await;
        });
        Ok(Self { addr, cancel })
    }

    pub fn target(&self) -> Target {
        Target::local(self.addr, None, "null relay").expect("the relay binds 127.0.0.1")
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

fn ok(data: Value) -> Json<Value> {
    Json(json!({"code": 0, "message": "ok", "data": data}))
}

fn bearer(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned()
}

#[derive(Deserialize)]
struct Creds {
    username: String,
}

async fn register(Json(c): Json<Creds>) -> Json<Value> {
    ok(json!({"user_id": c.username, "username": c.username, "nickname": c.username}))
}

async fn login(Json(c): Json<Creds>) -> Json<Value> {
    ok(
        json!({"access_token": c.username, "refresh_token": "", "token_type": "Bearer",
        "expires_in": 900, "user": {"user_id": c.username, "username": c.username}}),
    )
}

async fn create_group(State(hub): State<Arc<Hub>>, headers: HeaderMap) -> Json<Value> {
    let id = format!("g{}", hub.next.fetch_add(1, Relaxed));
    if let Ok(mut g) = hub.groups.write() {
        g.insert(id.clone(), vec![bearer(&headers)]);
    }
    ok(json!({"group_id": id, "conversation_id": id}))
}

#[derive(Deserialize)]
struct Members {
    user_ids: Vec<String>,
}

async fn add_members(
    State(hub): State<Arc<Hub>>,
    Path(id): Path<String>,
    Json(m): Json<Members>,
) -> Json<Value> {
    if let Ok(mut g) = hub.groups.write() {
        g.entry(id).or_default().extend(m.user_ids);
    }
    ok(json!({"members": []}))
}

async fn conversations() -> Json<Value> {
    ok(json!({"conversations": []}))
}

#[derive(Deserialize)]
struct WsQuery {
    token: String,
}

async fn ws(
    State(hub): State<Arc<Hub>>,
    Query(q): Query<WsQuery>,
    up: WebSocketUpgrade,
) -> impl IntoResponse {
    // Registered before the upgrade is answered: a client that saw its
    // socket open gets every message sent after that.
    let conn = hub.next.fetch_add(1, Relaxed);
    let (tx, rx) = mpsc::channel::<Utf8Bytes>(OUTBOX);
    if let Ok(mut c) = hub.conns.write() {
        c.entry(q.token.clone())
            .or_default()
            .push((conn, tx.clone()));
    }
    let outbox = NewConn { conn, tx, rx };
    up.on_upgrade(move |socket| session(hub, q.token, outbox, socket))
}

/// A connection's id and its queue of frames to write.
struct NewConn {
    conn: u64,
    tx: mpsc::Sender<Utf8Bytes>,
    rx: mpsc::Receiver<Utf8Bytes>,
}

#[derive(Deserialize)]
struct In {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    data: SendData,
}

#[derive(Deserialize, Default)]
struct SendData {
    to_user_id: Option<String>,
    group_id: Option<String>,
    conversation_id: Option<String>,
    #[serde(default)]
    client_msg_id: String,
    #[serde(default)]
    content: String,
}

async fn session(hub: Arc<Hub>, user: String, outbox: NewConn, socket: WebSocket) {
    let NewConn { conn, tx, mut rx } = outbox;
    let (mut sink, mut stream) = socket.split();
    let writer = tokio::spawn(async move {
        while let Some(m) = rx.recv().await {
            if sink.feed(Message::Text(m)).await.is_err() {
                return;
            }
            while let Ok(m) = rx.try_recv() {
                if sink.feed(Message::Text(m)).await.is_err() {
                    return;
                }
            }
            if sink.flush().await.is_err() {
                return;
            }
        }
    });
    while let Some(Ok(msg)) = stream.next().await {
        let Message::Text(text) = msg else {
            if matches!(msg, Message::Close(_)) {
                break;
            }
            continue;
        };
        let Ok(f) = serde_json::from_str::<In>(text.as_str()) else {
            continue;
        };
        let id = f.id.unwrap_or_default();
        let reply = match f.kind.as_str() {
            "send-message" | "message" => fan_out(&hub, &user, conn, f.data, &id).await,
            "sync" => json!({"type": "sync", "id": id, "data": {"conversations": []}}).to_string(),
            "ping" => json!({"type": "pong", "id": id, "data": {}}).to_string(),
            _ => continue,
        };
        if tx.send(Utf8Bytes::from(reply)).await.is_err() {
            break;
        }
    }
    if let Ok(mut c) = hub.conns.write() {
        if let Some(v) = c.get_mut(&user) {
            v.retain(|(id, _)| *id != conn);
        }
    }
    drop(tx);
    writer.abort();
}

/// Numbers the message, queues one shared frame to every other connection
/// of every member, and returns the sender's ack. A member's full queue
/// makes the sender wait (the relay loses nothing: a bench run against it
/// measures the client, not drops).
async fn fan_out(hub: &Hub, from: &str, conn: u64, d: SendData, id: &str) -> String {
    let (conv, members): (String, Vec<String>) = if let Some(to) = d.to_user_id {
        let conv = if from < to.as_str() {
            format!("{from}:{to}")
        } else {
            format!("{to}:{from}")
        };
        (conv, vec![from.to_owned(), to])
    } else if let Some(g) = d.group_id {
        let members = hub
            .groups
            .read()
            .ok()
            .and_then(|gs| gs.get(&g).cloned())
            .unwrap_or_default();
        (g, members)
    } else {
        let conv = d.conversation_id.unwrap_or_default();
        let all = hub
            .conns
            .read()
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default();
        (conv, all)
    };
    let mut seqs = hub.seqs.lock().await;
    let seq = {
        let s = seqs.entry(conv.clone()).or_insert(0);
        *s += 1;
        *s
    };
    let msg = json!({"message_id": format!("{conv}:{seq}"), "conversation_id": conv,
        "seq": seq, "from_user_id": from, "message_type": "text", "content": d.content,
        "client_msg_id": d.client_msg_id});
    let frame = Utf8Bytes::from(json!({"type": "new-message", "data": msg}).to_string());
    let targets: Vec<mpsc::Sender<Utf8Bytes>> = match hub.conns.read() {
        Ok(conns) => members
            .iter()
            .flat_map(|m| conns.get(m).into_iter().flatten())
            .filter(|(c, _)| *c != conn)
            .map(|(_, tx)| tx.clone())
            .collect(),
        Err(_) => Vec::new(),
    };
    for tx in targets {
        // Closed: that connection is gone.
        let _ = tx.send(frame.clone()).await;
    }
    drop(seqs);
    json!({"type": "send-ack", "id": id, "data": {"message_id": format!("{conv}:{seq}"),
        "conversation_id": conv, "seq": seq, "client_msg_id": d.client_msg_id}})
    .to_string()
}
