//! One bench WebSocket client, behaving as the contract asks of a real
//! one: a socket bound to a chosen 127.0.0.x, one task that writes what
//! the sender queues and reads what the server sends, matches acks to
//! sends, drops a frame whose seq it already has, and checks the rest.
//! It never sends `sync` while it stays connected; with `reconnect` set, a
//! dropped connection is opened again (on the next gateway of the list),
//! then it sends `sync` with its cursors and sends again, with the same
//! request ids and `client_msg_id`s, whatever was not answered.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt as _, StreamExt as _};
use serde::Deserialize;
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{mpsc, oneshot, Semaphore};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use crate::track::{self, Counters, Latencies, Order, Orders, Seen, SeenMessages};

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

    /// Nanoseconds since the run's epoch.
    pub fn now_ns(&self) -> u64 {
        track::since(self.epoch)
    }
}

/// What a client keeps across reconnects.
#[derive(Default)]
pub struct ReaderState {
    /// The user's index in the run (what its messages' tags name).
    pub user: usize,
    pub orders: Orders,
    pub lat: Latencies,
    /// Messages of this run it has, by sender and request counter.
    pub seen: SeenMessages,
    /// Its own acked sends, by conversation: (seq, request id), the
    /// request id being the counter in the message's tag.
    pub acked: HashMap<String, Vec<(u64, u64)>>,
    /// Each ack's send and answer times, in nanoseconds since the epoch.
    pub ack_times: Vec<(u64, u64)>,
}

impl ReaderState {
    /// A client of `user` that knows every conversation's seq before the run.
    pub fn new(user: usize, baselines: &HashMap<String, u64>) -> Self {
        Self {
            user,
            orders: baselines
                .iter()
                .map(|(k, &v)| (k.clone(), Order::starting_at(v)))
                .collect(),
            ..Self::default()
        }
    }
}

/// A send waiting for its answer.
pub struct Pending {
    pub sent: Instant,
    pub sent_ns: u64,
    /// The frame as sent, to send again after a reconnect.
    pub frame: String,
}

/// Where and how a client connects.
pub struct Dial {
    /// Every gateway it may use; it connects to `servers[first]` and, after
    /// a drop, tries the next ones in turn.
    pub servers: Arc<Vec<SocketAddr>>,
    pub first: usize,
    pub source: IpAddr,
    pub token: String,
    /// Sends in flight allowed (flat out).
    pub window: usize,
    /// Send `sync` with the state's cursors at once (a reconnect).
    pub resync: bool,
    /// Open the connection again when it drops.
    pub reconnect: bool,
}

pub struct Conn {
    pub out: mpsc::Sender<Message>,
    /// Sends waiting for their answer, by request id.
    pub pending: Arc<Mutex<HashMap<u64, Pending>>>,
    /// Sends in flight allowed (flat out); closed when the client gives up.
    pub window: Arc<Semaphore>,
    /// Fires once the opening `sync` (with `resync`) has been answered in full.
    pub synced: Option<oneshot::Receiver<()>>,
    /// The last request id used on this connection.
    pub next_id: AtomicU64,
    pub state: Arc<Mutex<ReaderState>>,
    closing: Arc<AtomicBool>,
    task: JoinHandle<()>,
}

type Ws = WebSocketStream<TcpStream>;
type Sink = SplitSink<Ws, Message>;
type Stream = SplitStream<Ws>;

/// Opens a WebSocket from `source` to `server` as the holder of `token`.
async fn connect(server: SocketAddr, source: IpAddr, token: &str) -> anyhow::Result<Ws> {
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
    // Small buffers: the default 128 KiB each would make the bench, not
    // the server, run out of memory at tens of thousands of clients.
    let config = WebSocketConfig::default()
        .read_buffer_size(8 * 1024)
        .write_buffer_size(8 * 1024);
    let (ws, _) = tokio_tungstenite::client_async_with_config(url, stream, Some(config))
        .await
        .context("WebSocket handshake")?;
    Ok(ws)
}

impl Conn {
    /// Connects as `dial` says, with `state` carried over from an earlier
    /// connection of the same user (or fresh).
    pub async fn open(dial: Dial, shared: Arc<Shared>, state: ReaderState) -> anyhow::Result<Conn> {
        let opened = Instant::now();
        let server = *dial
            .servers
            .get(dial.first)
            .context("no server to connect to")?;
        let ws = connect(server, dial.source, &dial.token).await?;
        let (out, rx) = mpsc::channel::<Message>(256);
        let pending = Arc::new(Mutex::new(HashMap::new()));
        let window = Arc::new(Semaphore::new(dial.window));
        let closing = Arc::new(AtomicBool::new(false));
        let state = Arc::new(Mutex::new(state));
        let (synced_tx, synced) = if dial.resync {
            let (tx, rx) = oneshot::channel();
            (Some(tx), Some(rx))
        } else {
            (None, None)
        };
        let client = Client {
            shared,
            state: state.clone(),
            pending: pending.clone(),
            window: window.clone(),
            closing: closing.clone(),
            synced: synced_tx,
            opened,
            sync_open: false,
            last_cursors: HashMap::new(),
        };
        let task = tokio::spawn(drive(ws, rx, client, dial));
        Ok(Conn {
            out,
            pending,
            window,
            synced,
            next_id: AtomicU64::new(0),
            state,
            closing,
            task,
        })
    }

    /// Closes normally and hands back the client's state.
    pub async fn close(self) -> ReaderState {
        self.closing.store(true, Relaxed);
        let _ = self.out.send(Message::Close(None)).await;
        drop(self.out);
        let abort = self.task.abort_handle();
        if tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .is_err()
        {
            abort.abort();
        }
        self.state
            .lock()
            .map(|mut s| std::mem::take(&mut *s))
            .unwrap_or_default()
    }

    pub fn in_flight(&self) -> usize {
        self.pending.lock().map_or(0, |p| p.len())
    }
}

/// Why a connection's loop ended.
enum End {
    /// The bench closes it.
    Close,
    /// The server closed it, or it failed.
    Dropped(String),
}

/// The connection's task: pumps frames both ways; after a drop, opens the
/// connection again if the dial says so.
async fn drive(ws: Ws, mut rx: mpsc::Receiver<Message>, mut c: Client, dial: Dial) {
    let (mut sink, mut stream) = ws.split();
    if dial.resync {
        if let Some(frame) = c.start_sync() {
            let _ = sink.send(Message::text(frame)).await;
        }
    }
    let mut at = dial.first;
    loop {
        match pump(&mut sink, &mut stream, &mut rx, &mut c).await {
            End::Close => {
                finish(sink, stream, &mut c).await;
                return;
            }
            End::Dropped(why) => {
                if c.closing.load(Relaxed) {
                    return;
                }
                let counters = &c.shared.counters;
                counters.dropped.fetch_add(1, Relaxed);
                counters.note_error(why);
                if !dial.reconnect {
                    c.window.close();
                    return;
                }
                let Some(ws) = reconnect(&dial, &mut at, &c.closing).await else {
                    return;
                };
                counters.reconnects.fetch_add(1, Relaxed);
                (sink, stream) = ws.split();
                c.opened = Instant::now();
                // Sends queued while it was down are in `pending`, sent below.
                while let Ok(m) = rx.try_recv() {
                    if matches!(m, Message::Close(_)) {
                        return;
                    }
                }
                let mut frames = Vec::new();
                frames.extend(c.start_sync());
                frames.extend(c.unanswered());
                for f in frames {
                    if sink.feed(Message::text(f)).await.is_err() {
                        break;
                    }
                }
                let _ = sink.flush().await;
            }
        }
    }
}

/// Tries the gateways after `at` in turn, backing off, until one takes the
/// connection or the bench closes it.
async fn reconnect(dial: &Dial, at: &mut usize, closing: &AtomicBool) -> Option<Ws> {
    let n = dial.servers.len().max(1);
    for attempt in 1u64.. {
        if closing.load(Relaxed) {
            return None;
        }
        *at = (*at + 1) % n;
        let server = *dial.servers.get(*at)?;
        if let Ok(ws) = connect(server, dial.source, &dial.token).await {
            return Some(ws);
        }
        tokio::time::sleep(Duration::from_millis((100 * attempt).min(1000))).await;
    }
    None
}

async fn pump(
    sink: &mut Sink,
    stream: &mut Stream,
    rx: &mut mpsc::Receiver<Message>,
    c: &mut Client,
) -> End {
    loop {
        tokio::select! {
            m = rx.recv() => {
                let Some(m) = m else { return End::Close };
                if matches!(m, Message::Close(_)) {
                    return End::Close;
                }
                if let Err(e) = sink.feed(m).await {
                    return End::Dropped(format!("writing failed: {e}"));
                }
                while let Ok(m) = rx.try_recv() {
                    if matches!(m, Message::Close(_)) {
                        let _ = sink.flush().await;
                        return End::Close;
                    }
                    if let Err(e) = sink.feed(m).await {
                        return End::Dropped(format!("writing failed: {e}"));
                    }
                }
                if let Err(e) = sink.flush().await {
                    return End::Dropped(format!("writing failed: {e}"));
                }
            }
            f = stream.next() => match f {
                Some(Ok(Message::Text(t))) => {
                    if let Some(reply) = c.handle(t.as_str()) {
                        if let Err(e) = sink.send(Message::text(reply)).await {
                            return End::Dropped(format!("writing failed: {e}"));
                        }
                    }
                }
                Some(Ok(Message::Close(frame))) => {
                    return End::Dropped(format!("server closed the connection: {frame:?}"));
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return End::Dropped(format!("connection failed: {e}")),
                None => return End::Dropped("connection ended".into()),
            }
        }
    }
}

/// Sends the close frame and reads what the server still sends until it
/// closes too (or 5 s pass).
async fn finish(mut sink: Sink, mut stream: Stream, c: &mut Client) {
    let _ = sink.send(Message::Close(None)).await;
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(m)) = stream.next().await {
            match m {
                Message::Text(t) => {
                    let _ = c.handle(t.as_str());
                }
                Message::Close(_) => return,
                _ => {}
            }
        }
    })
    .await;
}

struct Client {
    shared: Arc<Shared>,
    state: Arc<Mutex<ReaderState>>,
    pending: Arc<Mutex<HashMap<u64, Pending>>>,
    window: Arc<Semaphore>,
    closing: Arc<AtomicBool>,
    synced: Option<oneshot::Sender<()>>,
    opened: Instant,
    /// A `sync` exchange is under way (counted in `Counters::syncing`).
    sync_open: bool,
    /// The cursors of the last `sync` page asked for.
    last_cursors: HashMap<String, u64>,
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
    code: Option<u64>,
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

impl Client {
    /// Handles one frame; returns a frame to send back (the next page of a
    /// `sync`), if any.
    fn handle(&mut self, text: &str) -> Option<String> {
        let Ok(f) = serde_json::from_str::<Frame>(text) else {
            self.shared
                .counters
                .note_error(format!("unreadable frame: {text:.200}"));
            return None;
        };
        match f.kind.as_str() {
            "send-ack" => self.ack(f.id.as_deref(), &f.data),
            "new-message" => {
                let (Some(conv), Some(seq), Some(content)) =
                    (&f.data.conversation_id, f.data.seq, &f.data.content)
                else {
                    return None;
                };
                if let Ok(mut st) = self.state.lock() {
                    self.deliver(&mut st, conv, seq, content, false);
                }
            }
            "sync" => return self.sync(f.data),
            "pong" => {
                self.shared.pongs.fetch_add(1, Relaxed);
            }
            "error" => self.error(f.id.as_deref(), f.data),
            _ => {}
        }
        None
    }

    fn ack(&mut self, id: Option<&str>, data: &Data) {
        let Some(id) = id.and_then(|i| i.parse::<u64>().ok()) else {
            return;
        };
        let c = &self.shared.counters;
        let Some(p) = self.pending.lock().ok().and_then(|mut p| p.remove(&id)) else {
            c.repeated_acks.fetch_add(1, Relaxed);
            c.note_error(format!("a second answer to request {id}"));
            return;
        };
        self.window.add_permits(1);
        let now = self.shared.now_ns();
        c.acked.fetch_add(1, Relaxed);
        c.expected
            .fetch_add(self.shared.recipients.load(Relaxed), Relaxed);
        track::bump_max(&c.last_ack_ns, now);
        let Ok(mut st) = self.state.lock() else {
            return;
        };
        track::record(&mut st.lat.ack, micros(p.sent.elapsed()));
        st.ack_times.push((p.sent_ns, now));
        if let (Some(conv), Some(seq)) = (&data.conversation_id, data.seq) {
            order(&mut st, &self.shared, conv).own(seq);
            st.acked.entry(conv.clone()).or_default().push((seq, id));
        }
    }

    fn error(&mut self, id: Option<&str>, data: Data) {
        let c = &self.shared.counters;
        let code = data.code.unwrap_or(0);
        let request = id.and_then(|i| i.parse::<u64>().ok());
        if let Some(id) = request {
            if self
                .pending
                .lock()
                .ok()
                .and_then(|mut p| p.remove(&id))
                .is_none()
            {
                c.repeated_acks.fetch_add(1, Relaxed);
                c.note_error(format!("a second answer to request {id}: error {code}"));
                return;
            }
            self.window.add_permits(1);
            c.refused(code);
        }
        c.errors.fetch_add(1, Relaxed);
        c.note_error(format!("error {code} {}", data.message.unwrap_or_default()));
    }

    fn deliver(&self, st: &mut ReaderState, conv: &str, seq: u64, content: &str, synced: bool) {
        let tag = track::tag(&self.shared.run, content);
        let own = tag
            .as_ref()
            .is_some_and(|t| usize::try_from(t.sender).is_ok_and(|s| s == st.user));
        let seen = order(st, &self.shared, conv).deliver(seq);
        let c = &self.shared.counters;
        match seen {
            Seen::InOrder => {}
            Seen::BeforeRun => {
                c.before_run.fetch_add(1, Relaxed);
                return;
            }
            // What a client drops. Counted when it came live (redelivery);
            // a sync page may repeat what is above its cursor, by design.
            Seen::Duplicate => {
                if !synced && !own {
                    c.duplicated.fetch_add(1, Relaxed);
                    c.note_error(format!("duplicate seq {seq} in {conv}"));
                }
                return;
            }
            // A sync may fill holes a live message opened; that is its job.
            Seen::OutOfOrder if synced => {}
            Seen::OutOfOrder => {
                c.out_of_order.fetch_add(1, Relaxed);
                c.note_error(format!("seq {seq} in {conv} arrived after a later one"));
            }
        }
        if own {
            return;
        }
        let Some(t) = tag else {
            c.foreign.fetch_add(1, Relaxed);
            return;
        };
        if !st.seen.insert(t.sender, t.counter) {
            c.duplicated_messages.fetch_add(1, Relaxed);
            c.note_error(format!(
                "message {}/{} came again as seq {seq} in {conv}",
                t.sender, t.counter
            ));
            return;
        }
        c.delivered.fetch_add(1, Relaxed);
        track::bump_max(&c.last_delivery_ns, self.shared.now_ns());
        if synced {
            c.resynced.fetch_add(1, Relaxed);
        } else {
            let now = track::unix_micros();
            track::record(&mut st.lat.deliver, now.saturating_sub(t.sent_us));
        }
    }

    fn sync(&mut self, data: Data) -> Option<String> {
        let mut more = false;
        let state = self.state.clone();
        let Ok(mut st) = state.lock() else {
            return None;
        };
        for conv in data.conversations.unwrap_or_default() {
            more |= conv.has_more;
            for m in conv.messages {
                self.deliver(&mut st, &conv.conversation_id, m.seq, &m.content, true);
            }
        }
        if more {
            return Some(sync_frame(&mut self.last_cursors, &st));
        }
        if std::mem::take(&mut self.sync_open) {
            self.shared.counters.syncing.fetch_sub(1, Relaxed);
        }
        if let Some(tx) = self.synced.take() {
            track::record(&mut st.lat.resync, micros(self.opened.elapsed()));
            let _ = tx.send(());
        }
        None
    }

    /// The first `sync` after a (re)connect.
    fn start_sync(&mut self) -> Option<String> {
        let st = self.state.lock().ok()?;
        if !self.sync_open {
            self.sync_open = true;
            self.shared.counters.syncing.fetch_add(1, Relaxed);
        }
        self.last_cursors.clear();
        Some(sync_frame(&mut self.last_cursors, &st))
    }

    /// Every send not answered yet, in request order.
    fn unanswered(&self) -> Vec<String> {
        let Ok(p) = self.pending.lock() else {
            return Vec::new();
        };
        let mut ids: Vec<(&u64, &Pending)> = p.iter().collect();
        ids.sort_by_key(|(id, _)| **id);
        ids.into_iter().map(|(_, p)| p.frame.clone()).collect()
    }
}

/// `sync` from each conversation's cursor (the highest seq with nothing
/// missing below it). A conversation whose cursor did not move since the
/// last page (a seq the server does not have) is asked from its last seq.
fn sync_frame(last_cursors: &mut HashMap<String, u64>, st: &ReaderState) -> String {
    let mut cursors = serde_json::Map::new();
    for (k, o) in &st.orders {
        let mut cursor = o.cursor();
        if last_cursors.get(k).is_some_and(|&c| c >= cursor) {
            cursor = o.last;
        }
        last_cursors.insert(k.clone(), cursor);
        cursors.insert(k.clone(), cursor.into());
    }
    serde_json::json!({"type": "sync", "id": "sync", "data": {"cursors": cursors, "limit": 200}})
        .to_string()
}

fn order<'a>(st: &'a mut ReaderState, shared: &Shared, conv: &str) -> &'a mut Order {
    let base = shared.baselines.get(conv).copied().unwrap_or(0);
    st.orders
        .entry(conv.to_owned())
        .or_insert_with(|| Order::starting_at(base))
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}
