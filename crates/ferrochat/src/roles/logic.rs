//! `ferrochat logic`: accounts, conversations, groups and the send
//! pipeline, served over gRPC to gateways. Instances share the `upstream`
//! topic as one consumer group (each conversation's partition has one
//! owner at a time) and the token-signing secret. Each also watches the
//! registered gateways: one whose lease expired is dead, and its routes
//! leave the route table at once instead of after the route TTL.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use ferrochat_domain::routing::GatewayId;
use ferrochat_logic::{Logic, Social};
use ferrochat_ports::discovery::Discovery;
use ferrochat_ports::{Presence, Readiness, Store};
use ferrochat_rpc::{InternalTls, Listener, LogicServer, PeerRole};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::{logic_link, open};

pub(super) struct LogicRole {
    listener: Listener,
    local_addr: SocketAddr,
    logic: Arc<Logic>,
    store: Arc<dyn Store>,
    bus: Arc<dyn ferrochat_ports::Bus>,
    presence: Arc<dyn Presence>,
    discovery: Arc<dyn Discovery>,
}

impl LogicRole {
    pub(super) async fn build(
        config: &Config,
        discovery: Arc<dyn Discovery>,
        tls: Option<InternalTls>,
    ) -> anyhow::Result<Self> {
        // Each instance signs tokens the others must accept.
        let secret = config.auth.jwt_secret.as_deref().context(
            "auth.jwt_secret: every logic instance must sign tokens with the same secret",
        )?;
        let repo_tls = tls.as_ref().map(|t| t.client(PeerRole::Repo));
        let store = open::store(config, repo_tls.as_ref()).await?;
        let bus = open::bus(config).await?;
        let presence = open::presence(config).await?;
        let logic = open::logic(
            config,
            secret.as_bytes(),
            store.clone(),
            bus.clone(),
            presence.clone(),
            open::fanout_lag(config).await?,
        )
        .await?;
        let listener = TcpListener::bind(config.logic.grpc_listen)
            .await
            .with_context(|| format!("binding logic.grpc_listen {}", config.logic.grpc_listen))?;
        let local_addr = listener.local_addr()?;
        // Only gateways call logic.
        let listener = match tls {
            Some(tls) => Listener::Tls(listener, tls.server(&[PeerRole::Gateway])?),
            None => Listener::Plain(listener),
        };
        Ok(Self {
            listener,
            local_addr,
            logic,
            store,
            bus,
            presence,
            discovery,
        })
    }

    pub(super) fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub(super) fn readiness(&self, config: &Config) -> Arc<dyn Readiness> {
        use crate::readiness::{
            self, BusHealthy, Probe, ReaderJoined, RedisAnswers, StoreReachable,
        };
        let mut probes: Vec<Arc<dyn Probe>> = vec![
            Arc::new(StoreReachable(self.store.clone())),
            Arc::new(BusHealthy(self.bus.clone())),
            Arc::new(ReaderJoined(self.bus.clone())),
        ];
        // Routes and the shared cache live there when it is set.
        if config.presence.redis_url.is_some() {
            probes.push(Arc::new(RedisAnswers(self.presence.clone())));
        }
        readiness::role(config, probes, &self.discovery)
    }

    /// Serves until `cancel`; then finishes the calls in flight, and the
    /// pipeline commits and answers what it holds.
    pub(super) async fn run(
        self,
        config: &Config,
        cancel: CancellationToken,
        grace: Duration,
    ) -> anyhow::Result<()> {
        let Self {
            listener,
            logic,
            store,
            presence,
            discovery,
            ..
        } = self;
        let pipeline_cancel = CancellationToken::new();
        let pipeline = {
            let logic = logic.clone();
            let cancel = pipeline_cancel.clone();
            tokio::spawn(async move { logic.run(cancel).await })
        };
        let reaper = tokio::spawn(reap_dead_gateways(
            discovery,
            presence,
            logic.social.clone(),
            config.discovery.refresh,
            // A gateway beats every interval; three missed is silence.
            config.presence.heartbeat_interval.saturating_mul(3),
            cancel.clone(),
        ));
        let server = LogicServer::new(logic_link::apis(&logic));
        let mut serving = tokio::spawn(ferrochat_rpc::serve(listener, server, cancel.clone()));
        let early = tokio::select! {
            r = &mut serving => Some(r),
            _ = cancel.cancelled() => None,
        };
        let stopping = async {
            let served = match early {
                Some(r) => r,
                None => serving.await,
            };
            pipeline_cancel.cancel();
            if let Ok(Err(e)) = pipeline.await {
                tracing::error!(error = %e, "logic pipeline failed");
            }
            served
        };
        let served = super::within_grace(grace, "logic", stopping).await;
        reaper.abort();
        store.close().await;
        match served {
            Some(r) => r
                .context("logic gRPC task")?
                .context("serving logic over gRPC"),
            None => Ok(()),
        }
    }
}

/// Forgets the routes of every gateway that left discovery and stopped
/// heartbeating the route table (for `silent_for`), then tells the friends
/// of its users who have no connection left that they went offline (a
/// dead gateway sent no last disconnect). Leaving discovery alone is not
/// death: a gateway's lease lapses while etcd is away, and one that still
/// beats serves its clients, whose live messages would be lost if its
/// routes went. Such a gateway stays a suspect, checked at every tick,
/// until it beats no more or comes back to discovery. Each logic instance
/// runs this; forgetting twice is harmless, and each user is announced
/// once. A gateway that comes back under the same id finds itself
/// forgotten at its next heartbeat and records its connections again.
async fn reap_dead_gateways(
    discovery: Arc<dyn Discovery>,
    presence: Arc<dyn Presence>,
    social: Arc<Social>,
    refresh: Duration,
    silent_for: Duration,
    cancel: CancellationToken,
) {
    let mut alive: Option<BTreeSet<String>> = None;
    let mut suspects: BTreeSet<String> = BTreeSet::new();
    let mut tick = tokio::time::interval(refresh);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        let now: BTreeSet<String> = match discovery.instances("gateway").await {
            Ok(list) => list.into_iter().map(|i| i.id).collect(),
            Err(e) => {
                tracing::warn!(error = %e, "listing gateways failed");
                continue;
            }
        };
        if let Some(was) = &alive {
            suspects.extend(was.difference(&now).cloned());
        }
        suspects.retain(|g| !now.contains(g));
        let mut reaped = false;
        for gone in suspects.clone() {
            match presence
                .forget_if_silent(&GatewayId::new(&gone), silent_for)
                .await
            {
                Ok(true) => {
                    tracing::info!(gateway = %gone, "gateway left discovery and stopped beating; its routes are forgotten");
                    metrics::counter!("ferrochat_logic_gateways_reaped_total").increment(1);
                    suspects.remove(&gone);
                    reaped = true;
                }
                Ok(false) => {
                    tracing::debug!(gateway = %gone, "gateway left discovery but still beats; its routes stay");
                }
                Err(e) => {
                    tracing::warn!(gateway = %gone, error = %e, "forgetting a gateway failed")
                }
            }
        }
        if reaped {
            social.sweep_presence().await;
        }
        alive = Some(now);
    }
}
