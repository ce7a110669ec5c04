//! How far behind delivery is: reported by the stages that fan messages
//! out (the task role), read by logic to slow senders before the lag
//! grows past `messaging.max_fanout_lag`.
//!
//! Each reporter names itself and says how late what it delivers now is,
//! counted from the message's commit. A report lives for its `ttl`, so a
//! reporter that died stops holding senders back. In process for
//! `ferrochat serve`; in Redis in a cluster, where logic and task run in
//! different processes.

use std::time::Duration;

use async_trait::async_trait;

use crate::presence::PresenceError;

#[async_trait]
pub trait FanoutLag: Send + Sync + 'static {
    /// `reporter`'s lag now; forgotten after `ttl` unless reported again.
    async fn report(
        &self,
        reporter: &str,
        lag: Duration,
        ttl: Duration,
    ) -> Result<(), PresenceError>;

    /// The largest lag a reporter reported within its ttl (zero if none).
    async fn current(&self) -> Result<Duration, PresenceError>;
}
