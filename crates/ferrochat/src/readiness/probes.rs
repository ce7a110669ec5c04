//! The probes `/ready` is made of, one per kind of dependency.

use std::sync::Arc;

use async_trait::async_trait;
use ferrochat_ports::discovery::Discovery;
use ferrochat_ports::{Bus, Presence, Store};

use super::Probe;

/// The store answers (`SELECT 1`; for logic and task, through the repo).
pub(crate) struct StoreReachable(pub(crate) Arc<dyn Store>);

#[async_trait]
impl Probe for StoreReachable {
    fn name(&self) -> &'static str {
        "store"
    }

    async fn probe(&self) -> Result<(), String> {
        self.0
            .ping()
            .await
            .map_err(|_| "store unreachable".to_owned())
    }
}

/// The bus takes records: not while its broker refuses them or its
/// producer is being rebuilt after a fatal error.
pub(crate) struct BusHealthy(pub(crate) Arc<dyn Bus>);

#[async_trait]
impl Probe for BusHealthy {
    fn name(&self) -> &'static str {
        "bus"
    }

    async fn probe(&self) -> Result<(), String> {
        if self.0.is_healthy() {
            Ok(())
        } else {
            Err("bus unavailable".to_owned())
        }
    }
}

/// The role's reader of a shared topic (logic's `upstream`, the task
/// role's `task`) has been given its share by the broker: before, the
/// records it is to handle wait (a cluster just started would leave the
/// first sends unanswered for seconds).
pub(crate) struct ReaderJoined(pub(crate) Arc<dyn Bus>);

#[async_trait]
impl Probe for ReaderJoined {
    fn name(&self) -> &'static str {
        "bus_reader"
    }

    async fn probe(&self) -> Result<(), String> {
        if self.0.readers_joined() {
            Ok(())
        } else {
            Err("waiting for the broker to assign this instance its partitions".to_owned())
        }
    }
}

/// Redis answers a PING on the route table's connection: without it no
/// route is read or written, so live deliveries stop.
pub(crate) struct RedisAnswers(pub(crate) Arc<dyn Presence>);

#[async_trait]
impl Probe for RedisAnswers {
    fn name(&self) -> &'static str {
        "redis"
    }

    async fn probe(&self) -> Result<(), String> {
        // The error may quote the server; it never holds the password.
        self.0.ping().await.map_err(|e| e.to_string())
    }
}

/// This process's entry in etcd is alive. Not required: while etcd is
/// away, peers keep the instances they last listed and the role serves
/// on, so an etcd outage alone must not take every instance out of its
/// load balancer; it is shown so an operator sees it.
pub(crate) struct EtcdRegistered(pub(crate) Arc<dyn Discovery>);

#[async_trait]
impl Probe for EtcdRegistered {
    fn name(&self) -> &'static str {
        "etcd"
    }

    fn required(&self) -> bool {
        false
    }

    async fn probe(&self) -> Result<(), String> {
        self.0.registration_alive().map_err(|e| e.to_string())
    }
}
