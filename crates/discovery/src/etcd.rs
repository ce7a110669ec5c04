//! `EtcdDiscovery`: each instance is a key `<prefix><role>/<id>` holding
//! its JSON description, attached to a lease the instance renews every
//! third of its TTL. A process that dies stops renewing and its key goes
//! when the lease expires; one that finds its lease gone (etcd restarted
//! from scratch, or renewals failed for longer than the TTL) takes out a
//! new lease and puts its key again.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use ferrochat_ports::discovery::{Discovery, DiscoveryError, Instance};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::etcd_api::{Credentials, EtcdApi, EtcdTls};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EtcdConfig {
    /// The client URL, e.g. `http://127.0.0.1:2379`; it may name a user
    /// (`https://user:password@etcd:2379`).
    pub url: String,
    /// Keys live under this prefix, so clusters can share an etcd.
    pub prefix: String,
    /// How long a call to etcd may take.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// The etcd user to authenticate as (etcd's auth on); wins over a
    /// user in `url`.
    #[serde(skip)]
    pub user: Option<Credentials>,
    /// For an `https` URL: the CA and a client certificate.
    #[serde(skip)]
    pub tls: Option<EtcdTls>,
}

impl Default for EtcdConfig {
    fn default() -> Self {
        Self {
            url: "http://127.0.0.1:2379".into(),
            prefix: "ferrochat/".into(),
            timeout: Duration::from_secs(5),
            user: None,
            tls: None,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Entry {
    role: String,
    id: String,
    addr: String,
}

struct Registered {
    stop: CancellationToken,
    ttl: Duration,
}

pub struct EtcdDiscovery {
    api: EtcdApi,
    prefix: String,
    registered: Mutex<Option<Registered>>,
    /// Set by the renewal task so `deregister` can revoke the latest lease.
    current_lease: Arc<Mutex<Option<String>>>,
    /// When a lease of ours was last granted or renewed: past its TTL,
    /// etcd has let our entry go (or will as soon as it is back).
    renewed: Arc<Mutex<Option<Instant>>>,
}

impl EtcdDiscovery {
    pub fn new(config: &EtcdConfig) -> Result<Self, DiscoveryError> {
        Ok(Self {
            api: EtcdApi::new(
                &config.url,
                config.timeout,
                config.user.clone(),
                config.tls.as_ref(),
            )?,
            prefix: config.prefix.clone(),
            registered: Mutex::new(None),
            current_lease: Default::default(),
            renewed: Default::default(),
        })
    }

    fn key(&self, role: &str, id: &str) -> String {
        format!("{}{role}/{id}", self.prefix)
    }
}

fn poisoned<T>(_: T) -> DiscoveryError {
    DiscoveryError::Unavailable("discovery lock poisoned".into())
}

/// Takes out a lease and puts the key under it.
async fn announce(
    api: &EtcdApi,
    key: &str,
    value: &[u8],
    ttl: Duration,
) -> Result<String, DiscoveryError> {
    let lease = api.grant(ttl).await?;
    api.put(key, value, &lease).await?;
    Ok(lease)
}

/// Notes that a lease of ours is alive as of now.
fn mark_renewed(renewed: &Mutex<Option<Instant>>) {
    if let Ok(mut r) = renewed.lock() {
        *r = Some(Instant::now());
    }
}

/// Renews the lease every third of `ttl`; announces again if it is gone.
async fn keep_alive(
    api: EtcdApi,
    key: String,
    value: Vec<u8>,
    ttl: Duration,
    current: Arc<Mutex<Option<String>>>,
    renewed: Arc<Mutex<Option<Instant>>>,
    stop: CancellationToken,
) {
    let period = (ttl / 3).max(Duration::from_millis(200));
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        let lease = current.lock().ok().and_then(|l| l.clone());
        let alive = match &lease {
            Some(l) => api.keep_alive(l).await,
            None => Ok(false),
        };
        match alive {
            Ok(true) => mark_renewed(&renewed),
            Ok(false) => {
                tracing::warn!(%key, "discovery lease lost; registering again");
                match announce(&api, &key, &value, ttl).await {
                    Ok(l) => {
                        if let Ok(mut c) = current.lock() {
                            *c = Some(l);
                        }
                        mark_renewed(&renewed);
                    }
                    Err(e) => tracing::warn!(%key, error = %e, "registering again failed"),
                }
            }
            Err(e) => tracing::warn!(%key, error = %e, "renewing the discovery lease failed"),
        }
    }
}

#[async_trait]
impl Discovery for EtcdDiscovery {
    async fn register(&self, instance: Instance, ttl: Duration) -> Result<(), DiscoveryError> {
        if self.registered.lock().map_err(poisoned)?.is_some() {
            return Err(DiscoveryError::AlreadyRegistered);
        }
        let key = self.key(&instance.role, &instance.id);
        let value = serde_json::to_vec(&Entry {
            role: instance.role,
            id: instance.id,
            addr: instance.addr,
        })
        .map_err(|e| DiscoveryError::Unavailable(e.to_string()))?;
        let lease = announce(&self.api, &key, &value, ttl).await?;
        *self.current_lease.lock().map_err(poisoned)? = Some(lease);
        mark_renewed(&self.renewed);
        let stop = CancellationToken::new();
        tokio::spawn(keep_alive(
            self.api.clone(),
            key,
            value,
            ttl,
            self.current_lease.clone(),
            self.renewed.clone(),
            stop.clone(),
        ));
        *self.registered.lock().map_err(poisoned)? = Some(Registered { stop, ttl });
        Ok(())
    }

    async fn deregister(&self) -> Result<(), DiscoveryError> {
        let Some(r) = self.registered.lock().map_err(poisoned)?.take() else {
            return Ok(());
        };
        r.stop.cancel();
        let lease = self.current_lease.lock().map_err(poisoned)?.take();
        match lease {
            Some(l) => self.api.revoke(&l).await,
            None => Ok(()),
        }
    }

    async fn instances(&self, role: &str) -> Result<Vec<Instance>, DiscoveryError> {
        let prefix = format!("{}{role}/", self.prefix);
        let mut out = Vec::new();
        for value in self.api.values_under(&prefix).await? {
            match serde_json::from_slice::<Entry>(&value) {
                Ok(e) => out.push(Instance {
                    role: e.role,
                    id: e.id,
                    addr: e.addr,
                }),
                Err(e) => tracing::warn!(%prefix, error = %e, "unreadable discovery entry skipped"),
            }
        }
        out.sort();
        Ok(out)
    }

    fn registration_alive(&self) -> Result<(), DiscoveryError> {
        let ttl = match &*self.registered.lock().map_err(poisoned)? {
            Some(r) => r.ttl,
            None => return Err(DiscoveryError::Unavailable("not registered".into())),
        };
        let renewed = *self.renewed.lock().map_err(poisoned)?;
        match renewed.map(|at| at.elapsed()) {
            Some(age) if age <= ttl => Ok(()),
            Some(age) => Err(DiscoveryError::Unavailable(format!(
                "lease not renewed for {} s (ttl {} s): etcd unreachable",
                age.as_secs(),
                ttl.as_secs()
            ))),
            None => Err(DiscoveryError::Unavailable("no lease yet".into())),
        }
    }
}

impl Drop for EtcdDiscovery {
    /// Renewals stop; the entry goes when its lease expires.
    fn drop(&mut self) {
        if let Ok(mut r) = self.registered.lock() {
            if let Some(r) = r.take() {
                r.stop.cancel();
            }
        }
    }
}
