//! One bench WebSocket client: a socket bound to a chosen 127.0.0.x, a
//! writer task, and a reader task that matches acks to sends and checks
//! every delivery's seq.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use futures::{SinkExt as _, StreamExt as _};
use serde::Deserialize;
use tokio::net::TcpSocket;
use tokio::sync::{mpsc, oneshot, Semaphore};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

use crate::track::{self, Counters, Latencies, Order, Orders, Seen};

/// What every connection of a run shares.
pub struct Shared {
    /// Tags this run's messages (in content and usernames).
    pub run: String,
    pub counters: Counters,
    pub epoch: Instant,
    /// Online recipients each acked message owes a delivery to.
    pub recipients: AtomicU64,
    /// Each conversation's last seq before the run.
    pub baselines: HashMap<String, u64>,
    pub pongs: AtomicU64,
}

impl Shared {
    pub fn new(run: String, recipients: u64, baselines: HashMap<String, u64>) -> Self {
        Self {
            run,
            counters: Counters::default(),
            epoch: Instant::now(),
            recipients: AtomicU64::new(recipients),
            baselines,
            pongs: AtomicU64::new(0),
        }
    }
}

/// What a reader keeps across reconnects: cursors and latencies.
#[derive(Default)]
pub struct ReaderState {
    pub orders: Orders,
    pub lat: Latencies,
}

pub struct Conn {
    pub out: mpsc::Sender<Message>,
    /// Sends waiting for their ack: correlation id -> send time.
    pub pending: Arc<Mutex<HashMap<u64, Instant>>>,
    /// Sends in flight allowed (flat out).
    pub window: Arc<Semaphore>,
    /// Fires once a reconnect's `sync` has been answered in full.
    pub synced: Option<oneshot::Receiver<()>>,
    /// The last correlation id used on this connection.
    pub next_id: AtomicU64,
    closing: Arc<AtomicBool>,
    reader: JoinHandle<ReaderState>,
    writer: JoinHandle<()>,
}

impl Conn {
    /// Connects from `source` to `server` as the holder of `token`. With
    /// `resync`, sends `sync` with the cursors in `state` at once.
    pub async fn open(
        server: SocketAddr,
        source: IpAddr,
        token: &str,
        shared: Arc<Shared>,
        state: ReaderState,
        resync: bool,
        window: usize,
    ) -> anyhow::Result<Conn> {
        let opened = Instant::now();
        let socket = TcpSocket::new_v4().context("socket")?;
        socket
            .bind(SocketAddr::new(source, 0))
            .with_context(|| format!("binding to {source}"))?;
        let stream = socket
            .connect(server)
            .await
            .with_context(|| format!("connecting from {source} to {server}"))?;
        stream.set_nodelay(true)?;
        let url = format!("ws://{server}/ws?token={token}");
        // Small buffers: the default 128 KiB each would make the bench,
        // not the server, run out of memory at tens of thousands of clients.
        let config = WebSocketConfig::default()
            .read_buffer_size(8 * 1024)
            .write_buffer_size(8 * 1024);
        let (ws, _) = tokio_tungstenite::client_async_with_config(url, stream, Some(config))
            .await
            .context("WebSocket handshake")?;
        let (mut sink, mut stream) = ws.split();
        let (out, mut rx) = mpsc::channel::<Message>(256);
        let writer = tokio::spawn(async move {
            while let Some(m) = rx.recv().await {
                if sink.feed(m).await.is_err() {
                    return;
                }
                while let Ok(m) = rx.try_recv() {
                    if sink.feed(m).await.is_err() {
                        return;
                    }
                }
                if sink.flush().await.is_err() {
                    return;
                }
            }
            let _ = sink.close().await;
        });
        let pending = Arc::new(Mutex::new(HashMap::new()));
        let window = Arc::new(Semaphore::new(window));
        let closing = Arc::new(AtomicBool::new(false));
        let (synced_tx, synced) = if resync {
            let (tx, rx) = oneshot::channel();
            (Some(tx), Some(rx))
        } else {
            (None, None)
        };
        let mut reader = Reader {
            shared,
            state,
            pending: pending.clone(),
            window: window.clone(),
            out: out.clone(),
            synced: synced_tx,
            opened,
        };
        if resync {
            reader.send_sync().await;
        }
        let closing2 = closing.clone();
        let reader = tokio::spawn(async move {
            while let Some(msg) = stream.next().await {
                match msg {
                    Ok(Message::Text(t)) => reader.handle(t.as_str()).await,
                    Ok(Message::Close(frame)) => {
                        if !closing2.load(Relaxed) {
                            reader.dropped(format!("server closed the connection: {frame:?}"));
                        }
                        break;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        if !closing2.load(Relaxed) {
                            reader.dropped(format!("connection failed: {e}"));
                        }
                        break;
                    }
                }
            }
            reader.state
        });
        Ok(Conn {
            out,
            pending,
            window,
            synced,
            next_id: AtomicU64::new(0),
            closing,
            reader,
            writer,
        })
    }

    /// Closes normally and hands back the reader's state.
    pub async fn close(self) -> ReaderState {
        self.closing.store(true, Relaxed);
        let _ = self.out.send(Message::Close(None)).await;
        drop(self.out);
        let _ = tokio::time::timeout(Duration::from_secs(5), self.writer).await;
        let abort = self.reader.abort_handle();
        match tokio::time::timeout(Duration::from_secs(5), self.reader).await {
            Ok(Ok(state)) => state,
            _ => {
                abort.abort();
                ReaderState::default()
            }
        }
    }

    pub fn in_flight(&self) -> usize {
        self.pending.lock().map_or(0, |p| p.len())
    }
}

struct Reader {
    shared: Arc<Shared>,
    state: ReaderState,
    pending: Arc<Mutex<HashMap<u64, Instant>>>,
    window: Arc<Semaphore>,
    out: mpsc::Sender<Message>,
    synced: Option<oneshot::Sender<()>>,
    opened: Instant,
}

#[derive(Deserialize)]
struct Frame {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    data: Data,
}

#[derive(Deserialize, Default)]
struct Data {
    seq: Option<u64>,
    conversation_id: Option<String>,
    content: Option<String>,
    code: Option<u32>,
    message: Option<String>,
    conversations: Option<Vec<SyncConv>>,
}

#[derive(Deserialize)]
struct SyncConv {
    conversation_id: String,
    messages: Vec<SyncMsg>,
    has_more: bool,
}

#[derive(Deserialize)]
struct SyncMsg {
    seq: u64,
    content: String,
}

impl Reader {
    async fn handle(&mut self, text: &str) {
        let Ok(f) = serde_json::from_str::<Frame>(text) else {
            self.shared
                .counters
                .note_error(format!("unreadable frame: {text:.200}"));
            return;
        };
        match f.kind.as_str() {
            "send-ack" => self.ack(f.id.as_deref(), &f.data),
            "new-message" => {
                let (Some(conv), Some(seq), Some(content)) =
                    (&f.data.conversation_id, f.data.seq, &f.data.content)
                else {
                    return;
                };
                self.deliver(conv, seq, content, false);
            }
            "sync" => self.sync(f.data).await,
            "pong" => {
                self.shared.pongs.fetch_add(1, Relaxed);
            }
            "error" => {
                let c = &self.shared.counters;
                c.errors.fetch_add(1, Relaxed);
                c.note_error(format!(
                    "error {} {}",
                    f.data.code.unwrap_or(0),
                    f.data.message.unwrap_or_default()
                ));
                if let Some(id) = f.id.and_then(|i| i.parse::<u64>().ok()) {
                    if self
                        .pending
                        .lock()
                        .ok()
                        .and_then(|mut p| p.remove(&id))
                        .is_some()
                    {
                        self.window.add_permits(1);
                    }
                }
            }
            _ => {}
        }
    }

    fn ack(&mut self, id: Option<&str>, data: &Data) {
        let Some(id) = id.and_then(|i| i.parse::<u64>().ok()) else {
            return;
        };
        let Some(sent) = self.pending.lock().ok().and_then(|mut p| p.remove(&id)) else {
            return;
        };
        self.window.add_permits(1);
        track::record(&mut self.state.lat.ack, micros(sent.elapsed()));
        let c = &self.shared.counters;
        c.acked.fetch_add(1, Relaxed);
        c.expected
            .fetch_add(self.shared.recipients.load(Relaxed), Relaxed);
        track::bump_max(&c.last_ack_ns, track::since(self.shared.epoch));
        if let (Some(conv), Some(seq)) = (&data.conversation_id, data.seq) {
            self.order(conv).own(seq);
        }
    }

    fn order(&mut self, conv: &str) -> &mut Order {
        let base = self.shared.baselines.get(conv).copied().unwrap_or(0);
        self.state
            .orders
            .entry(conv.to_owned())
            .or_insert_with(|| Order::starting_at(base))
    }

    fn deliver(&mut self, conv: &str, seq: u64, content: &str, synced: bool) {
        let seen = self.order(conv).deliver(seq);
        let c = &self.shared.counters;
        match seen {
            Seen::InOrder => {}
            Seen::Duplicate => {
                c.duplicated.fetch_add(1, Relaxed);
                c.note_error(format!("duplicate seq {seq} in {conv}"));
                return;
            }
            // A sync may fill holes a live message opened; that is its job.
            Seen::OutOfOrder if synced => {}
            Seen::OutOfOrder => {
                c.out_of_order.fetch_add(1, Relaxed);
                c.note_error(format!("seq {seq} in {conv} arrived after a later one"));
            }
        }
        let Some(at) = track::sent_at(&self.shared.run, content) else {
            c.foreign.fetch_add(1, Relaxed);
            return;
        };
        c.delivered.fetch_add(1, Relaxed);
        track::bump_max(&c.last_delivery_ns, track::since(self.shared.epoch));
        if synced {
            c.resynced.fetch_add(1, Relaxed);
        } else {
            let now = track::unix_micros();
            track::record(&mut self.state.lat.deliver, now.saturating_sub(at));
        }
    }

    async fn sync(&mut self, data: Data) {
        let mut more = false;
        for conv in data.conversations.unwrap_or_default() {
            more |= conv.has_more;
            for m in conv.messages {
                self.deliver(&conv.conversation_id, m.seq, &m.content, true);
            }
        }
        if more {
            self.send_sync().await;
        } else if let Some(tx) = self.synced.take() {
            track::record(&mut self.state.lat.resync, micros(self.opened.elapsed()));
            let _ = tx.send(());
        }
    }

    async fn send_sync(&mut self) {
        let cursors: serde_json::Map<String, serde_json::Value> = self
            .state
            .orders
            .iter()
            .map(|(k, o)| (k.clone(), o.last.into()))
            .collect();
        let frame = serde_json::json!({"type": "sync", "id": "sync", "data": {"cursors": cursors, "limit": 200}});
        let _ = self.out.send(Message::text(frame.to_string())).await;
    }

    fn dropped(&mut self, why: String) {
        self.shared.counters.dropped.fetch_add(1, Relaxed);
        self.shared.counters.note_error(why);
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}
