//! The typed configuration, layered: built-in defaults, then an optional
//! TOML file, then `FERROCHAT_*` environment variables, then command-line
//! flags. Each role receives only its own section.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ferrochat_bus_kafka::KafkaConfig;
use ferrochat_gateway::GatewayConfig;
use ferrochat_logic::{AuthConfig, CacheConfig, GroupsConfig, MessagingConfig};
use ferrochat_ports::api::MAX_LISTED_SESSIONS;
use ferrochat_retry::RetryConfig;
use ferrochat_rpc::BalanceConfig;
use ferrochat_task::push::PushConfig;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

pub use crate::cluster_config::{
    default_metrics_listen, DiscoveryConfig, InternalTlsConfig, RepoLinkConfig,
};
pub use crate::otlp::TelemetryConfig;
pub use crate::storage_config::StorageConfig;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address of the HTTP/WebSocket listener. Port 0 picks a free port.
    pub listen: SocketAddr,
    /// Where the embedded database and generated secrets live.
    pub data_dir: PathBuf,
    /// This process's name among the others on the same bus: its
    /// gateway's downstream topic and the routes of its connections. Give
    /// each process its own.
    pub node_id: String,
    pub store: StoreConfig,
    pub bus: BusConfig,
    pub presence: PresenceConfig,
    pub auth: AuthConfig,
    pub gateway: GatewayConfig,
    pub messaging: MessagingConfig,
    pub groups: GroupsConfig,
    /// Cluster: the cache logic instances share in Redis (bus.kind =
    /// "kafka" with presence.redis_url set): how long entries live.
    pub cache: CacheConfig,
    pub logic: LogicLinkConfig,
    /// Cluster roles: the repo role's gRPC service.
    pub repo: RepoLinkConfig,
    /// Cluster roles: how they find each other.
    pub discovery: DiscoveryConfig,
    /// Cluster roles: mutual TLS between them.
    pub internal_tls: InternalTlsConfig,
    /// Cluster roles: start without `[internal_tls]` even when listening
    /// beyond loopback, so that anyone who reaches an internal port can
    /// call it as any role. Off: such a role refuses to start. Logged as
    /// a warning at every start.
    pub insecure_internal: bool,
    /// Cluster roles: where `/metrics` is served. Unset: gateway
    /// 127.0.0.1:8081, logic :9101, repo :9102, task :9103. (`serve`
    /// answers `/metrics` on its main port.)
    pub metrics_listen: Option<SocketAddr>,
    /// Offline push to a webhook; off unless `push.webhook_url` is set.
    pub push: PushConfig,
    /// Attachments: where their bytes live, and their limits.
    pub storage: StorageConfig,
    pub log: LogConfig,
    /// Tracing over OTLP; off unless `telemetry.otlp_endpoint` is set.
    pub telemetry: TelemetryConfig,
    pub shutdown: ShutdownConfig,
    /// HTTPS and WSS on `listen` (and a gateway role's listener): the
    /// certificate chain and key as PEM files, read again on SIGHUP.
    pub tls: TlsConfig,
    /// Threads that run the process's tasks; 0: one per core. Roles that
    /// share a machine should split its cores between them (the threads
    /// of all of them at most the cores): more threads than cores cost
    /// CPU in switches between them (docs/benchmarks.md, "Threads").
    pub worker_threads: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./data"),
            node_id: "local".to_owned(),
            store: StoreConfig::default(),
            bus: BusConfig::default(),
            presence: PresenceConfig::default(),
            auth: AuthConfig::default(),
            gateway: GatewayConfig::default(),
            messaging: MessagingConfig::default(),
            groups: GroupsConfig::default(),
            cache: CacheConfig::default(),
            logic: LogicLinkConfig::default(),
            repo: RepoLinkConfig::default(),
            discovery: DiscoveryConfig::default(),
            internal_tls: InternalTlsConfig::default(),
            insecure_internal: false,
            metrics_listen: None,
            push: PushConfig::default(),
            storage: StorageConfig::default(),
            log: LogConfig::default(),
            telemetry: TelemetryConfig::default(),
            shutdown: ShutdownConfig::default(),
            tls: TlsConfig::default(),
            worker_threads: 0,
        }
    }
}

/// `[tls]`: both files, or neither (plain HTTP).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TlsConfig {
    /// The certificate chain, leaf first, PEM.
    pub cert: Option<PathBuf>,
    /// Its private key, PEM (PKCS#8, PKCS#1 or SEC1).
    pub key: Option<PathBuf>,
}

impl TlsConfig {
    pub fn files(&self) -> Option<ferrochat_gateway::ListenerTls> {
        match (&self.cert, &self.key) {
            (Some(cert), Some(key)) => Some(ferrochat_gateway::ListenerTls {
                cert: cert.clone(),
                key: key.clone(),
            }),
            _ => None,
        }
    }

    /// The gateway's settings with these files.
    pub fn onto(&self, gateway: &GatewayConfig) -> GatewayConfig {
        GatewayConfig {
            tls: self.files(),
            ..gateway.clone()
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreConfig {
    /// `sqlite://PATH`, `mysql://USER:PASSWORD@HOST:PORT/DB` (MariaDB or
    /// MySQL) or `postgres://...` (also `postgresql://`); unset means
    /// SQLite at `<data_dir>/ferrochat.db`. Cluster logic and task roles
    /// may instead use the repo role: `repo://HOST:PORT`, or `repo://`
    /// for the repo instances discovery finds.
    #[serde(serialize_with = "redacted_opt")]
    pub url: Option<String>,
    /// SQLite durability: `full` (survives power loss) or `normal`
    /// (survives a process crash).
    pub synchronous: String,
    /// SQLite reader connections.
    pub read_connections: u32,
    /// MySQL/PostgreSQL: most connections in the pool.
    pub max_connections: u32,
    /// MySQL/PostgreSQL: connections kept open while idle.
    pub min_connections: u32,
    /// How long a request waits for a pooled connection (or a new one to
    /// the server) before the store counts as unavailable.
    #[serde(with = "humantime_serde")]
    pub acquire_timeout: Duration,
    /// MySQL/PostgreSQL: idle connections beyond `min_connections` close
    /// after this.
    #[serde(with = "humantime_serde")]
    pub idle_timeout: Duration,
    /// MySQL/PostgreSQL: how long a call rides out its server being
    /// unreachable (a restart) or busy (a deadlock), retrying, and when
    /// the breaker opens so that calls fail at once.
    pub retry: RetryConfig,
    /// Refuse to start (exit 78) if the database's settings can lose
    /// acknowledged messages (docs/deploy.md, "Durability"); when false
    /// they are named in a warning at start.
    pub require_durable: bool,
    /// MySQL/PostgreSQL: the longest a message search may run before the
    /// server stops it (1009 to the user, who can narrow it). SQLite's
    /// search reads its index newest first and stops at the page.
    #[serde(with = "humantime_serde")]
    pub search_timeout: Duration,
    /// MySQL/MariaDB: how long a search first reads the caller's newest
    /// messages one by one before it asks the full-text index (which reads
    /// every message holding the words first); 0s asks the index at once.
    #[serde(with = "humantime_serde")]
    pub search_scan: Duration,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            url: None,
            synchronous: "full".to_owned(),
            read_connections: 4,
            max_connections: 16,
            min_connections: 0,
            acquire_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(600),
            retry: RetryConfig::default(),
            require_durable: false,
            search_timeout: ferrochat_store_sql::DEFAULT_SEARCH_TIMEOUT,
            search_scan: ferrochat_store_sql::DEFAULT_SEARCH_SCAN,
        }
    }
}

/// How the roles talk: in-process channels (`local`, the default) or a
/// Kafka-protocol broker (`kafka`, configured in `[bus.kafka]`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BusConfig {
    pub kind: BusKind,
    pub kafka: KafkaConfig,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BusKind {
    #[default]
    Local,
    Kafka,
}

/// The route table (who is connected where): in memory (the default,
/// one process) or in Redis, shared by every gateway and logic instance.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PresenceConfig {
    /// Unset: in memory. `redis://[USER:PASSWORD@]HOST:PORT[/DB]`: Redis;
    /// `rediss://...`: Redis over TLS, its certificate checked against
    /// the system's roots or `redis_ca_file`.
    #[serde(serialize_with = "redacted_opt")]
    pub redis_url: Option<String>,
    /// With `rediss://`: the CA certificates (PEM) to trust instead of the
    /// system's roots (a managed Redis with a private CA).
    pub redis_ca_file: Option<PathBuf>,
    /// With `rediss://`: a client certificate chain and its key (PEM), for
    /// a Redis that asks for one (`tls-auth-clients`).
    pub redis_cert_file: Option<PathBuf>,
    pub redis_key_file: Option<PathBuf>,
    /// The Redis ACL user (Redis 6+), if not in `redis_url`; its password
    /// from `redis_password` or `redis_password_file` (one trailing
    /// newline ignored). A password without a user is `requirepass`'s.
    pub redis_username: Option<String>,
    #[serde(serialize_with = "redacted_opt")]
    pub redis_password: Option<String>,
    pub redis_password_file: Option<PathBuf>,
    /// Prepended to every Redis key, so deployments can share a Redis.
    pub redis_prefix: String,
    /// With Redis: a gateway's routes outlive its last heartbeat by this
    /// much, so a dead gateway's users count as offline after at most this
    /// long.
    #[serde(with = "humantime_serde")]
    pub route_ttl: Duration,
    /// With Redis: how often a gateway heartbeats (at most a third of
    /// `route_ttl`). It is also how soon a gateway notices that Redis lost
    /// its routes (restarted empty) and puts them back; meanwhile logic
    /// and task wait three times this long before trusting the table.
    #[serde(with = "humantime_serde")]
    pub heartbeat_interval: Duration,
}

impl Default for PresenceConfig {
    fn default() -> Self {
        Self {
            redis_url: None,
            redis_ca_file: None,
            redis_cert_file: None,
            redis_key_file: None,
            redis_username: None,
            redis_password: None,
            redis_password_file: None,
            redis_prefix: "ferrochat:".to_owned(),
            route_ttl: Duration::from_secs(60),
            heartbeat_interval: Duration::from_secs(1),
        }
    }
}

/// How the gateway reaches logic: by direct calls in this process (the
/// default), or over gRPC: logic serves on `grpc_listen` and the gateway
/// calls it through a client, as it will in a cluster.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogicLinkConfig {
    pub transport: LogicTransport,
    /// Where logic serves gRPC (`transport = "grpc"`). Port 0 picks a
    /// free port.
    pub grpc_listen: SocketAddr,
    /// How long the gateway waits for one call to logic before answering
    /// an internal error.
    #[serde(with = "humantime_serde")]
    pub grpc_timeout: Duration,
    /// A cluster gateway's calls to the logic instances discovery lists:
    /// power of two choices, a circuit breaker per instance, retries of
    /// idempotent calls.
    pub balance: BalanceConfig,
}

impl Default for LogicLinkConfig {
    fn default() -> Self {
        Self {
            transport: LogicTransport::Direct,
            grpc_listen: SocketAddr::from(([127, 0, 0, 1], 9001)),
            grpc_timeout: Duration::from_secs(10),
            balance: BalanceConfig::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogicTransport {
    #[default]
    Direct,
    Grpc,
}

/// Which store a `store.url` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    Sqlite,
    Mysql,
    Postgres,
    /// The repo role over gRPC: `repo://HOST:PORT`, or `repo://` for the
    /// repo instances discovery lists.
    Repo,
}

impl StoreKind {
    /// The kind of `url`, by its scheme.
    pub fn of(url: &str) -> Option<Self> {
        let (scheme, _) = url.split_once("://")?;
        match scheme {
            "sqlite" => Some(Self::Sqlite),
            "mysql" | "mariadb" => Some(Self::Mysql),
            "postgres" | "postgresql" => Some(Self::Postgres),
            "repo" => Some(Self::Repo),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `auto` (JSON unless stdout is a terminal), `json` or `text`.
    pub format: String,
    /// A tracing filter, e.g. `info` or `ferrochat=debug`. `RUST_LOG` wins.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: "auto".to_owned(),
            level: "info".to_owned(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ShutdownConfig {
    /// How long a graceful stop may take before the process exits anyway.
    #[serde(with = "humantime_serde")]
    pub grace: Duration,
}

impl Default for ShutdownConfig {
    fn default() -> Self {
        Self {
            grace: Duration::from_secs(10),
        }
    }
}

pub(crate) fn redacted_opt<S: serde::Serializer>(
    v: &Option<String>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(_) => s.serialize_some("[redacted]"),
        None => s.serialize_none(),
    }
}

/// Values given on the command line, the last and strongest layer.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<StoreOverride>,
}

#[derive(Debug, Serialize)]
pub struct StoreOverride {
    pub url: String,
}

/// A configuration that cannot be used; the message names the key.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(String);

impl ConfigError {
    pub(crate) fn new(message: String) -> Self {
        Self(message)
    }
}

/// Most `worker_threads`: beyond any machine's cores, and a typo's guard.
const MOST_WORKER_THREADS: usize = 1024;

/// Top-level keys `FERROCHAT_*` variables may set; others (say, a test
/// harness's `FERROCHAT_MARIADB_URL`) are not configuration.
const SECTIONS: &[&str] = &[
    "listen",
    "data_dir",
    "node_id",
    "store",
    "bus",
    "presence",
    "auth",
    "gateway",
    "messaging",
    "groups",
    "cache",
    "logic",
    "repo",
    "discovery",
    "internal_tls",
    "insecure_internal",
    "metrics_listen",
    "push",
    "storage",
    "log",
    "telemetry",
    "shutdown",
    "tls",
    "worker_threads",
];

impl Config {
    pub fn load(file: Option<&Path>, overrides: Overrides) -> Result<Self, ConfigError> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(ConfigError(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
            fig = fig.merge(Toml::file_exact(path));
        }
        let env = Env::prefixed("FERROCHAT_")
            // figment hands these closures the key before lowercasing it.
            .map(|k| match k.as_str().to_ascii_lowercase().as_str() {
                // The flag --store-url maps to the nested key store.url.
                "store_url" => "store.url".into(),
                other => other.replace("__", ".").into(),
            })
            .filter(|k| {
                let key = k.as_str().to_ascii_lowercase();
                let top = key.split('.').next().unwrap_or_default();
                SECTIONS.contains(&top)
            });
        fig = fig.merge(env).merge(Serialized::defaults(overrides));
        let config: Config = fig.extract().map_err(|e| ConfigError(e.to_string()))?;
        config.check()?;
        Ok(config)
    }

    /// Rules serde cannot express, checked before anything binds a port.
    fn check(&self) -> Result<(), ConfigError> {
        let bad = |key: &str, why: &str| Err(ConfigError(format!("{key}: {why}")));
        if self.store.synchronous != "full" && self.store.synchronous != "normal" {
            return bad("store.synchronous", "must be \"full\" or \"normal\"");
        }
        if !matches!(self.log.format.as_str(), "auto" | "json" | "text") {
            return bad("log.format", "must be \"auto\", \"json\" or \"text\"");
        }
        if let Err((key, why)) = self.telemetry.check() {
            return bad(key, &why);
        }
        match (&self.tls.cert, &self.tls.key) {
            (Some(_), None) => return bad("tls.key", "is required with tls.cert"),
            (None, Some(_)) => return bad("tls.cert", "is required with tls.key"),
            _ => {}
        }
        if let Some(files) = self.tls.files() {
            if let Err(why) = ferrochat_gateway::check_tls(&files) {
                return bad("tls", &why.to_string());
            }
        }
        for origin in &self.gateway.cors_origins {
            if let Err(why) = ferrochat_gateway::check_origin(origin) {
                return bad("gateway.cors_origins", &format!("{origin:?}: {why}"));
            }
        }
        if let Err(why) = self.storage.check(&self.data_dir) {
            return Err(ConfigError(why));
        }
        if self.gateway.max_body_bytes < 1024 {
            return bad("gateway.max_body_bytes", "must be at least 1024");
        }
        if self.gateway.body_read_timeout.is_zero()
            || self.gateway.body_read_timeout >= self.gateway.request_timeout
        {
            return bad(
                "gateway.body_read_timeout",
                "must be above 0 and shorter than gateway.request_timeout",
            );
        }
        if self.gateway.ops_connections * 2 > self.gateway.reserved_fds {
            return bad(
                "gateway.ops_connections",
                "must be at most half of gateway.reserved_fds, which it is taken from",
            );
        }
        if self.gateway.auth_rate_limit.per_second == 0 {
            return bad("gateway.auth_rate_limit.per_second", "must be at least 1");
        }
        if self.auth.access_ttl < Duration::from_secs(1) {
            return bad("auth.access_ttl", "must be at least 1s");
        }
        if !(1..=MAX_LISTED_SESSIONS).contains(&self.auth.max_sessions) {
            return bad(
                "auth.max_sessions",
                &format!("must be 1 to {MAX_LISTED_SESSIONS}"),
            );
        }
        if self.auth.refresh_ttl <= self.auth.access_ttl {
            return bad("auth.refresh_ttl", "must be longer than auth.access_ttl");
        }
        if self.gateway.ws.outbox_frames == 0 {
            return bad("gateway.ws.outbox_frames", "must be at least 1");
        }
        if self.gateway.ws.outbox_bytes < 64 * 1024 {
            return bad("gateway.ws.outbox_bytes", "must be at least 65536");
        }
        if self.gateway.ws.max_frame_bytes < 1024 {
            return bad("gateway.ws.max_frame_bytes", "must be at least 1024");
        }
        if self.gateway.ws.ping_interval.is_zero()
            || self.gateway.ws.idle_timeout <= self.gateway.ws.ping_interval
        {
            return bad(
                "gateway.ws.idle_timeout",
                "must be longer than gateway.ws.ping_interval",
            );
        }
        if self.gateway.send_rate_limit.per_second == 0 {
            return bad("gateway.send_rate_limit.per_second", "must be at least 1");
        }
        if self.messaging.max_content_bytes == 0
            || self.messaging.max_content_bytes >= self.gateway.ws.max_frame_bytes
        {
            return bad(
                "messaging.max_content_bytes",
                "must be at least 1 and less than gateway.ws.max_frame_bytes",
            );
        }
        if self.bus.kind == BusKind::Kafka
            && self.messaging.max_content_bytes > ferrochat_bus_kafka::MAX_CONTENT_BYTES
        {
            return bad(
                "messaging.max_content_bytes",
                "must leave room in one broker record: at most 768 KiB with bus.kind = \"kafka\"",
            );
        }
        if self.worker_threads > MOST_WORKER_THREADS {
            return bad("worker_threads", "must be at most 1024 (0: one per core)");
        }
        if self.logic.grpc_timeout.is_zero() {
            return bad("logic.grpc_timeout", "must be more than 0s");
        }
        if let Err((key, why)) = self.push.check() {
            return Err(ConfigError(format!("push.{key}: {why}")));
        }
        for (key, ttl) in [
            ("cache.conversation_ttl", self.cache.conversation_ttl),
            ("cache.pair_ttl", self.cache.pair_ttl),
            ("cache.profile_ttl", self.cache.profile_ttl),
        ] {
            if ttl < Duration::from_secs(1) {
                return bad(key, "must be at least 1s");
            }
        }
        if !(2..=ferrochat_logic::MAX_GROUP_MEMBERS).contains(&self.groups.max_members) {
            return bad("groups.max_members", "must be 2 to 100000");
        }
        // It names a Kafka topic, which allows only these characters.
        let id_ok = |id: &str| {
            (1..=64).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        };
        if !id_ok(&self.node_id) {
            return bad("node_id", "must be 1 to 64 of A-Z, a-z, 0-9, '.', '_', '-'");
        }
        let kafka = &self.bus.kafka;
        if kafka.upstream_partitions < 1 || kafka.task_partitions < 1 {
            return bad(
                "bus.kafka.upstream_partitions",
                "partition counts must be at least 1",
            );
        }
        if let Err((key, why)) = kafka.security.check() {
            return Err(ConfigError(format!("bus.kafka.security.{key}: {why}")));
        }
        if kafka.replication_factor < 1 {
            return bad("bus.kafka.replication_factor", "must be at least 1");
        }
        if self.presence.route_ttl < Duration::from_secs(1) {
            return bad("presence.route_ttl", "must be at least 1s");
        }
        if self.presence.heartbeat_interval < Duration::from_millis(100)
            || self.presence.heartbeat_interval > Duration::from_secs(60)
        {
            return bad(
                "presence.heartbeat_interval",
                "must be between 100ms and 60s",
            );
        }
        if let Err((key, why)) = crate::redis_tls::load(&self.presence) {
            return bad(key, &why);
        }
        if self.presence.redis_password.is_some() && self.presence.redis_password_file.is_some() {
            return bad(
                "presence.redis_password_file",
                "set redis_password or redis_password_file, not both",
            );
        }
        if self.presence.redis_username.is_some()
            && self.presence.redis_password.is_none()
            && self.presence.redis_password_file.is_none()
        {
            return bad(
                "presence.redis_username",
                "needs redis_password or redis_password_file",
            );
        }
        if let Some(s) = &self.auth.jwt_secret {
            if s.len() < 32 {
                return bad("auth.jwt_secret", "must be at least 32 characters");
            }
        }
        if let Err(e) = self.auth.external.check() {
            return Err(ConfigError(e.to_string()));
        }
        if let Err(e) = self.auth.oidc.check() {
            return Err(ConfigError(e.to_string()));
        }
        if let Some(url) = &self.store.url {
            if StoreKind::of(url).is_none() {
                return bad(
                    "store.url",
                    "must start with sqlite://, mysql://, mariadb://, postgres://, postgresql:// or repo://",
                );
            }
        }
        if self.store.search_timeout.is_zero() {
            return bad("store.search_timeout", "must be more than 0s");
        }
        if self.store.max_connections == 0 {
            return bad("store.max_connections", "must be at least 1");
        }
        if self.store.min_connections > self.store.max_connections {
            return bad(
                "store.min_connections",
                "must not be more than store.max_connections",
            );
        }
        if let Err((key, why)) = self.discovery.check() {
            return bad(key, why);
        }
        if let Err(why) = self.internal_tls.files() {
            return bad("internal_tls", why);
        }
        if ferrochat_rpc::tls::check_trust_domain(&self.internal_tls.trust_domain).is_err() {
            return bad(
                "internal_tls.trust_domain",
                "must be a DNS name such as ferrochat.internal",
            );
        }
        if self.logic.transport == LogicTransport::Grpc
            && !self.logic.grpc_listen.ip().is_loopback()
            && !self.insecure_internal
        {
            return bad(
                "logic.grpc_listen",
                "serve's gRPC transport has no TLS: it must listen on a loopback address \
                 (or set insecure_internal = true to let anyone who reaches it call logic)",
            );
        }
        if self.store.acquire_timeout.is_zero() {
            return bad("store.acquire_timeout", "must be more than 0s");
        }
        if let Err(e) = self.store.retry.validate() {
            return Err(ConfigError(format!("store.retry.{e}")));
        }
        if self.repo.grpc_timeout.is_zero() {
            return bad("repo.grpc_timeout", "must be more than 0s");
        }
        if let Err(e) = self.repo.retry.validate() {
            return Err(ConfigError(format!("repo.retry.{e}")));
        }
        Ok(())
    }

    /// The store `store.url` names (SQLite when unset).
    pub fn store_kind(&self) -> StoreKind {
        self.store
            .url
            .as_deref()
            .and_then(StoreKind::of)
            .unwrap_or(StoreKind::Sqlite)
    }

    /// The SQLite file this config points at.
    pub fn sqlite_path(&self) -> PathBuf {
        match self
            .store
            .url
            .as_deref()
            .and_then(|u| u.strip_prefix("sqlite://"))
        {
            Some(p) => PathBuf::from(p),
            None => self.data_dir.join("ferrochat.db"),
        }
    }

    /// The effective configuration as TOML, secrets redacted.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_else(|e| format!("# cannot render: {e}\n"))
    }
}
