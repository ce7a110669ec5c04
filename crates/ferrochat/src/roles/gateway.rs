//! `ferrochat gateway`: HTTP and WebSocket for clients. Calls logic over
//! gRPC, balanced over the logic instances discovery lists; receives its
//! `downstream.<node_id>` topic; keeps its connections' routes alive in
//! the shared route table by heartbeat.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use async_trait::async_trait;
use ferrochat_domain::routing::GatewayId;
use ferrochat_gateway::GatewayDeps;
use ferrochat_ports::discovery::Discovery;
use ferrochat_ports::Readiness;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::readiness::{self, BusHealthy, Probe, RedisAnswers};
use crate::{open, telemetry};
use ferrochat_rpc::{BreakerState, InternalTls, LogicClient, PeerRole};

pub(super) struct Gateway {
    listener: TcpListener,
    local_addr: SocketAddr,
    deps: GatewayDeps,
}

impl Gateway {
    pub(super) async fn build(
        config: &Config,
        discovery: Arc<dyn Discovery>,
        tls: Option<InternalTls>,
    ) -> anyhow::Result<Self> {
        anyhow::ensure!(
            config.presence.redis_url.is_some(),
            "presence.redis_url: a gateway shares its route table with logic and task"
        );
        let bus = open::bus(config).await?;
        let presence = open::presence(config).await?;
        let logic_tls = tls.map(|t| t.client(PeerRole::Logic));
        let client =
            LogicClient::balanced_with(discovery.clone(), config.logic.balance.clone(), logic_tls)
                .map_err(|e| anyhow::anyhow!("logic.balance: {e}"))?;
        let readiness = readiness::role(
            config,
            vec![
                Arc::new(LogicKnown(client.clone())),
                Arc::new(BusHealthy(bus.clone())),
                Arc::new(RedisAnswers(presence.clone())),
            ],
            &discovery,
        );
        let client = Arc::new(client);
        let deps = GatewayDeps {
            id: GatewayId::new(&config.node_id),
            accounts: client.clone(),
            messaging: client.clone(),
            groups: client.clone(),
            social: client.clone(),
            moderation: client.clone(),
            attachments: client,
            objects: open::objects(config)?,
            bus,
            presence,
            route_ttl: Some(config.presence.route_ttl),
            heartbeat_interval: config.presence.heartbeat_interval,
            readiness,
            metrics: telemetry::metrics_render(),
            send_limiter: open::send_limiter(config).await?,
            lag: Some(open::fanout_lag(config).await?),
        };
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("binding {}", config.listen))?;
        let local_addr = listener.local_addr()?;
        Ok(Self {
            listener,
            local_addr,
            deps,
        })
    }

    pub(super) fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub(super) fn readiness(&self) -> Arc<dyn Readiness> {
        self.deps.readiness.clone()
    }

    /// Serves until `cancel`, then closes WebSockets (1001) and drains.
    pub(super) async fn run(
        self,
        config: &Config,
        cancel: CancellationToken,
        grace: Duration,
    ) -> anyhow::Result<()> {
        let mut gateway_config = config.tls.onto(&config.gateway);
        gateway_config.max_content_bytes = config.messaging.max_content_bytes;
        gateway_config.attachments = config.storage.limits();
        let serving =
            ferrochat_gateway::run(self.listener, self.deps, gateway_config, cancel.clone());
        let served = super::until_stopped(tokio::spawn(serving), &cancel, grace, "gateway").await;
        match served {
            Some(r) => r.context("gateway task")?.context("serving HTTP"),
            None => Ok(()),
        }
    }
}

/// Ready once the balancer knows some logic instance whose breaker is not
/// open.
struct LogicKnown(LogicClient);

#[async_trait]
impl Probe for LogicKnown {
    fn name(&self) -> &'static str {
        "logic"
    }

    async fn probe(&self) -> Result<(), String> {
        let breakers = self.0.breakers();
        if breakers.is_empty() {
            return Err("no logic instance found".to_owned());
        }
        if breakers.values().all(|b| *b == BreakerState::Open) {
            return Err("every logic instance's breaker is open".to_owned());
        }
        Ok(())
    }
}
