//! `App`: everything wired, bound and opened, ready to serve.
//!
//! `build` opens the store (applying migrations) and binds the listener, so
//! a caller knows the real address before serving (port 0 works). `run`
//! serves until the token is cancelled, then shuts down in order: the
//! gateway stops accepting, closes WebSockets with 1001 and drains HTTP
//! requests (logic still answers them); then logic commits and answers
//! what it holds; then the task role stops; then the store closes.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use async_trait::async_trait;
use ferrochat_bus::{LocalBus, LocalBusConfig};
use ferrochat_bus_kafka::KafkaBus;
use ferrochat_domain::routing::GatewayId;
use ferrochat_gateway::GatewayDeps;
use ferrochat_logic::{Logic, LogicConfig, LogicDeps};
use ferrochat_ports::{Bus, Presence, Readiness, Store};
use ferrochat_presence::MemoryPresence;
use ferrochat_presence_redis::{RedisOptions, RedisPresence};
use ferrochat_store_sql::{MysqlStore, PostgresStore, SqlOptions};
use ferrochat_store_sqlite::{SqliteOptions, SqliteStore};
use ferrochat_task::{TaskConfig, TaskDeps};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::{BusKind, Config, StoreKind};
use crate::{logic_link, secret, telemetry};

pub struct App {
    config: Config,
    listener: TcpListener,
    local_addr: SocketAddr,
    store: Arc<dyn Store>,
    logic: Arc<Logic>,
    /// Set when the gateway reaches logic over gRPC (`logic.transport`).
    logic_grpc: Option<logic_link::GrpcLogic>,
    task: TaskDeps,
    gateway: GatewayDeps,
}

struct StoreReadiness(Arc<dyn Store>);

#[async_trait]
impl Readiness for StoreReadiness {
    async fn check(&self) -> Result<(), String> {
        self.0
            .ping()
            .await
            .map_err(|_| "store unreachable".to_owned())
    }
}

impl App {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating data dir {}", config.data_dir.display()))?;
        let store = open_store(&config).await?;
        let secret = secret::resolve(config.auth.jwt_secret.as_deref(), &config.data_dir)?;
        let bus = open_bus(&config).await?;
        let presence = open_presence(&config).await?;
        let mut logic_config = LogicConfig {
            auth: config.auth.clone(),
            messaging: config.messaging.clone(),
            groups: config.groups.clone(),
        };
        if config.bus.kind == BusKind::Kafka {
            // Other logic instances may share the bus, and a change made
            // through one cannot yet make the others forget their caches.
            logic_config.messaging.cache_mutable_facts = false;
        }
        let deps = LogicDeps {
            store: store.clone(),
            bus: bus.clone(),
            presence: presence.clone(),
        };
        let logic = Arc::new(
            Logic::build(deps, &logic_config, &secret)
                .map_err(|e| anyhow::anyhow!("logic setup: {e}"))?,
        );
        let (apis, logic_grpc) = logic_link::build(&config.logic, &logic).await?;
        let gateway = GatewayDeps {
            id: GatewayId::new(&config.node_id),
            accounts: apis.accounts,
            messaging: apis.messaging,
            groups: apis.groups,
            social: apis.social,
            bus: bus.clone(),
            presence: presence.clone(),
            route_ttl: config
                .presence
                .redis_url
                .is_some()
                .then_some(config.presence.route_ttl),
            readiness: Arc::new(StoreReadiness(store.clone())),
            metrics: telemetry::metrics_render(),
        };
        let task = TaskDeps {
            store: store.clone(),
            bus,
            presence,
        };
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("binding {}", config.listen))?;
        let local_addr = listener.local_addr()?;
        Ok(Self {
            config,
            listener,
            local_addr,
            store,
            logic,
            logic_grpc,
            task,
            gateway,
        })
    }

    /// The address the HTTP/WebSocket listener actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub async fn run(self, cancel: CancellationToken) -> anyhow::Result<()> {
        let Self {
            mut config,
            listener,
            store,
            logic,
            logic_grpc,
            task,
            gateway,
            ..
        } = self;
        config.gateway.max_content_bytes = config.messaging.max_content_bytes;
        let grace = config.shutdown.grace;
        let upkeep = tokio::spawn(metrics_upkeep(cancel.clone()));
        // Logic and task get their own tokens: they stop only after the
        // gateway has drained, so in-flight sends are still answered.
        let logic_cancel = CancellationToken::new();
        let task_cancel = CancellationToken::new();
        let logic_run = {
            let logic = logic.clone();
            let cancel = logic_cancel.clone();
            tokio::spawn(async move { logic.run(cancel).await })
        };
        // Served until the gateway has drained, like logic itself.
        let grpc_run = logic_grpc.map(|g| tokio::spawn(g.serve(logic_cancel.clone())));
        let task_run = tokio::spawn(ferrochat_task::run(
            task,
            TaskConfig::default(),
            task_cancel.clone(),
        ));
        let gateway_cancel = cancel.child_token();
        let mut serving = tokio::spawn(ferrochat_gateway::run(
            listener,
            gateway,
            config.gateway.clone(),
            gateway_cancel.clone(),
        ));
        let early = tokio::select! {
            r = &mut serving => Some(r),
            _ = cancel.cancelled() => None,
        };
        if early.is_none() {
            tracing::info!("shutting down");
        }
        let stopping = async {
            let served = match early {
                Some(r) => r,
                None => (&mut serving).await,
            };
            logic_cancel.cancel();
            if let Some(run) = grpc_run {
                if let Ok(Err(e)) = run.await {
                    tracing::error!(error = %e, "logic gRPC server failed");
                }
            }
            if let Ok(Err(e)) = logic_run.await {
                tracing::error!(error = %e, "logic role failed");
            }
            task_cancel.cancel();
            if let Ok(Err(e)) = task_run.await {
                tracing::error!(error = %e, "task role failed");
            }
            served
        };
        let served = match tokio::time::timeout(grace, stopping).await {
            Ok(r) => r,
            Err(_) => {
                tracing::warn!(
                    ?grace,
                    "roles still running after the grace period; stopping anyway"
                );
                Ok(Ok(()))
            }
        };
        cancel.cancel();
        let _ = upkeep.await;
        store.close().await;
        tracing::info!("stopped");
        served.context("gateway task")?.context("serving HTTP")
    }
}

/// Opens the store `store.url` names: SQLite (the default), MariaDB/MySQL
/// or PostgreSQL. Migrations are applied at open.
async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let c = &config.store;
    let sql = SqlOptions {
        max_connections: c.max_connections,
        min_connections: c.min_connections,
        acquire_timeout: c.acquire_timeout,
        idle_timeout: c.idle_timeout,
        ..SqlOptions::default()
    };
    let url = c.url.as_deref().unwrap_or_default();
    // The URL may hold a password: errors name only the kind of server.
    Ok(match config.store_kind() {
        StoreKind::Sqlite => {
            let path = config.sqlite_path();
            let opts = SqliteOptions {
                synchronous: c
                    .synchronous
                    .parse()
                    .map_err(|e: String| anyhow::anyhow!(e))?,
                read_connections: c.read_connections,
                acquire_timeout: c.acquire_timeout,
            };
            let store = SqliteStore::open(&path, &opts)
                .await
                .with_context(|| format!("opening {}", path.display()))?;
            Arc::new(store)
        }
        StoreKind::Mysql => Arc::new(
            MysqlStore::open(url, &sql)
                .await
                .context("opening the MySQL store (store.url)")?,
        ),
        StoreKind::Postgres => Arc::new(
            PostgresStore::open(url, &sql)
                .await
                .context("opening the PostgreSQL store (store.url)")?,
        ),
    })
}

/// The route table: in memory, or shared in Redis.
async fn open_presence(config: &Config) -> anyhow::Result<Arc<dyn Presence>> {
    let Some(url) = &config.presence.redis_url else {
        return Ok(Arc::new(MemoryPresence::new()));
    };
    let options = RedisOptions {
        prefix: config.presence.redis_prefix.clone(),
        ..RedisOptions::default()
    };
    // The URL may hold a password: the error names only the setting.
    let presence = RedisPresence::open(url, &options)
        .await
        .context("connecting to Redis (presence.redis_url)")?;
    Ok(Arc::new(presence))
}

async fn open_bus(config: &Config) -> anyhow::Result<Arc<dyn Bus>> {
    Ok(match config.bus.kind {
        BusKind::Local => LocalBus::new(LocalBusConfig::default()),
        BusKind::Kafka => KafkaBus::connect(config.bus.kafka.clone())
            .await
            .with_context(|| format!("connecting to Kafka at {}", config.bus.kafka.brokers))?,
    })
}

async fn metrics_upkeep(cancel: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => telemetry::metrics_upkeep(),
        }
    }
}
