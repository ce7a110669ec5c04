//! `LogicClient::balanced` over real `LogicServer`s on 127.0.0.1:0: calls
//! spread over the instances discovery lists and follow its changes
//! (`set.rs`); a dead or refusing instance is skipped, retried around for
//! idempotent calls only, and its breaker opens (`failures.rs`); a call
//! an instance going away (GOAWAY) refused goes to another, whatever the
//! call (`going_away.rs`); what the metrics show of it (`metrics.rs`);
//! the same with etcd as discovery (`etcd.rs`).

mod etcd;
mod failures;
mod going_away;
mod metrics;
mod set;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use ferrochat_domain::{ErrorKind, UserId};
use ferrochat_ports::discovery::{Discovery, DiscoveryError, Instance};
use ferrochat_ports::{AccountsApi, ApiError};
use ferrochat_rpc::{BalanceConfig, BreakerState, LogicClient};

/// Quick to notice changes and to give a dead instance another chance.
pub fn config() -> BalanceConfig {
    BalanceConfig {
        refresh: Duration::from_millis(50),
        connect_timeout: Duration::from_millis(500),
        call_timeout: Duration::from_secs(3),
        failure_threshold: 2,
        open_for: Duration::from_millis(300),
        retries: 2,
        retry_backoff: Duration::from_millis(10),
        buffer: 256,
    }
}

/// A hang guard for waiting on something that happens in the background.
const PATIENCE: Duration = Duration::from_secs(20);

pub fn logic(id: &str, addr: impl ToString) -> Instance {
    Instance {
        role: "logic".into(),
        id: id.into(),
        addr: addr.to_string(),
    }
}

/// A discovery whose list the test changes, and can make fail.
#[derive(Default)]
pub struct Listed {
    instances: Mutex<Vec<Instance>>,
    failing: Mutex<bool>,
    asked: AtomicUsize,
}

impl Listed {
    pub fn new(instances: Vec<Instance>) -> Arc<Self> {
        let listed = Self::default();
        *listed.instances.lock().unwrap() = instances;
        Arc::new(listed)
    }

    pub fn set(&self, instances: Vec<Instance>) {
        *self.instances.lock().unwrap() = instances;
    }

    pub fn fail(&self, failing: bool) {
        *self.failing.lock().unwrap() = failing;
    }

    pub fn asked(&self) -> usize {
        self.asked.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Discovery for Listed {
    async fn register(&self, _: Instance, _: Duration) -> Result<(), DiscoveryError> {
        Ok(())
    }

    async fn deregister(&self) -> Result<(), DiscoveryError> {
        Ok(())
    }

    async fn instances(&self, role: &str) -> Result<Vec<Instance>, DiscoveryError> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        if *self.failing.lock().unwrap() {
            return Err(DiscoveryError::Unavailable("down for the test".into()));
        }
        let all = self.instances.lock().unwrap().clone();
        Ok(all.into_iter().filter(|i| i.role == role).collect())
    }
}

/// Waits until `done` holds.
pub async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < PATIENCE, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until the client's balanced set is exactly `ids`.
pub async fn instances_are(client: &LogicClient, ids: &[&str]) {
    eventually(&format!("instances {ids:?}"), || {
        client
            .breakers()
            .keys()
            .map(String::as_str)
            .eq(ids.iter().copied())
    })
    .await;
}

/// `n` concurrent `user` calls, an idempotent read the fakes answer with
/// NOT_FOUND. Returns how many were answered; panics on any other end.
pub async fn burst(client: &LogicClient, n: usize) -> usize {
    let calls = (0..n).map(|_| async {
        let who = UserId::generate();
        client.user(&who).await
    });
    for answer in futures::future::join_all(calls).await {
        let e = answer.unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound, "not answered by logic: {e:?}");
    }
    n
}

/// The client saw an instance it could not use, not an answer.
pub fn not_answered(e: &ApiError) -> bool {
    e.kind == ErrorKind::Internal && e.message.starts_with("internal error: logic")
}

pub fn state(client: &LogicClient, id: &str) -> Option<BreakerState> {
    client.breakers().get(id).copied()
}
