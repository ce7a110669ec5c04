//! Readiness checks shared by `serve` and the cluster roles.

use std::sync::Arc;

use async_trait::async_trait;
use ferrochat_ports::{Bus, Readiness, Store};

/// Ready while the store answers.
pub(crate) struct StoreReachable(pub(crate) Arc<dyn Store>);

#[async_trait]
impl Readiness for StoreReachable {
    async fn check(&self) -> Result<(), String> {
        self.0
            .ping()
            .await
            .map_err(|_| "store unreachable".to_owned())
    }
}

/// Ready while the bus takes records: not while its broker refuses them
/// or its producer is being rebuilt after a fatal error.
pub(crate) struct BusHealthy(pub(crate) Arc<dyn Bus>);

#[async_trait]
impl Readiness for BusHealthy {
    async fn check(&self) -> Result<(), String> {
        if self.0.is_healthy() {
            Ok(())
        } else {
            Err("bus unavailable".to_owned())
        }
    }
}

/// Ready once the role's reader of a shared topic (logic's `upstream`,
/// the task role's `task`) has been given its share by the broker: before,
/// the records it is to handle wait (a cluster just started would leave
/// the first sends unanswered for seconds).
pub(crate) struct ReaderJoined(pub(crate) Arc<dyn Bus>);

#[async_trait]
impl Readiness for ReaderJoined {
    async fn check(&self) -> Result<(), String> {
        if self.0.readers_joined() {
            Ok(())
        } else {
            Err("waiting for the broker to assign this instance its partitions".to_owned())
        }
    }
}

/// Ready when every one of them is; the first that is not says why.
pub(crate) struct All(pub(crate) Vec<Arc<dyn Readiness>>);

#[async_trait]
impl Readiness for All {
    async fn check(&self) -> Result<(), String> {
        for r in &self.0 {
            r.check().await?;
        }
        Ok(())
    }
}
