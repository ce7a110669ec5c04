//! The scenarios: set up users over HTTP, open the WebSocket clients,
//! send, wait for the last acks and deliveries, and report.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use futures::{StreamExt as _, TryStreamExt as _};
use rand::distr::{Alphanumeric, SampleString as _};
use tokio_tungstenite::tungstenite::Message;

use crate::args::{BenchArgs, Scenario};
use crate::conn::{Conn, ReaderState, Shared};
use crate::proc_stats::{self, Sample};
use crate::report::{Idle, Report};
use crate::setup::{self, User};
use crate::target::Target;
use crate::track::{self, Latencies};
use crate::worker::Worker;

/// WebSocket handshakes in flight while connecting.
const CONNECT_CONCURRENCY: usize = 128;

pub async fn run(args: &BenchArgs, target: &Target) -> anyhow::Result<Report> {
    if args.clients < 2 {
        bail!("--clients must be at least 2");
    }
    let http = reqwest::Client::new();
    let run = Alphanumeric
        .sample_string(&mut rand::rng(), 6)
        .to_lowercase();
    let ctx = Ctx {
        args,
        target,
        http,
        run,
    };
    match args.scenario {
        Scenario::OneToOne | Scenario::Group | Scenario::World => ctx.messaging().await,
        Scenario::Idle => ctx.idle().await,
        Scenario::ReconnectStorm => ctx.reconnect_storm().await,
    }
}

struct Ctx<'a> {
    args: &'a BenchArgs,
    target: &'a Target,
    http: reqwest::Client,
    run: String,
}

/// Where a sender's messages go, as the field of a send.
#[derive(Clone)]
enum Dest {
    User(String),
    Group(String),
    World,
}

impl Dest {
    fn field(&self) -> (&'static str, &str) {
        match self {
            Self::User(id) => ("to_user_id", id),
            Self::Group(id) => ("group_id", id),
            Self::World => ("conversation_id", "world"),
        }
    }
}

/// When a sender stops.
#[derive(Clone, Copy)]
struct Budget {
    until: Instant,
    /// Per sender (reconnect-storm phases).
    each: Option<u64>,
}

impl Ctx<'_> {
    fn source(&self, i: usize) -> IpAddr {
        source_addr(i % usize::from(self.args.source_addrs.max(1)))
    }

    async fn users(&self, n: usize) -> anyhow::Result<Vec<User>> {
        self.progress(&format!("registering and logging in {n} users"));
        setup::users(&self.http, &self.target.base_url(), &self.run, n).await
    }

    /// Opens one connection per user, `CONNECT_CONCURRENCY` at a time.
    async fn connect(
        &self,
        users: &[User],
        shared: &Arc<Shared>,
        states: Vec<ReaderState>,
        resync: bool,
    ) -> anyhow::Result<Vec<Conn>> {
        let addr = self.target.addr;
        let window = self.args.window.max(1);
        let jobs: Vec<_> = users.iter().zip(states).enumerate().collect();
        futures::stream::iter(jobs)
            .map(|(i, (u, state))| {
                let shared = shared.clone();
                let source = self.source(i);
                async move {
                    Conn::open(addr, source, &u.token, shared, state, resync, window).await
                }
            })
            .buffered(CONNECT_CONCURRENCY)
            .try_collect()
            .await
    }

    async fn messaging(&self) -> anyhow::Result<Report> {
        let a = self.args;
        let users = self.users(a.clients).await?;
        let base = self.target.base_url();
        let (senders, recipients, dests): (Vec<usize>, u64, Vec<Dest>) = match a.scenario {
            Scenario::OneToOne => {
                let pairs = users.len() / 2;
                let dests = (0..pairs)
                    .filter_map(|p| users.get(2 * p + 1).map(|u| Dest::User(u.id.clone())))
                    .collect();
                ((0..pairs).map(|p| 2 * p).collect(), 1, dests)
            }
            Scenario::Group => {
                let (owner, rest) = users.split_first().context("no users")?;
                self.progress("creating the group");
                let (group_id, _) = setup::group(&self.http, &base, owner, rest).await?;
                let k = a.senders.clamp(1, users.len());
                (
                    (0..k).collect(),
                    u64::try_from(users.len() - 1)?,
                    vec![Dest::Group(group_id); k],
                )
            }
            _ => {
                let k = a.senders.clamp(1, users.len());
                (
                    (0..k).collect(),
                    u64::try_from(users.len() - 1)?,
                    vec![Dest::World; k],
                )
            }
        };
        let first = users.first().context("no users")?;
        let baselines = setup::last_seqs(&self.http, &base, first).await?;
        let shared = Arc::new(Shared::new(self.run.clone(), recipients, baselines));
        self.progress(&format!("opening {} WebSocket connections", users.len()));
        let states = users.iter().map(|_| ReaderState::default()).collect();
        let conns = Arc::new(self.connect(&users, &shared, states, false).await?);
        let before = self.samples().await;
        let started = track::since(shared.epoch);
        let budget = Budget {
            until: Instant::now() + a.duration,
            each: None,
        };
        self.send_all(&conns, &shared, &senders, &dests, budget)
            .await?;
        self.drain(&conns, &shared).await;
        let after = self.samples().await;
        let conns = Arc::try_unwrap(conns)
            .map_err(|_| anyhow::anyhow!("a sender still holds the connections"))?;
        let lat = close_all(conns).await;
        Ok(self.report(
            &shared,
            &lat,
            started,
            before,
            after,
            users.len(),
            senders.len(),
        ))
    }

    /// Runs every sender to its budget (and the run's `--messages` cap).
    async fn send_all(
        &self,
        conns: &Arc<Vec<Conn>>,
        shared: &Arc<Shared>,
        senders: &[usize],
        dests: &[Dest],
        budget: Budget,
    ) -> anyhow::Result<()> {
        let a = self.args;
        let interval =
            (a.rate > 0).then(|| Duration::from_secs_f64(senders.len() as f64 / a.rate as f64));
        let cap = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for (&s, dest) in senders.iter().zip(dests) {
            let conns = conns.clone();
            let shared = shared.clone();
            let dest = dest.clone();
            let cap = cap.clone();
            let (max, pad) = (a.messages, a.content_bytes);
            tasks.push(tokio::spawn(async move {
                let Some(conn) = conns.get(s) else { return };
                sender(conn, &shared, s, &dest, budget, interval, &cap, max, pad).await;
            }));
        }
        let progress = (!a.quiet && a.duration >= Duration::from_secs(5)).then(|| {
            let shared = shared.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_secs(2));
                tick.tick().await;
                loop {
                    tick.tick().await;
                    let c = &shared.counters;
                    eprintln!(
                        "  {:>5.1}s sent {} acked {} delivered {}",
                        shared.epoch.elapsed().as_secs_f64(),
                        c.sent.load(Relaxed),
                        c.acked.load(Relaxed),
                        c.delivered.load(Relaxed)
                    );
                }
            })
        });
        for t in tasks {
            t.await.context("a sender panicked")?;
        }
        if let Some(p) = progress {
            p.abort();
        }
        Ok(())
    }

    /// Waits for every ack and every owed delivery, up to `--drain`.
    async fn drain(&self, conns: &[Conn], shared: &Shared) {
        self.drain_for(conns, shared, true).await;
    }

    async fn drain_for(&self, conns: &[Conn], shared: &Shared, deliveries: bool) {
        let until = Instant::now() + self.args.drain;
        let c = &shared.counters;
        while Instant::now() < until {
            let acks_done = conns.iter().all(|c| c.in_flight() == 0);
            let owed = deliveries && c.delivered.load(Relaxed) < c.expected.load(Relaxed);
            if acks_done && !owed {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn samples(&self) -> (Option<Sample>, Option<Sample>) {
        (
            proc_stats::server(self.target, &self.http).await,
            proc_stats::this_process(),
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn report(
        &self,
        shared: &Shared,
        lat: &Latencies,
        started_ns: u64,
        before: (Option<Sample>, Option<Sample>),
        after: (Option<Sample>, Option<Sample>),
        clients: usize,
        senders: usize,
    ) -> Report {
        Report::build(
            self.args,
            self.target.name,
            shared,
            lat,
            started_ns,
            before,
            after,
            clients,
            senders,
        )
    }

    async fn idle(&self) -> anyhow::Result<Report> {
        let a = self.args;
        let users = self.users(a.clients).await?;
        let shared = Arc::new(Shared::new(self.run.clone(), 0, HashMap::new()));
        tokio::time::sleep(Duration::from_secs(1)).await;
        let before = self.samples().await;
        self.progress(&format!(
            "opening {} idle connections over {} process(es)",
            users.len(),
            a.workers.max(1)
        ));
        let per = users.len().div_ceil(a.workers.max(1));
        let mut parts = users.chunks(per);
        let mine = parts.next().unwrap_or_default();
        let mut workers = Vec::new();
        for (w, part) in parts.enumerate() {
            let tokens: Vec<String> = part.iter().map(|u| u.token.clone()).collect();
            workers.push(Worker::spawn(a, self.target, w + 1, &tokens).await?);
        }
        let states = mine.iter().map(|_| ReaderState::default()).collect();
        let conns = self.connect(mine, &shared, states, false).await?;
        for w in &mut workers {
            w.expect("connected").await?;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        let after = self.samples().await;
        // Every connection must still answer.
        for c in &conns {
            let ping = Message::text(r#"{"type":"ping","id":"p"}"#);
            c.out
                .send(ping)
                .await
                .context("a connection's writer stopped")?;
        }
        let until = Instant::now() + a.drain;
        let mine_n = u64::try_from(conns.len())?;
        while shared.pongs.load(Relaxed) < mine_n && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let mut pongs = shared.pongs.load(Relaxed);
        for w in &mut workers {
            pongs += w.ping().await?;
        }
        let want = u64::try_from(users.len())?;
        let lat = close_all(conns).await;
        futures::future::join_all(workers.into_iter().map(Worker::finish)).await;
        let mut report = self.report(&shared, &lat, 0, before, after, users.len(), 0);
        let per_conn = match (before.0, after.0) {
            (Some(b), Some(x)) => Some(x.rss_bytes.saturating_sub(b.rss_bytes) / want.max(1)),
            _ => None,
        };
        report.idle = Some(Idle {
            connections: want,
            answered_ping: pongs,
            server_rss_per_connection_bytes: per_conn,
        });
        Ok(report)
    }

    /// N senders message N receivers; the receivers all drop, miss a phase,
    /// reconnect at once and `sync`; then a last phase is sent live.
    async fn reconnect_storm(&self) -> anyhow::Result<Report> {
        let a = self.args;
        let pairs = a.clients;
        let users = self.users(pairs * 2).await?;
        let (senders_u, receivers_u): (Vec<User>, Vec<User>) = {
            let (s, r): (Vec<_>, Vec<_>) = users
                .iter()
                .cloned()
                .enumerate()
                .partition(|(i, _)| i % 2 == 0);
            (
                s.into_iter().map(|x| x.1).collect(),
                r.into_iter().map(|x| x.1).collect(),
            )
        };
        let base = self.target.base_url();
        let first = receivers_u.first().context("no users")?;
        let baselines = setup::last_seqs(&self.http, &base, first).await?;
        let shared = Arc::new(Shared::new(self.run.clone(), 1, baselines.clone()));
        let fresh = |n: usize| -> Vec<ReaderState> {
            (0..n)
                .map(|_| ReaderState {
                    orders: baselines
                        .iter()
                        .map(|(k, &v)| (k.clone(), track::Order::starting_at(v)))
                        .collect(),
                    lat: Latencies::default(),
                })
                .collect()
        };
        self.progress(&format!("opening {} connections", users.len()));
        let senders = Arc::new(
            self.connect(&senders_u, &shared, fresh(pairs), false)
                .await?,
        );
        let mut receivers = self
            .connect(&receivers_u, &shared, fresh(pairs), false)
            .await?;
        let dests: Vec<Dest> = receivers_u
            .iter()
            .map(|u| Dest::User(u.id.clone()))
            .collect();
        let idx: Vec<usize> = (0..pairs).collect();
        let before = self.samples().await;
        let started = track::since(shared.epoch);
        let phase = Budget {
            until: Instant::now() + a.timeout,
            each: Some(a.per_client),
        };
        self.progress("phase 1: live");
        self.send_all(&senders, &shared, &idx, &dests, phase)
            .await?;
        self.drain(&senders, &shared).await;
        self.progress("phase 2: every receiver drops; sending to them offline");
        let states = futures::future::join_all(receivers.drain(..).map(Conn::close)).await;
        self.send_all(&senders, &shared, &idx, &dests, phase)
            .await?;
        self.drain_for(&senders, &shared, false).await;
        self.progress("phase 3: every receiver reconnects at once and syncs");
        let mut receivers = self.connect(&receivers_u, &shared, states, true).await?;
        let until = Instant::now() + a.drain;
        for r in &mut receivers {
            if let Some(rx) = r.synced.take() {
                if tokio::time::timeout_at(until.into(), rx).await.is_err() {
                    shared
                        .counters
                        .note_error("a resync was not answered in time".into());
                    break;
                }
            }
        }
        self.progress("phase 4: live again");
        self.send_all(&senders, &shared, &idx, &dests, phase)
            .await?;
        let mut all = receivers;
        let senders = Arc::try_unwrap(senders)
            .map_err(|_| anyhow::anyhow!("a sender still holds the connections"))?;
        all.extend(senders);
        self.drain(&all, &shared).await;
        let after = self.samples().await;
        let lat = close_all(all).await;
        Ok(self.report(&shared, &lat, started, before, after, users.len(), pairs))
    }

    fn progress(&self, what: &str) {
        if !self.args.quiet && !self.args.json {
            eprintln!(
                "[{} {}] {what}",
                self.target.name,
                self.args.scenario.name()
            );
        }
    }
}

/// The `i`th local source address: 127.0.0.1, 127.0.0.2, ... 127.0.0.254.
pub fn source_addr(i: usize) -> IpAddr {
    let last = u8::try_from(1 + i % 254).unwrap_or(1);
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
}

#[allow(clippy::too_many_arguments)]
async fn sender(
    conn: &Conn,
    shared: &Shared,
    me: usize,
    dest: &Dest,
    budget: Budget,
    interval: Option<Duration>,
    cap: &AtomicU64,
    max: u64,
    pad: usize,
) {
    let (field, to) = dest.field();
    let mut next = tokio::time::Instant::now();
    let mut sent_here = 0u64;
    let mut counter = 0u64;
    loop {
        if Instant::now() >= budget.until || budget.each.is_some_and(|n| sent_here >= n) {
            return;
        }
        if max > 0 && cap.fetch_add(1, Relaxed) >= max {
            return;
        }
        if let Some(iv) = interval {
            tokio::time::sleep_until(next).await;
            next += iv;
        }
        let Ok(permit) = conn.window.acquire().await else {
            return;
        };
        permit.forget();
        // Correlation ids are unique per connection across phases.
        counter = conn_counter(conn, counter);
        let content = track::content(&shared.run, me, counter, pad);
        let frame = format!(
            r#"{{"type":"send-message","id":"{counter}","data":{{"{field}":"{to}","client_msg_id":"{run}-{me}-{counter}","content":"{content}"}}}}"#,
            run = shared.run
        );
        if let Ok(mut p) = conn.pending.lock() {
            p.insert(counter, Instant::now());
        }
        if conn.out.send(Message::text(frame)).await.is_err() {
            return;
        }
        shared.counters.sent.fetch_add(1, Relaxed);
        sent_here += 1;
    }
}

/// The next correlation id of a connection: its sends never reuse one.
fn conn_counter(conn: &Conn, last: u64) -> u64 {
    let n = conn.next_id.fetch_add(1, Relaxed) + 1;
    n.max(last + 1)
}

async fn close_all(conns: Vec<Conn>) -> Latencies {
    let states = futures::future::join_all(conns.into_iter().map(Conn::close)).await;
    let mut lat = Latencies::default();
    for s in &states {
        lat.merge(&s.lat);
    }
    lat
}
