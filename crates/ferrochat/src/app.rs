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
use ferrochat_domain::routing::GatewayId;
use ferrochat_gateway::GatewayDeps;
use ferrochat_logic::Logic;
use ferrochat_ports::Store;
use ferrochat_task::{TaskConfig, TaskDeps};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::readiness::{All, BusHealthy, Probe, RedisAnswers, StoreReachable};
use crate::{logic_link, open, secret, telemetry};

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

impl App {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        // Before anything opens: bad push credentials would otherwise
        // stop the task role only once it runs.
        ferrochat_task::push::check_providers(&config.push)?;
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating data dir {}", config.data_dir.display()))?;
        let store = open::store(&config, None).await?;
        let secret = secret::resolve(config.auth.jwt_secret.as_deref(), &config.data_dir)?;
        let bus = open::bus(&config).await?;
        let presence = open::presence(&config).await?;
        // One for logic and the task role: in process, unless Redis is
        // set (other nodes' task roles report there too).
        let lag = open::fanout_lag(&config).await?;
        let logic = open::logic(
            &config,
            &secret,
            store.clone(),
            bus.clone(),
            presence.clone(),
            lag.clone(),
        )
        .await?;
        let (apis, logic_grpc) = logic_link::build(&config.logic, &logic).await?;
        let mut probes: Vec<Arc<dyn Probe>> = vec![
            Arc::new(StoreReachable(store.clone())),
            Arc::new(BusHealthy(bus.clone())),
        ];
        // The route table is in this process's memory unless Redis is set.
        if config.presence.redis_url.is_some() {
            probes.push(Arc::new(RedisAnswers(presence.clone())));
        }
        let gateway = GatewayDeps {
            id: GatewayId::new(&config.node_id),
            accounts: apis.accounts,
            messaging: apis.messaging,
            groups: apis.groups,
            social: apis.social,
            moderation: apis.moderation,
            attachments: apis.attachments,
            objects: open::objects(&config)?,
            bus: bus.clone(),
            presence: presence.clone(),
            route_ttl: config
                .presence
                .redis_url
                .is_some()
                .then_some(config.presence.route_ttl),
            heartbeat_interval: config.presence.heartbeat_interval,
            readiness: Arc::new(All(probes)),
            metrics: telemetry::metrics_render(),
            send_limiter: open::send_limiter(&config).await?,
            lag: Some(lag.clone()),
        };
        let task = TaskDeps {
            store: store.clone(),
            bus,
            presence,
            lag,
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
        config.gateway.attachments = config.storage.limits();
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
        let task_config = TaskConfig {
            push: config.push.clone(),
            reporter: format!("task:{}", config.node_id),
            ..TaskConfig::default()
        };
        let task_run = tokio::spawn(ferrochat_task::run(task, task_config, task_cancel.clone()));
        let gateway_cancel = cancel.child_token();
        let mut serving = tokio::spawn(ferrochat_gateway::run(
            listener,
            gateway,
            config.tls.onto(&config.gateway),
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

async fn metrics_upkeep(cancel: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => telemetry::metrics_upkeep(),
        }
    }
}
