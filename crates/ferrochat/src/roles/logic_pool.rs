//! The logic instances a gateway calls: one balanced gRPC channel whose
//! endpoints follow discovery. Every `discovery.refresh` it lists the
//! `logic` instances and adds the new ones and removes the gone ones (a
//! killed instance goes when its lease expires). While discovery cannot be
//! reached, the last known set stays.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use ferrochat_ports::discovery::Discovery;
use ferrochat_ports::Readiness;
use ferrochat_rpc::LogicClient;
use tokio_util::sync::CancellationToken;
use tonic::transport::channel::Change;
use tonic::transport::{Channel, Endpoint};

use crate::config::Config;

/// Changes waiting for the balancer; more than this means it is stuck.
const CHANGES: usize = 64;

pub(super) struct LogicPool {
    discovery: Arc<dyn Discovery>,
    channel: Channel,
    changes: tokio::sync::mpsc::Sender<Change<String, Endpoint>>,
    refresh: Duration,
    timeout: Duration,
    /// Instances in the balancer now.
    known: Arc<AtomicUsize>,
}

impl LogicPool {
    pub(super) fn new(discovery: Arc<dyn Discovery>, config: &Config) -> anyhow::Result<Self> {
        let (channel, changes) = Channel::balance_channel(CHANGES);
        Ok(Self {
            discovery,
            channel,
            changes,
            refresh: config.discovery.refresh,
            timeout: config.logic.grpc_timeout,
            known: Arc::new(AtomicUsize::new(0)),
        })
    }

    pub(super) fn client(&self) -> LogicClient {
        LogicClient::new(self.channel.clone(), self.timeout)
    }

    /// Ready once the balancer has some logic instance to call.
    pub(super) fn readiness(&self) -> Arc<dyn Readiness> {
        Arc::new(LogicKnown(self.known.clone()))
    }

    /// Follows discovery until `cancel`.
    pub(super) async fn run(self, cancel: CancellationToken) {
        let mut known: BTreeMap<String, String> = BTreeMap::new();
        let mut tick = tokio::time::interval(self.refresh);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tick.tick() => {}
            }
            let found = match self.discovery.instances("logic").await {
                Ok(list) => list,
                Err(e) => {
                    tracing::warn!(error = %e, "listing logic instances failed; keeping the last known");
                    continue;
                }
            };
            let now: BTreeMap<String, String> = found.into_iter().map(|i| (i.id, i.addr)).collect();
            for (id, addr) in &known {
                if now.get(id) != Some(addr) {
                    tracing::info!(logic.id = %id, %addr, "logic instance gone");
                    if self.changes.send(Change::Remove(id.clone())).await.is_err() {
                        return;
                    }
                }
            }
            for (id, addr) in &now {
                if known.get(id) == Some(addr) {
                    continue;
                }
                let endpoint = match Endpoint::from_shared(format!("http://{addr}")) {
                    Ok(e) => e.connect_timeout(self.timeout).tcp_nodelay(true),
                    Err(e) => {
                        tracing::warn!(logic.id = %id, %addr, error = %e, "unusable logic address");
                        continue;
                    }
                };
                tracing::info!(logic.id = %id, %addr, "logic instance found");
                if self
                    .changes
                    .send(Change::Insert(id.clone(), endpoint))
                    .await
                    .is_err()
                {
                    return;
                }
            }
            metrics::gauge!("ferrochat_gateway_logic_instances").set(now.len() as f64);
            self.known.store(now.len(), Ordering::Relaxed);
            known = now;
        }
    }
}

struct LogicKnown(Arc<AtomicUsize>);

#[async_trait]
impl Readiness for LogicKnown {
    async fn check(&self) -> Result<(), String> {
        match self.0.load(Ordering::Relaxed) {
            0 => Err("no logic instance found".to_owned()),
            _ => Ok(()),
        }
    }
}
