//! Whether a process can serve, dependency by dependency: what `/ready`
//! answers. Each dependency is one named check, so an operator reading
//! the answer sees which one is down, not only the first.

use async_trait::async_trait;

/// One dependency's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What it checks: `store`, `bus`, `redis`, `etcd`, ... (stable: probes
    /// and dashboards match on it).
    pub name: &'static str,
    /// Whether the process counts as unready while this check fails.
    /// False for a dependency it serves without for a while (etcd: peers
    /// keep the instances they last listed), which is still shown.
    pub required: bool,
    /// `Err` says why not.
    pub state: Result<(), String>,
}

impl Check {
    /// `Err` with the reason of the first required check that fails (what
    /// `/ready` answered before it named each check); `Ok` when every
    /// required check holds.
    pub fn verdict(checks: &[Check]) -> Result<(), String> {
        checks
            .iter()
            .filter(|c| c.required)
            .find_map(|c| c.state.clone().err())
            .map_or(Ok(()), Err)
    }
}

#[async_trait]
pub trait Readiness: Send + Sync + 'static {
    /// Every dependency's check, in a fixed order, each answered within a
    /// bounded time (a probe must not hang on a dead server).
    async fn checks(&self) -> Vec<Check>;
}
