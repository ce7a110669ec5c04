//! `ferrochat task`: fan-out of large groups and the world room, in
//! batches, from the `task` topic (a consumer group, so task instances
//! share its partitions), and offline push to `push.webhook_url`. It
//! serves only its operations port.

use std::sync::Arc;

use ferrochat_ports::discovery::Discovery;
use ferrochat_ports::Readiness;
use ferrochat_rpc::{InternalTls, PeerRole};
use ferrochat_task::{TaskConfig, TaskDeps};
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::open;

pub(super) struct TaskRole {
    deps: TaskDeps,
    config: TaskConfig,
}

impl TaskRole {
    pub(super) async fn build(config: &Config, tls: Option<InternalTls>) -> anyhow::Result<Self> {
        ferrochat_task::push::check_providers(&config.push)?;
        let repo_tls = tls.map(|t| t.client(PeerRole::Repo));
        let store = open::store(config, repo_tls.as_ref()).await?;
        let bus = open::bus(config).await?;
        let presence = open::presence(config).await?;
        Ok(Self {
            deps: TaskDeps {
                store,
                bus,
                presence,
                lag: open::fanout_lag(config).await?,
            },
            config: TaskConfig {
                push: config.push.clone(),
                // Each task instance reports its own lag.
                reporter: format!("task:{}", config.node_id),
                ..TaskConfig::default()
            },
        })
    }

    pub(super) fn readiness(
        &self,
        config: &Config,
        discovery: &Arc<dyn Discovery>,
    ) -> Arc<dyn Readiness> {
        use crate::readiness::{
            self, BusHealthy, Probe, ReaderJoined, RedisAnswers, StoreReachable,
        };
        let mut probes: Vec<Arc<dyn Probe>> = vec![
            Arc::new(StoreReachable(self.deps.store.clone())),
            Arc::new(BusHealthy(self.deps.bus.clone())),
            Arc::new(ReaderJoined(self.deps.bus.clone())),
        ];
        // Routes for fan-out and push are read there when it is set.
        if config.presence.redis_url.is_some() {
            probes.push(Arc::new(RedisAnswers(self.deps.presence.clone())));
        }
        readiness::role(config, probes, discovery)
    }

    /// Consumes until `cancel`; the record in hand is finished first.
    pub(super) async fn run(self, cancel: CancellationToken) -> anyhow::Result<()> {
        let store = self.deps.store.clone();
        let result = ferrochat_task::run(self.deps, self.config, cancel).await;
        store.close().await;
        result.map_err(|e| anyhow::anyhow!("task role: {e}"))
    }
}
