//! What the gateway is given (`GatewayDeps`) and shares with its handlers.

use std::sync::Arc;

use ferrochat_ports::{AccountsApi, Readiness};

use crate::config::GatewayConfig;
use crate::ratelimit::IpLimiter;

/// Renders the process's metrics in Prometheus text format.
pub type MetricsRender = Arc<dyn Fn() -> String + Send + Sync>;

/// The ports the gateway talks to. Embedded, these are the logic role
/// itself; in a cluster, gRPC clients.
#[derive(Clone)]
pub struct GatewayDeps {
    pub accounts: Arc<dyn AccountsApi>,
    pub readiness: Arc<dyn Readiness>,
    pub metrics: MetricsRender,
}

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) deps: GatewayDeps,
    pub(crate) auth_limiter: Arc<IpLimiter>,
    pub(crate) config: Arc<GatewayConfig>,
}
