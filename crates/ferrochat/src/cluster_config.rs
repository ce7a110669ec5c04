//! Configuration read only by the cluster roles (`ferrochat gateway`,
//! `logic`, `repo`, `task`): how they find each other and where each
//! serves its peers and its metrics.

use std::net::SocketAddr;
use std::time::Duration;

use ferrochat_retry::RetryConfig;
use serde::{Deserialize, Serialize};

/// How roles find each other: etcd leases (`etcd_url` set), or the
/// addresses listed here (no etcd: a fixed, hand-wired cluster).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiscoveryConfig {
    /// etcd's client URL, e.g. `http://127.0.0.1:2379`. Unset: the static
    /// lists below.
    pub etcd_url: Option<String>,
    /// Keys live under this prefix, so clusters can share an etcd.
    pub etcd_prefix: String,
    /// How long one call to etcd may take.
    #[serde(with = "humantime_serde")]
    pub etcd_timeout: Duration,
    /// A role's registration outlives its last renewal by this much (it
    /// renews every third of it): a killed process leaves its peers'
    /// view after at most this long.
    #[serde(with = "humantime_serde")]
    pub lease_ttl: Duration,
    /// How often a role looks for peers that came or went.
    #[serde(with = "humantime_serde")]
    pub refresh: Duration,
    /// The host peers use to reach this process. Unset: the IP it bound,
    /// which must then not be a wildcard (0.0.0.0 or ::).
    pub advertise_host: Option<String>,
    /// Without etcd: the logic instances (`host:port`) a gateway calls.
    pub logic: Vec<String>,
    /// Without etcd: the repo instances (`host:port`) for `store.url =
    /// "repo://"`.
    pub repo: Vec<String>,
}

impl Default for DiscoveryConfig {
    fn default() -> Self {
        Self {
            etcd_url: None,
            etcd_prefix: "ferrochat/".to_owned(),
            etcd_timeout: Duration::from_secs(5),
            lease_ttl: Duration::from_secs(10),
            refresh: Duration::from_secs(2),
            advertise_host: None,
            logic: Vec::new(),
            repo: Vec::new(),
        }
    }
}

/// The repo role: the store served over gRPC to logic and task roles.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RepoLinkConfig {
    /// Where the repo role serves gRPC. Port 0 picks a free port.
    pub grpc_listen: SocketAddr,
    /// How long a logic or task role waits for one attempt of a call to
    /// the repo (a call makes more while the repo is unreachable, within
    /// `repo.retry.deadline`).
    #[serde(with = "humantime_serde")]
    pub grpc_timeout: Duration,
    /// A logic or task role's calls to the repo: how long each rides out
    /// a repo that is unreachable (a restart), retrying, and when the
    /// breaker opens so that calls fail at once.
    pub retry: RetryConfig,
}

impl Default for RepoLinkConfig {
    fn default() -> Self {
        Self {
            grpc_listen: SocketAddr::from(([127, 0, 0, 1], 9002)),
            grpc_timeout: Duration::from_secs(5),
            retry: RetryConfig::default(),
        }
    }
}

/// Where a role serves `/metrics`, `/live` and `/ready` when
/// `metrics_listen` is unset: each role its own port, so all of them fit
/// on one machine.
pub fn default_metrics_listen(role: &str) -> SocketAddr {
    let port = match role {
        "gateway" => 8081,
        "logic" => 9101,
        "repo" => 9102,
        _ => 9103,
    };
    SocketAddr::from(([127, 0, 0, 1], port))
}
