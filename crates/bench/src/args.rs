//! The `ferrochat bench` command line.

use std::time::Duration;

use clap::{Args, ValueEnum};

/// Load a ferrochat server through its public protocol and check every
/// delivery. Exits non-zero on any lost, duplicated or out-of-order message,
/// or a send still unanswered when the run ends.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// What to run.
    #[arg(value_enum)]
    pub scenario: Scenario,
    /// A running server (loopback only); repeat it for several gateways of
    /// one cluster: users are spread over them round-robin. Without it (or
    /// --cluster) the bench spawns `ferrochat serve` on 127.0.0.1:0 with a
    /// fresh data dir.
    #[arg(long, value_name = "URL")]
    pub url: Vec<String>,
    /// With one --url: the server's pid, to read its CPU and memory from
    /// /proc (otherwise they come from its /metrics).
    #[arg(long, value_name = "PID")]
    pub server_pid: Option<u32>,
    /// Load the cluster `scripts/cluster up` runs (its state in
    /// --cluster-dir): its gateways, and the CPU of every role and service
    /// from /proc, reported per 1,000 acked messages.
    #[arg(long, conflicts_with_all = ["url", "spawn"])]
    pub cluster: bool,
    /// scripts/cluster's state dir.
    #[arg(
        long,
        env = "FERROCHAT_CLUSTER_DIR",
        default_value = "/tmp/ferrochat-cluster",
        value_name = "DIR"
    )]
    pub cluster_dir: std::path::PathBuf,
    /// With --cluster: the gateways to load (default: all), e.g. gateway-1.
    /// A client whose connection drops may still reconnect to any of them.
    #[arg(long, value_delimiter = ',', value_name = "NAME,..")]
    pub gateways: Vec<String>,
    /// Chaos (with --cluster): SIGKILL this role (gateway-1, logic-1,
    /// repo-1, task-1, ...) or service (mariadb, redis, etcd, kafka) during
    /// the send window, then start it again: a role by `scripts/cluster up`,
    /// a service with its own command line, environment and directory (on
    /// its data; Redis as scripts/services runs it: empty). Clients whose
    /// connection drops reconnect and `sync`; the run then counts lost,
    /// duplicated, reordered, refused and doubly answered sends and the time
    /// acks took to flow again.
    #[arg(long, requires = "cluster", value_name = "NAME")]
    pub kill: Option<String>,
    /// When to kill, from the first send.
    #[arg(long, value_parser = parse_duration, default_value = "6s")]
    pub kill_at: Duration,
    /// How long the killed process stays down before it is started again.
    #[arg(long, value_parser = parse_duration, default_value = "0s")]
    pub down_for: Duration,
    /// With --kill kafka: start an empty broker in its place (its storage
    /// deleted) instead of the same one on its data.
    #[arg(long, requires = "kill")]
    pub restart_empty: bool,
    /// Connected clients: one-to-one uses N/2 pairs; group puts N members
    /// in one group; world, idle and reconnect-storm hold N clients.
    #[arg(short = 'n', long, default_value_t = 100)]
    pub clients: usize,
    /// Senders in group and world (the others only receive).
    #[arg(short = 'k', long, default_value_t = 4)]
    pub senders: usize,
    /// Offered rate in messages/s over all senders; 0 sends flat out.
    #[arg(long, default_value_t = 0)]
    pub rate: u64,
    /// Sends in flight per sender (flat out) before it waits for an ack.
    #[arg(long, default_value_t = 32)]
    pub window: usize,
    /// How long senders send.
    #[arg(long, value_parser = parse_duration, default_value = "10s")]
    pub duration: Duration,
    /// Stop after this many messages in all (0: no cap).
    #[arg(long, default_value_t = 0)]
    pub messages: u64,
    /// Content bytes per message (at least what the bench's tag needs).
    #[arg(long, default_value_t = 64)]
    pub content_bytes: usize,
    /// attachments: each file's size in bytes.
    #[arg(long, default_value_t = 8 * 1024 * 1024)]
    pub file_bytes: usize,
    /// attachments: upload each file as a resumable upload in chunks of
    /// this many bytes (`/api/v1/uploads`); 0: in one multipart request.
    #[arg(long, default_value_t = 0)]
    pub chunk_bytes: usize,
    /// search: how long the query phase lasts.
    #[arg(long, value_parser = parse_duration, default_value = "20s")]
    pub search_for: Duration,
    /// Messages per client in each phase of reconnect-storm.
    #[arg(long, default_value_t = 20)]
    pub per_client: u64,
    /// Local source addresses 127.0.0.1 .. 127.0.0.N to spread sockets over
    /// (each pair of addresses has its own ephemeral port range).
    #[arg(long, default_value_t = 4)]
    pub source_addrs: u8,
    /// idle: worker processes that hold the connections (past one
    /// process's open-file limit). 1 keeps them in this process.
    #[arg(long, default_value_t = 1)]
    pub workers: usize,
    /// Also run the same scenario against an in-process null relay and
    /// print ferrochat's throughput as a ratio of it.
    #[arg(long)]
    pub relay: bool,
    /// broker: the Kafka-protocol broker (loopback only).
    #[arg(long, env = "FERROCHAT_TEST_KAFKA_BROKERS", value_name = "HOST:PORT")]
    pub brokers: Option<String>,
    /// broker: partitions of the topic (a consumer reads them all).
    #[arg(long, default_value_t = 4)]
    pub partitions: u32,
    /// broker: the consumer's fetch.wait.max.ms.
    #[arg(long, value_parser = parse_duration, default_value = "100ms")]
    pub fetch_wait: Duration,
    /// broker: the producer's linger.ms.
    #[arg(long, value_parser = parse_duration, default_value = "1ms")]
    pub linger: Duration,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// No progress lines on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// Give up on everything after this long.
    #[arg(long, value_parser = parse_duration, default_value = "300s")]
    pub timeout: Duration,
    /// After sending stops, how long to wait for the last acks and deliveries.
    #[arg(long, value_parser = parse_duration, default_value = "15s")]
    pub drain: Duration,
    /// Spawn `ferrochat serve` on 127.0.0.1:0 with a fresh data dir (the
    /// default without --url).
    #[arg(long, conflicts_with = "url")]
    pub spawn: bool,
    /// Internal: run as idle worker number N, fed tokens on stdin.
    #[arg(long, hide = true, value_name = "N")]
    pub worker: Option<usize>,
    /// The `ferrochat` binary, to spawn servers and workers.
    #[arg(skip)]
    pub exe: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    /// N/2 pairs, each sender messages its peer.
    OneToOne,
    /// One group of N online members, K of them sending.
    Group,
    /// N online users in the world room, K of them sending.
    World,
    /// Hold N idle connections; report server memory per connection.
    Idle,
    /// N receivers drop at once, miss messages, reconnect at once and resync.
    ReconnectStorm,
    /// One-to-one (stopping after --messages), then -k clients search the
    /// stored messages for --search-for: query latency and rate.
    Search,
    /// One hop through the Kafka-protocol broker alone (--brokers): records
    /// at --rate, send to poll, and the broker's CPU (--server-pid).
    Broker,
    /// -k pairs: one uploads a --file-bytes file, sends it, the other
    /// downloads it, for --duration: MiB/s each way, transfer times.
    Attachments,
}

impl Scenario {
    pub fn name(self) -> &'static str {
        match self {
            Self::OneToOne => "one-to-one",
            Self::Group => "group",
            Self::World => "world",
            Self::Idle => "idle",
            Self::ReconnectStorm => "reconnect-storm",
            Self::Search => "search",
            Self::Broker => "broker",
            Self::Attachments => "attachments",
        }
    }
}

impl BenchArgs {
    /// Defaults for a scenario, as the command line gives them.
    pub fn new(scenario: Scenario) -> Self {
        Self {
            scenario,
            url: Vec::new(),
            server_pid: None,
            cluster: false,
            cluster_dir: "/tmp/ferrochat-cluster".into(),
            gateways: Vec::new(),
            kill: None,
            kill_at: Duration::from_secs(6),
            down_for: Duration::ZERO,
            restart_empty: false,
            brokers: None,
            partitions: 4,
            fetch_wait: Duration::from_millis(100),
            linger: Duration::from_millis(1),
            clients: 100,
            senders: 4,
            rate: 0,
            window: 32,
            duration: Duration::from_secs(10),
            messages: 0,
            content_bytes: 64,
            per_client: 20,
            search_for: Duration::from_secs(20),
            file_bytes: 8 * 1024 * 1024,
            chunk_bytes: 0,
            source_addrs: 4,
            workers: 1,
            relay: false,
            json: false,
            quiet: false,
            timeout: Duration::from_secs(300),
            drain: Duration::from_secs(15),
            spawn: false,
            worker: None,
            exe: None,
        }
    }
}

/// `250ms`, `10s`, `2m`, or plain seconds.
pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map_or((s, "s"), |i| s.split_at(i));
    let n: f64 = num.parse().map_err(|_| format!("bad duration {s:?}"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return Err(format!("bad duration unit in {s:?} (ms, s, m)")),
    };
    Duration::try_from_secs_f64(secs).map_err(|e| e.to_string())
}
