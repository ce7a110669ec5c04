//! Discovery: which instances of each role are alive, and where. Static
//! (from config) when roles are wired by hand; etcd leases in a cluster.

use std::time::Duration;

use async_trait::async_trait;

/// A role instance as its peers see it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Instance {
    /// `gateway`, `logic`, `repo` or `task`.
    pub role: String,
    /// Unique among the role's instances.
    pub id: String,
    /// Where peers reach it (`host:port`); empty for a role that serves
    /// nothing to its peers.
    pub addr: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    #[error("discovery unavailable: {0}")]
    Unavailable(String),
    #[error("already registered")]
    AlreadyRegistered,
}

#[async_trait]
pub trait Discovery: Send + Sync + 'static {
    /// Announces this process's instance under a lease of `ttl`, kept
    /// alive until `deregister` (and taken out again if it was lost, say
    /// across a discovery server restart). A process that dies stops
    /// renewing, and its entry goes once `ttl` passes.
    async fn register(&self, instance: Instance, ttl: Duration) -> Result<(), DiscoveryError>;

    /// Takes this process's entry out at once (a clean shutdown).
    async fn deregister(&self) -> Result<(), DiscoveryError>;

    /// The live instances of `role`, in id order.
    async fn instances(&self, role: &str) -> Result<Vec<Instance>, DiscoveryError>;

    /// Whether this process's entry is alive now: registered, and its
    /// lease renewed within its TTL (`/ready`). Answered from what the
    /// renewals found, without a call to the server, so it costs nothing
    /// and cannot hang. Discovery without leases (static) always is.
    fn registration_alive(&self) -> Result<(), DiscoveryError> {
        Ok(())
    }
}
