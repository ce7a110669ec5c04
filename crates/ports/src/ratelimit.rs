//! The per-user send limit: a token bucket per user. In process when
//! embedded; in Redis in a cluster, so a user on several gateways (several
//! devices) has one budget, not one per gateway.

use async_trait::async_trait;
use ferrochat_domain::UserId;

#[derive(Debug, Clone, thiserror::Error)]
pub enum RateLimitError {
    /// The shared bucket could not be read (Redis down or slow).
    #[error("rate limiter unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait RateLimiter: Send + Sync + 'static {
    /// True if `user` may send now (and takes one token); false if the
    /// bucket is empty.
    async fn allow(&self, user: &UserId) -> Result<bool, RateLimitError>;

    /// Drops in-process buckets that are full again (called periodically);
    /// a shared bucket expires on its own, so by default nothing.
    fn forget_idle(&self) {}
}
