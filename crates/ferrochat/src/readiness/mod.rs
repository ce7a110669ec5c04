//! Readiness as `/ready` answers it, for `serve` and the cluster roles:
//! one named probe per dependency the process uses (`probes.rs`), all
//! asked at once, each within `PROBE_TIMEOUT`.

mod probes;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use ferrochat_ports::discovery::Discovery;
use ferrochat_ports::{Check, Readiness};

use crate::config::Config;

pub(crate) use probes::{BusHealthy, EtcdRegistered, ReaderJoined, RedisAnswers, StoreReachable};

/// The longest a probe may take. A load balancer's probe has its own
/// timeout (Kubernetes: 1 s by default; the chart sets 3 s), and one dead
/// server must not make the whole answer miss it: a probe still waiting
/// then counts as failed.
pub(crate) const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// One dependency's check.
#[async_trait]
pub(crate) trait Probe: Send + Sync + 'static {
    /// Its name in `/ready` (`Check::name`).
    fn name(&self) -> &'static str;

    /// Whether the process is unready while it fails (`Check::required`).
    fn required(&self) -> bool {
        true
    }

    /// `Err` says why not.
    async fn probe(&self) -> Result<(), String>;
}

/// Every probe of a process, asked concurrently: the answer takes as long
/// as the slowest, at most `PROBE_TIMEOUT`.
pub(crate) struct All(pub(crate) Vec<Arc<dyn Probe>>);

#[async_trait]
impl Readiness for All {
    async fn checks(&self) -> Vec<Check> {
        let asked = self.0.iter().map(|p| async move {
            let state = match tokio::time::timeout(PROBE_TIMEOUT, p.probe()).await {
                Ok(state) => state,
                Err(_) => Err(format!(
                    "{}: no answer within {} s",
                    p.name(),
                    PROBE_TIMEOUT.as_secs()
                )),
            };
            Check {
                name: p.name(),
                required: p.required(),
                state,
            }
        });
        futures::future::join_all(asked).await
    }
}

/// A cluster role's readiness: its own probes, then its registration in
/// etcd when discovery is etcd's.
pub(crate) fn role(
    config: &Config,
    mut probes: Vec<Arc<dyn Probe>>,
    discovery: &Arc<dyn Discovery>,
) -> Arc<dyn Readiness> {
    if config.discovery.etcd_url.is_some() {
        probes.push(Arc::new(EtcdRegistered(discovery.clone())));
    }
    Arc::new(All(probes))
}
