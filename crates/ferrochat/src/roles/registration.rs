//! This process's entry in discovery: announced before the role serves,
//! kept alive by the discovery adapter, taken out first on a clean stop.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use ferrochat_ports::discovery::{Discovery, Instance};

#[derive(Clone)]
pub(super) struct Registration {
    discovery: Arc<dyn Discovery>,
}

impl Registration {
    pub(super) async fn start(
        discovery: Arc<dyn Discovery>,
        instance: Instance,
        ttl: Duration,
    ) -> anyhow::Result<Self> {
        tracing::info!(role = %instance.role, id = %instance.id, addr = %instance.addr, ?ttl, "registering");
        discovery
            .register(instance, ttl)
            .await
            .context("registering in discovery (discovery.etcd_url)")?;
        Ok(Self { discovery })
    }

    /// Takes the entry out; a failure only delays peers until the lease
    /// expires, so it is logged, not returned.
    pub(super) async fn stop(&self) {
        if let Err(e) = self.discovery.deregister().await {
            tracing::warn!(error = %e, "deregistering failed; the lease will expire");
        }
    }
}
