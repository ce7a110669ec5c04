//! The repo instances a logic or task role calls (`store.url =
//! "repo://"`): one balanced gRPC channel (tonic's power of two choices)
//! whose endpoints follow discovery. (Gateways reach logic through
//! `LogicClient::balanced`, which adds circuit breakers per instance; the
//! store calls over this channel are retried by `RepoClient`, which knows
//! which may run twice.) Every `discovery.refresh` it lists the role's instances,
//! adds the new ones and removes the gone ones (a killed instance goes
//! when its lease expires). While discovery cannot be reached, the last
//! known set stays. The follower stops by itself once every clone of the
//! channel is dropped.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use ferrochat_ports::discovery::Discovery;
use ferrochat_rpc::ClientTls;
use tokio::sync::mpsc::Sender;
use tonic::transport::channel::Change;
use tonic::transport::{Channel, Endpoint};

/// Changes waiting for the balancer; more than this means it is stuck.
const CHANGES: usize = 64;

pub(crate) struct Peers {
    channel: Channel,
}

impl Peers {
    /// Starts following `role` in `discovery`. `connect_timeout` bounds
    /// dialling one instance; with `tls`, each is dialled over internal
    /// TLS and must prove it plays `role`.
    pub(crate) fn follow(
        role: &'static str,
        discovery: Arc<dyn Discovery>,
        refresh: Duration,
        connect_timeout: Duration,
        tls: Option<ClientTls>,
    ) -> Self {
        let (channel, changes) = Channel::balance_channel(CHANGES);
        let follower = Follower {
            role,
            discovery,
            changes,
            refresh,
            connect_timeout,
            tls,
        };
        tokio::spawn(follower.run());
        Self { channel }
    }

    /// The balanced channel; calls wait (up to their own deadline) while
    /// no instance is known.
    pub(crate) fn channel(&self) -> Channel {
        self.channel.clone()
    }
}

struct Follower {
    role: &'static str,
    discovery: Arc<dyn Discovery>,
    changes: Sender<Change<String, Endpoint>>,
    refresh: Duration,
    connect_timeout: Duration,
    /// Internal TLS: each instance must prove it plays `role`.
    tls: Option<ClientTls>,
}

impl Follower {
    async fn run(self) {
        let role = self.role;
        let mut known: BTreeMap<String, String> = BTreeMap::new();
        let mut tick = tokio::time::interval(self.refresh);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                // Every clone of the channel is gone: nobody calls.
                _ = self.changes.closed() => return,
                _ = tick.tick() => {}
            }
            let found = match self.discovery.instances(role).await {
                Ok(list) => list,
                Err(e) => {
                    tracing::warn!(role, error = %e, "listing instances failed; keeping the last known");
                    metrics::counter!("ferrochat_discovery_errors_total", "role" => role)
                        .increment(1);
                    continue;
                }
            };
            let now: BTreeMap<String, String> = found.into_iter().map(|i| (i.id, i.addr)).collect();
            for (id, addr) in &known {
                if now.get(id) != Some(addr) {
                    tracing::info!(role, id = %id, %addr, "instance gone");
                    if self.changes.send(Change::Remove(id.clone())).await.is_err() {
                        return;
                    }
                }
            }
            for (id, addr) in &now {
                if known.get(id) == Some(addr) {
                    continue;
                }
                let endpoint =
                    match ferrochat_rpc::endpoint(addr, self.connect_timeout, self.tls.as_ref()) {
                        Ok(e) => e,
                        Err(e) => {
                            tracing::warn!(role, id = %id, %addr, error = %e, "unusable address");
                            continue;
                        }
                    };
                tracing::info!(role, id = %id, %addr, "instance found");
                if self
                    .changes
                    .send(Change::Insert(id.clone(), endpoint))
                    .await
                    .is_err()
                {
                    return;
                }
            }
            metrics::gauge!("ferrochat_discovered_instances", "role" => role).set(now.len() as f64);
            known = now;
        }
    }
}
