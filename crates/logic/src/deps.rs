//! The ports the logic role is given.

use std::sync::Arc;

use ferrochat_ports::{Bus, FanoutLag, Presence, SharedCache, Store};

#[derive(Clone)]
pub struct LogicDeps {
    pub store: Arc<dyn Store>,
    pub bus: Arc<dyn Bus>,
    pub presence: Arc<dyn Presence>,
    /// What the fan-out stages report of their lag; sends to large
    /// conversations are refused while it is over
    /// `messaging.max_fanout_lag`.
    pub lag: Arc<dyn FanoutLag>,
    /// The cache every logic instance shares (a cluster): what can change
    /// is cached there instead of in this process.
    pub cache: Option<Arc<dyn SharedCache>>,
}
