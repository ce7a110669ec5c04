//! Configuration read only by the cluster roles (`ferrochat gateway`,
//! `logic`, `repo`, `task`): how they find each other and where each
//! serves its peers and its metrics.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use ferrochat_retry::RetryConfig;
use serde::{Deserialize, Serialize};

/// How roles find each other: etcd leases (`etcd_url` set), or the
/// addresses listed here (no etcd: a fixed, hand-wired cluster).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiscoveryConfig {
    /// etcd's client URL, e.g. `https://etcd:2379`; it may name a user
    /// (`https://user:password@etcd:2379`, prints redacted). Unset: the
    /// static lists below.
    #[serde(serialize_with = "redacted_url")]
    pub etcd_url: Option<String>,
    /// The etcd user (etcd's auth on), if not in `etcd_url`; its
    /// password from `etcd_password` or `etcd_password_file` (one
    /// trailing newline ignored).
    pub etcd_username: Option<String>,
    #[serde(serialize_with = "redacted")]
    pub etcd_password: Option<String>,
    pub etcd_password_file: Option<PathBuf>,
    /// `https` etcd: the CA its certificate chains to (PEM). Unset: the
    /// system's roots.
    pub etcd_ca_file: Option<PathBuf>,
    /// `https` etcd with `--client-cert-auth`: this process's certificate
    /// and key (PEM).
    pub etcd_cert_file: Option<PathBuf>,
    pub etcd_key_file: Option<PathBuf>,
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
            etcd_username: None,
            etcd_password: None,
            etcd_password_file: None,
            etcd_ca_file: None,
            etcd_cert_file: None,
            etcd_key_file: None,
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

impl DiscoveryConfig {
    /// Rules serde cannot express: `Err((key, why))`.
    pub fn check(&self) -> Result<(), (&'static str, &'static str)> {
        if self.etcd_password.is_some() && self.etcd_password_file.is_some() {
            return Err((
                "discovery.etcd_password_file",
                "set etcd_password or etcd_password_file, not both",
            ));
        }
        let password = self.etcd_password.is_some() || self.etcd_password_file.is_some();
        if password != self.etcd_username.is_some() {
            return Err((
                "discovery.etcd_username",
                "etcd_username and a password (etcd_password or etcd_password_file) go together",
            ));
        }
        if self.etcd_cert_file.is_some() != self.etcd_key_file.is_some() {
            return Err((
                "discovery.etcd_cert_file",
                "etcd_cert_file and etcd_key_file go together",
            ));
        }
        let tls_files = self.etcd_ca_file.is_some() || self.etcd_cert_file.is_some();
        if tls_files
            && !self
                .etcd_url
                .as_deref()
                .is_some_and(|u| u.starts_with("https://"))
        {
            return Err((
                "discovery.etcd_url",
                "etcd TLS files are set, so it must be an https:// URL",
            ));
        }
        Ok(())
    }
}

fn redacted<S: serde::Serializer>(v: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(_) => s.serialize_some("[redacted]"),
        None => s.serialize_none(),
    }
}

/// A URL prints whole unless it holds a user (and so maybe a password).
fn redacted_url<S: serde::Serializer>(v: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(url) if url.contains('@') => s.serialize_some("[redacted]"),
        other => other.serialize(s),
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

/// Mutual TLS between the cluster roles (`[internal_tls]`): each role's
/// certificate names `<role>.<trust_domain>` (a DNS subject alternative
/// name) and comes from the cluster's CA; logic accepts only gateways,
/// the repo only logic and task. `ferrochat certs` makes a CA and the
/// four role certificates for a local or test cluster. All three files,
/// or none.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InternalTlsConfig {
    /// The CA certificate(s) every role trusts (PEM).
    pub ca_file: Option<PathBuf>,
    /// This role's certificate (PEM; intermediates after it).
    pub cert_file: Option<PathBuf>,
    /// This role's private key (PEM: PKCS#8, SEC1 or PKCS#1).
    pub key_file: Option<PathBuf>,
    /// The cluster's own name space: `logic.<trust_domain>`, ... Give
    /// each cluster its own if several share a CA.
    pub trust_domain: String,
}

impl Default for InternalTlsConfig {
    fn default() -> Self {
        Self {
            ca_file: None,
            cert_file: None,
            key_file: None,
            trust_domain: ferrochat_rpc::tls::DEFAULT_TRUST_DOMAIN.to_owned(),
        }
    }
}

impl InternalTlsConfig {
    /// The three files, if all are set; `Err` names what is missing when
    /// only some are.
    pub fn files(&self) -> Result<Option<[&PathBuf; 3]>, &'static str> {
        match (&self.ca_file, &self.cert_file, &self.key_file) {
            (Some(ca), Some(cert), Some(key)) => Ok(Some([ca, cert, key])),
            (None, None, None) => Ok(None),
            _ => Err("ca_file, cert_file and key_file go together: set all three, or none"),
        }
    }
}
