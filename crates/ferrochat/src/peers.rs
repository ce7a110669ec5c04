//! The instances of one role a process calls (logic for a gateway, repo
//! for logic and task): one balanced gRPC channel whose endpoints follow
//! discovery. Every `discovery.refresh` it lists the role's instances,
//! adds the new ones and removes the gone ones (a killed instance goes
//! when its lease expires). While discovery cannot be reached, the last
//! known set stays. The follower stops by itself once every clone of the
//! channel is dropped.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use ferrochat_ports::discovery::Discovery;
use ferrochat_ports::Readiness;
use tokio::sync::mpsc::Sender;
use tonic::transport::channel::Change;
use tonic::transport::{Channel, Endpoint};

/// Changes waiting for the balancer; more than this means it is stuck.
const CHANGES: usize = 64;

pub(crate) struct Peers {
    role: &'static str,
    channel: Channel,
    /// Instances in the balancer now.
    known: Arc<AtomicUsize>,
}

impl Peers {
    /// Starts following `role` in `discovery`. `connect_timeout` bounds
    /// dialling one instance.
    pub(crate) fn follow(
        role: &'static str,
        discovery: Arc<dyn Discovery>,
        refresh: Duration,
        connect_timeout: Duration,
    ) -> Self {
        let (channel, changes) = Channel::balance_channel(CHANGES);
        let known = Arc::new(AtomicUsize::new(0));
        let follower = Follower {
            role,
            discovery,
            changes,
            refresh,
            connect_timeout,
            known: known.clone(),
        };
        tokio::spawn(follower.run());
        Self {
            role,
            channel,
            known,
        }
    }

    /// The balanced channel; calls wait (up to their own deadline) while
    /// no instance is known.
    pub(crate) fn channel(&self) -> Channel {
        self.channel.clone()
    }

    /// Ready once the balancer has some instance to call.
    pub(crate) fn readiness(&self) -> Arc<dyn Readiness> {
        Arc::new(Known {
            role: self.role,
            known: self.known.clone(),
        })
    }
}

struct Follower {
    role: &'static str,
    discovery: Arc<dyn Discovery>,
    changes: Sender<Change<String, Endpoint>>,
    refresh: Duration,
    connect_timeout: Duration,
    known: Arc<AtomicUsize>,
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
            let now: BTreeMap<String, String> =
                found.into_iter().map(|i| (i.id, i.addr)).collect();
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
                let endpoint = match Endpoint::from_shared(format!("http://{addr}")) {
                    Ok(e) => e.connect_timeout(self.connect_timeout).tcp_nodelay(true),
                    Err(e) => {
                        tracing::warn!(role, id = %id, %addr, error = %e, "unusable address");
                        continue;
                    }
                };
                tracing::info!(role, id = %id, %addr, "instance found");
                if self.changes.send(Change::Insert(id.clone(), endpoint)).await.is_err() {
                    return;
                }
            }
            metrics::gauge!("ferrochat_discovered_instances", "role" => role).set(now.len() as f64);
            self.known.store(now.len(), Ordering::Relaxed);
            known = now;
        }
    }
}

struct Known {
    role: &'static str,
    known: Arc<AtomicUsize>,
}

#[async_trait]
impl Readiness for Known {
    async fn check(&self) -> Result<(), String> {
        match self.known.load(Ordering::Relaxed) {
            0 => Err(format!("no {} instance found", self.role)),
            _ => Ok(()),
        }
    }
}
