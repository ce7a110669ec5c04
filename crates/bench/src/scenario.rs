//! The scenarios: set up users over HTTP, open the WebSocket clients
//! (spread over the gateways), send, wait for the last acks and
//! deliveries, count exactly which acked messages each recipient lacks,
//! and report.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use futures::{StreamExt as _, TryStreamExt as _};
use rand::distr::{Alphanumeric, SampleString as _};
use tokio_tungstenite::tungstenite::Message;

use crate::args::{BenchArgs, Scenario};
use crate::bus_hops;
use crate::chaos;
use crate::conn::{Conn, Dial, Pending, ReaderState, Shared};
use crate::proc_stats::{self, Sample, Watched};
use crate::report::{self, Idle, Report};
use crate::setup::{self, User};
use crate::target::Target;
use crate::track::{self, Latencies};
use crate::worker::Worker;

/// WebSocket handshakes in flight while connecting.
const CONNECT_CONCURRENCY: usize = 128;

/// What a run loads and watches.
pub struct Load<'a> {
    /// The servers users are spread over, round-robin (one, or a cluster's
    /// gateways).
    pub targets: Vec<&'a Target>,
    /// Every gateway a dropped client may reconnect to (the targets first).
    pub servers: Vec<SocketAddr>,
    /// Processes whose CPU is reported per 1,000 acked messages.
    pub watched: Vec<Watched>,
    /// Roles' `/metrics` URLs, for the bus's own timing of each hop.
    pub metrics: Vec<String>,
    pub chaos: Option<chaos::Plan>,
}

impl<'a> Load<'a> {
    /// One server.
    pub fn single(target: &'a Target) -> Self {
        Self {
            targets: vec![target],
            servers: vec![target.addr],
            watched: Vec::new(),
            metrics: Vec::new(),
            chaos: None,
        }
    }
}

pub async fn run(args: &BenchArgs, load: &Load<'_>) -> anyhow::Result<Report> {
    if args.clients < 2 {
        bail!("--clients must be at least 2");
    }
    let Some(&first) = load.targets.first() else {
        bail!("nothing to load");
    };
    if load.chaos.is_some()
        && !matches!(
            args.scenario,
            Scenario::OneToOne | Scenario::Group | Scenario::World
        )
    {
        bail!("--kill runs with one-to-one, group or world");
    }
    let http = reqwest::Client::new();
    let run = Alphanumeric
        .sample_string(&mut rand::rng(), 6)
        .to_lowercase();
    let mut servers = load.servers.clone();
    for t in &load.targets {
        if !servers.contains(&t.addr) {
            servers.push(t.addr);
        }
    }
    let ctx = Ctx {
        args,
        load,
        first,
        servers: Arc::new(servers),
        http,
        run,
    };
    match args.scenario {
        Scenario::OneToOne | Scenario::Group | Scenario::World => ctx.messaging().await,
        Scenario::Search => ctx.search().await,
        Scenario::Attachments => ctx.attachments().await,
        Scenario::Idle => ctx.idle().await,
        Scenario::ReconnectStorm => ctx.reconnect_storm().await,
        Scenario::Broker => bail!("broker is run by ferrochat_bench::main, not against a server"),
    }
}

struct Ctx<'a> {
    args: &'a BenchArgs,
    load: &'a Load<'a>,
    /// The first target: setup reads and the table's name.
    first: &'a Target,
    servers: Arc<Vec<SocketAddr>>,
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

/// Who must get a sender's acked messages.
pub enum Audience {
    /// Sender's user index to its one receiver's.
    Pairs(HashMap<usize, usize>),
    /// Every other user of the run.
    Everyone,
}

/// When a sender stops.
#[derive(Clone, Copy)]
struct Budget {
    until: Instant,
    /// Per sender (reconnect-storm phases).
    each: Option<u64>,
}

/// CPU and memory at one moment: the single server, the bench, and every
/// watched process.
struct Samples {
    server: Option<Sample>,
    bench: Option<Sample>,
    watched: Vec<Option<proc_stats::Seen>>,
    bus: bus_hops::Scrape,
}

impl Ctx<'_> {
    fn source(&self, i: usize) -> IpAddr {
        source_addr(i % usize::from(self.args.source_addrs.max(1)))
    }

    fn bases(&self) -> Vec<String> {
        self.load.targets.iter().map(|t| t.base_url()).collect()
    }

    /// The gateway user `i` connects to first, as an index into `servers`.
    fn gateway_of(&self, i: usize) -> usize {
        let n = self.load.targets.len().max(1);
        self.load
            .targets
            .get(i % n)
            .and_then(|t| self.servers.iter().position(|s| *s == t.addr))
            .unwrap_or(0)
    }

    fn chaos(&self) -> bool {
        self.load.chaos.is_some()
    }

    async fn users(&self, n: usize) -> anyhow::Result<Vec<User>> {
        self.progress(&format!(
            "registering and logging in {n} users through {} server(s)",
            self.load.targets.len()
        ));
        setup::users(&self.http, &self.bases(), &self.run, n).await
    }

    /// Opens one connection per user (`users[j]` is the run's user
    /// `first_user + 2j` when `stride` is 2), `CONNECT_CONCURRENCY` at a time.
    async fn connect(
        &self,
        users: &[(usize, &User)],
        shared: &Arc<Shared>,
        mut states: HashMap<usize, ReaderState>,
        resync: bool,
    ) -> anyhow::Result<Vec<Conn>> {
        let window = self.args.window.max(1);
        let reconnect = self.chaos();
        let jobs: Vec<_> = users
            .iter()
            .map(|&(i, u)| {
                let state = states
                    .remove(&i)
                    .unwrap_or_else(|| ReaderState::new(i, &shared.baselines));
                (i, u, state)
            })
            .collect();
        futures::stream::iter(jobs)
            .map(|(i, u, state)| {
                let dial = Dial {
                    servers: self.servers.clone(),
                    first: self.gateway_of(i),
                    source: self.source(i),
                    token: u.token.clone(),
                    window,
                    resync,
                    reconnect,
                };
                Conn::open(dial, shared.clone(), state)
            })
            .buffered(CONNECT_CONCURRENCY)
            .try_collect()
            .await
    }

    /// One-to-one until `--messages` are stored, then the query phase.
    async fn search(&self) -> anyhow::Result<Report> {
        let users = self.users(self.args.clients).await?;
        let mut report = self.messaging_with(&users).await?;
        self.progress(&format!(
            "searching with {} clients for {:?}",
            self.args.senders, self.args.search_for
        ));
        report.search = Some(
            crate::search_load::run(
                &self.http,
                &self.bases(),
                &users,
                self.args.senders,
                self.args.search_for,
            )
            .await?,
        );
        Ok(report)
    }

    /// `--senders` pairs moving files; the server's CPU and memory around.
    async fn attachments(&self) -> anyhow::Result<Report> {
        let a = self.args;
        let users = self.users(2 * a.senders.max(1)).await?;
        let shared = Arc::new(Shared::new(self.run.clone(), 0, HashMap::new()));
        let before = self.samples().await;
        self.progress(&format!(
            "{} pairs moving {} byte files for {:?}",
            a.senders.max(1),
            a.file_bytes,
            a.duration
        ));
        let sizes = crate::attach_load::Sizes {
            file: a.file_bytes,
            chunk: a.chunk_bytes,
        };
        let stats =
            crate::attach_load::run(&self.http, &self.bases(), &users, a.duration, sizes).await?;
        let after = self.samples().await;
        let mut report = self.report(&shared, &[], &Audience::Everyone, 0, before, after, None);
        report.clients = users.len();
        report.attachments = Some(stats);
        Ok(report)
    }

    async fn messaging(&self) -> anyhow::Result<Report> {
        let users = self.users(self.args.clients).await?;
        self.messaging_with(&users).await
    }

    async fn messaging_with(&self, users: &[User]) -> anyhow::Result<Report> {
        let a = self.args;
        let base = self.first.base_url();
        let (senders, recipients, dests, audience): (Vec<usize>, u64, Vec<Dest>, Audience) = match a
            .scenario
        {
            Scenario::OneToOne | Scenario::Search => {
                // User 2p sends to 2p+1: round-robin puts them on
                // different gateways when there are several.
                let pairs = users.len() / 2;
                let dests = (0..pairs)
                    .filter_map(|p| users.get(2 * p + 1).map(|u| Dest::User(u.id.clone())))
                    .collect();
                let audience = Audience::Pairs((0..pairs).map(|p| (2 * p, 2 * p + 1)).collect());
                ((0..pairs).map(|p| 2 * p).collect(), 1, dests, audience)
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
                    Audience::Everyone,
                )
            }
            _ => {
                let k = a.senders.clamp(1, users.len());
                (
                    (0..k).collect(),
                    u64::try_from(users.len() - 1)?,
                    vec![Dest::World; k],
                    Audience::Everyone,
                )
            }
        };
        let first = users.first().context("no users")?;
        let baselines = setup::last_seqs(&self.http, &base, first).await?;
        let shared = Arc::new(Shared::new(self.run.clone(), recipients, baselines));
        self.progress(&format!("opening {} WebSocket connections", users.len()));
        let all: Vec<(usize, &User)> = users.iter().enumerate().collect();
        let conns = Arc::new(self.connect(&all, &shared, HashMap::new(), false).await?);
        if matches!(a.scenario, Scenario::Group | Scenario::World) {
            self.settle(&shared).await;
        }
        let before = self.samples().await;
        let start = Instant::now();
        let started = shared.now_ns();
        let chaos = self
            .load
            .chaos
            .clone()
            .map(|plan| tokio::spawn(plan.run(start, shared.epoch, a.quiet || a.json)));
        let budget = Budget {
            until: start + a.duration,
            each: None,
        };
        self.send_all(&conns, &shared, &senders, &dests, budget)
            .await?;
        let outcome = match chaos {
            Some(task) => Some(task.await.context("the chaos task panicked")?),
            None => None,
        };
        self.drain(&conns, &shared, &audience).await;
        let unanswered = conns.iter().map(|c| c.in_flight() as u64).sum();
        let after = self.samples().await;
        let conns = Arc::try_unwrap(conns)
            .map_err(|_| anyhow::anyhow!("a sender still holds the connections"))?;
        let states = close_all(conns).await;
        let mut report = self.report(
            &shared,
            &states,
            &audience,
            started,
            before,
            after,
            outcome.as_ref(),
        );
        report.clients = users.len();
        report.senders = senders.len();
        report.unanswered = unanswered;
        if let (Some(plan), Some(outcome)) = (&self.load.chaos, &outcome) {
            let send_end = started + u64::try_from(a.duration.as_nanos()).unwrap_or(u64::MAX);
            report.chaos = Some(report::chaos(
                plan, outcome, &states, &senders, started, send_end,
            ));
        }
        Ok(report)
    }

    /// Waits until the setup's own messages stop arriving (a group over
    /// the task threshold has its `member_added` messages fanned out by the
    /// task role, behind the run's if they were still queued): a second
    /// with none, at most `--drain`.
    async fn settle(&self, shared: &Shared) {
        let until = Instant::now() + self.args.drain;
        let c = &shared.counters;
        loop {
            let seen = c.before_run.load(Relaxed);
            tokio::time::sleep(Duration::from_secs(1)).await;
            if c.before_run.load(Relaxed) == seen {
                return;
            }
            if Instant::now() >= until {
                self.progress("the setup's messages still arrive; starting anyway");
                return;
            }
            self.progress(&format!(
                "waiting for the setup's fan-out: {seen} frames so far"
            ));
        }
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
        self.send_from(conns, shared, senders, senders, dests, budget)
            .await
    }

    /// `conn_of[k]` is the index in `conns` of sender `senders[k]`.
    async fn send_from(
        &self,
        conns: &Arc<Vec<Conn>>,
        shared: &Arc<Shared>,
        senders: &[usize],
        conn_of: &[usize],
        dests: &[Dest],
        budget: Budget,
    ) -> anyhow::Result<()> {
        let a = self.args;
        let interval =
            (a.rate > 0).then(|| Duration::from_secs_f64(senders.len() as f64 / a.rate as f64));
        let cap = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for ((&me, &at), dest) in senders.iter().zip(conn_of).zip(dests) {
            let conns = conns.clone();
            let shared = shared.clone();
            let dest = dest.clone();
            let cap = cap.clone();
            let (max, pad) = (a.messages, a.content_bytes);
            tasks.push(tokio::spawn(async move {
                let Some(conn) = conns.get(at) else { return };
                let how = How {
                    budget,
                    interval,
                    max,
                    pad,
                };
                sender(conn, &shared, me, &dest, how, &cap).await;
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
                        "  {:>5.1}s sent {} acked {} refused {} delivered {} reconnects {}",
                        shared.epoch.elapsed().as_secs_f64(),
                        c.sent.load(Relaxed),
                        c.acked.load(Relaxed),
                        c.errors.load(Relaxed),
                        c.delivered.load(Relaxed),
                        c.reconnects.load(Relaxed)
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

    /// Waits for every ack and every delivery the acked messages owe, up to
    /// `--drain`: first by counts, then message by message.
    async fn drain(&self, conns: &[Conn], shared: &Shared, audience: &Audience) {
        self.drain_for(conns, shared, Some(audience)).await;
    }

    async fn drain_for(&self, conns: &[Conn], shared: &Shared, audience: Option<&Audience>) {
        let until = Instant::now() + self.args.drain;
        let c = &shared.counters;
        let mut next_exact = Instant::now();
        while Instant::now() < until {
            let acks_done = conns.iter().all(|c| c.in_flight() == 0);
            let syncing = c.syncing.load(Relaxed) > 0;
            let counted =
                audience.is_none() || c.delivered.load(Relaxed) >= c.expected.load(Relaxed);
            if acks_done && !syncing && counted {
                // Counts can balance while a message is missing (another,
                // never acked, arrived in its place): check each one.
                let Some(audience) = audience else { return };
                if Instant::now() >= next_exact {
                    if missing_in(conns, audience) == 0 {
                        return;
                    }
                    next_exact = Instant::now() + Duration::from_millis(500);
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn samples(&self) -> Samples {
        // A cluster's processes are watched one by one instead.
        let server = if self.load.targets.len() == 1 && self.load.watched.is_empty() {
            proc_stats::server(self.first, &self.http).await
        } else {
            None
        };
        Samples {
            server,
            bench: proc_stats::this_process(),
            watched: proc_stats::sample_all(&self.load.watched),
            bus: bus_hops::scrape(&self.http, &self.load.metrics).await,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn report(
        &self,
        shared: &Shared,
        states: &[ReaderState],
        audience: &Audience,
        started_ns: u64,
        before: Samples,
        after: Samples,
        outcome: Option<&chaos::Outcome>,
    ) -> Report {
        let mut lat = Latencies::default();
        for s in states {
            lat.merge(&s.lat);
        }
        let refs: Vec<&ReaderState> = states.iter().collect();
        let lost = missing(&refs, audience);
        let reused = reused_seqs(states);
        let mut r = Report::build(
            self.args,
            self.first.name,
            shared,
            &lat,
            started_ns,
            (before.server, before.bench),
            (after.server, after.bench),
            lost,
        );
        r.reused_seqs = reused;
        let last_seen = outcome.and_then(|o| o.last_seen);
        let victim = self.load.chaos.as_ref().map(|p| p.name.as_str());
        let mut procs = Vec::new();
        for (i, w) in self.load.watched.iter().enumerate() {
            let b = before.watched.get(i).copied().flatten();
            let x = after.watched.get(i).copied().flatten();
            let killed = (victim == Some(w.name.as_str()))
                .then_some(last_seen)
                .flatten();
            procs.push((w.name.clone(), proc_stats::cpu_between(b, x, killed)));
        }
        if !self.load.watched.is_empty() {
            let bench = match (before.bench, after.bench) {
                (Some(b), Some(x)) => Some(x.cpu_secs - b.cpu_secs),
                _ => None,
            };
            procs.push(("bench".into(), bench));
        }
        r.set_processes(procs);
        r.bus = bus_hops::hops(&before.bus, &after.bus);
        r
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
            workers.push(Worker::spawn(a, self.first, w + 1, &tokens).await?);
        }
        let mine: Vec<(usize, &User)> = mine.iter().enumerate().collect();
        let conns = self.connect(&mine, &shared, HashMap::new(), false).await?;
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
        let states = close_all(conns).await;
        futures::future::join_all(workers.into_iter().map(Worker::finish)).await;
        let per_conn = match (before.server, after.server) {
            (Some(b), Some(x)) => Some(x.rss_bytes.saturating_sub(b.rss_bytes) / want.max(1)),
            _ => None,
        };
        let mut report = self.report(
            &shared,
            &states,
            &Audience::Everyone,
            0,
            before,
            after,
            None,
        );
        report.clients = users.len();
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
        // Senders are the even users, receivers the odd ones: each pair
        // spans two gateways when there are several.
        let senders_u: Vec<(usize, &User)> = users.iter().enumerate().step_by(2).collect();
        let receivers_u: Vec<(usize, &User)> =
            users.iter().enumerate().skip(1).step_by(2).collect();
        let base = self.first.base_url();
        let first = receivers_u.first().context("no users")?.1;
        let baselines = setup::last_seqs(&self.http, &base, first).await?;
        let shared = Arc::new(Shared::new(self.run.clone(), 1, baselines));
        self.progress(&format!("opening {} connections", users.len()));
        let senders = Arc::new(
            self.connect(&senders_u, &shared, HashMap::new(), false)
                .await?,
        );
        let mut receivers = self
            .connect(&receivers_u, &shared, HashMap::new(), false)
            .await?;
        let dests: Vec<Dest> = receivers_u
            .iter()
            .map(|(_, u)| Dest::User(u.id.clone()))
            .collect();
        let audience = Audience::Pairs(
            senders_u
                .iter()
                .zip(&receivers_u)
                .map(|((s, _), (r, _))| (*s, *r))
                .collect(),
        );
        let who: Vec<usize> = senders_u.iter().map(|(i, _)| *i).collect();
        let idx: Vec<usize> = (0..senders_u.len()).collect();
        let before = self.samples().await;
        let started = shared.now_ns();
        let phase = Budget {
            until: Instant::now() + a.timeout,
            each: Some(a.per_client),
        };
        self.progress("phase 1: live");
        self.send_from(&senders, &shared, &who, &idx, &dests, phase)
            .await?;
        self.drain_for(&senders, &shared, None).await;
        self.progress("phase 2: every receiver drops; sending to them offline");
        let states: HashMap<usize, ReaderState> =
            futures::future::join_all(receivers.drain(..).map(Conn::close))
                .await
                .into_iter()
                .map(|s| (s.user, s))
                .collect();
        self.send_from(&senders, &shared, &who, &idx, &dests, phase)
            .await?;
        self.drain_for(&senders, &shared, None).await;
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
        self.send_from(&senders, &shared, &who, &idx, &dests, phase)
            .await?;
        let mut all = receivers;
        let senders = Arc::try_unwrap(senders)
            .map_err(|_| anyhow::anyhow!("a sender still holds the connections"))?;
        all.extend(senders);
        self.drain(&all, &shared, &audience).await;
        let after = self.samples().await;
        let states = close_all(all).await;
        let mut report = self.report(&shared, &states, &audience, started, before, after, None);
        report.clients = users.len();
        report.senders = pairs;
        Ok(report)
    }

    fn progress(&self, what: &str) {
        if !self.args.quiet && !self.args.json {
            eprintln!("[{} {}] {what}", self.first.name, self.args.scenario.name());
        }
    }
}

/// Acked messages a recipient does not have, counted once per recipient.
/// A message is known by its sender and request counter, not its seq: a
/// seq given again to another message (the first lost from the store) does
/// not count as delivered.
pub fn missing(states: &[&ReaderState], audience: &Audience) -> u64 {
    let by_user: HashMap<usize, &ReaderState> = states.iter().map(|s| (s.user, *s)).collect();
    let mut lost = 0u64;
    for s in states {
        let sender = s.user as u64;
        let acked: Vec<u64> = s.acked.values().flatten().map(|&(_, id)| id).collect();
        if acked.is_empty() {
            continue;
        }
        let receivers: Vec<Option<&ReaderState>> = match audience {
            Audience::Pairs(p) => vec![p.get(&s.user).and_then(|r| by_user.get(r).copied())],
            Audience::Everyone => states
                .iter()
                .filter(|r| r.user != s.user)
                .map(|r| Some(*r))
                .collect(),
        };
        for r in receivers {
            let have = acked
                .iter()
                .filter(|&&id| r.is_some_and(|r| r.seen.contains(sender, id)))
                .count();
            lost += (acked.len() - have) as u64;
        }
    }
    lost
}

/// Seqs acked for two different messages of one conversation: the store
/// gave a committed message's seq again, so the first is gone from it.
pub fn reused_seqs(states: &[ReaderState]) -> u64 {
    let mut owners: HashMap<(&str, u64), (usize, u64)> = HashMap::new();
    let mut reused = 0u64;
    for s in states {
        for (conv, acks) in &s.acked {
            for &(seq, id) in acks {
                match owners.get(&(conv.as_str(), seq)) {
                    Some(&owner) if owner != (s.user, id) => reused += 1,
                    Some(_) => {}
                    None => {
                        owners.insert((conv.as_str(), seq), (s.user, id));
                    }
                }
            }
        }
    }
    reused
}

/// `missing` over live connections.
fn missing_in(conns: &[Conn], audience: &Audience) -> u64 {
    let guards: Vec<_> = conns.iter().filter_map(|c| c.state.lock().ok()).collect();
    let refs: Vec<&ReaderState> = guards.iter().map(|g| &**g).collect();
    missing(&refs, audience)
}

/// The `i`th local source address: 127.0.0.1, 127.0.0.2, ... 127.0.0.254.
pub fn source_addr(i: usize) -> IpAddr {
    let last = u8::try_from(1 + i % 254).unwrap_or(1);
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
}

/// How a sender paces itself.
#[derive(Clone, Copy)]
struct How {
    budget: Budget,
    interval: Option<Duration>,
    /// The run's cap on messages in all (0: none).
    max: u64,
    pad: usize,
}

/// User `me` sends on `conn` until its budget ends.
async fn sender(conn: &Conn, shared: &Shared, me: usize, dest: &Dest, how: How, cap: &AtomicU64) {
    let (field, to) = dest.field();
    let mut next = tokio::time::Instant::now();
    let mut sent_here = 0u64;
    let mut counter = 0u64;
    let until = how.budget.until;
    loop {
        if Instant::now() >= until || how.budget.each.is_some_and(|n| sent_here >= n) {
            return;
        }
        if how.max > 0 && cap.fetch_add(1, Relaxed) >= how.max {
            return;
        }
        if let Some(iv) = how.interval {
            tokio::time::sleep_until(next).await;
            next += iv;
        }
        // A stalled window ends the sender with its budget, not after it.
        let Ok(Ok(permit)) = tokio::time::timeout_at(until.into(), conn.window.acquire()).await
        else {
            return;
        };
        permit.forget();
        // Request ids are unique per connection across phases.
        counter = conn_counter(conn, counter);
        let content = track::content(&shared.run, me, counter, how.pad);
        let frame = format!(
            r#"{{"type":"send-message","id":"{counter}","data":{{"{field}":"{to}","client_msg_id":"{run}-{me}-{counter}","content":"{content}"}}}}"#,
            run = shared.run
        );
        if let Ok(mut p) = conn.pending.lock() {
            p.insert(
                counter,
                Pending {
                    sent: Instant::now(),
                    sent_ns: shared.now_ns(),
                    frame: frame.clone(),
                },
            );
        }
        if conn.out.send(Message::text(frame)).await.is_err() {
            return;
        }
        shared.counters.sent.fetch_add(1, Relaxed);
        sent_here += 1;
    }
}

/// The next request id of a connection: its sends never reuse one.
fn conn_counter(conn: &Conn, last: u64) -> u64 {
    let n = conn.next_id.fetch_add(1, Relaxed) + 1;
    n.max(last + 1)
}

async fn close_all(conns: Vec<Conn>) -> Vec<ReaderState> {
    futures::future::join_all(conns.into_iter().map(Conn::close)).await
}
