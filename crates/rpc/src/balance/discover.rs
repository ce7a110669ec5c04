//! The balancer's endpoint set, fed from discovery: a task asks for the
//! logic instances every `refresh` and sends `Change::Insert(id, service)`
//! for each new one (or one whose address changed) and `Change::Remove(id)`
//! for each one gone (an instance whose lease expired leaves etcd).
//!
//! A failed or slow answer keeps the last known set: discovery being down
//! says nothing about the instances. The task ends when the balancer is
//! dropped with the last client.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;

use ferrochat_ports::discovery::{Discovery, Instance};
use futures::Stream;
use tokio::sync::mpsc;
use tower::discover::Change;

use super::config::BalanceConfig;
use super::instance::{self, InstanceService};
use super::metrics;
use super::registry::Registry;
use crate::tls::ClientTls;

const ROLE: &str = "logic";
/// Changes the balancer has not taken yet; the task waits beyond it.
const PENDING_CHANGES: usize = 64;

pub(crate) type Changes =
    Box<dyn Stream<Item = Result<Change<String, InstanceService>, Infallible>> + Send + Unpin>;

/// Starts the task; the balancer reads its changes from the stream.
pub(crate) fn spawn(
    discovery: Arc<dyn Discovery>,
    config: BalanceConfig,
    tls: Option<ClientTls>,
    registry: Arc<Registry>,
) -> Changes {
    let (tx, mut rx) = mpsc::channel(PENDING_CHANGES);
    tokio::spawn(run(discovery, config, tls, registry, tx));
    Box::new(futures::stream::poll_fn(move |cx| {
        rx.poll_recv(cx).map(|change| change.map(Ok))
    }))
}

type Sender = mpsc::Sender<Change<String, InstanceService>>;

async fn run(
    discovery: Arc<dyn Discovery>,
    config: BalanceConfig,
    tls: Option<ClientTls>,
    registry: Arc<Registry>,
    tx: Sender,
) {
    // id -> address of the instances the balancer has.
    let mut known = BTreeMap::new();
    loop {
        // An answer slower than the refresh is as good as none.
        match tokio::time::timeout(config.refresh, discovery.instances(ROLE)).await {
            Ok(Ok(listed)) => {
                if apply(&mut known, &listed, &config, tls.as_ref(), &registry, &tx)
                    .await
                    .is_err()
                {
                    return; // the balancer is gone
                }
                registry.answered();
            }
            Ok(Err(e)) => {
                metrics::discovery_error();
                tracing::warn!(error = %e, "logic instances unknown; keeping the last known set");
            }
            Err(_) => {
                metrics::discovery_error();
                tracing::warn!(
                    "discovery did not answer within {:?}; keeping the last known set",
                    config.refresh
                );
            }
        }
        tokio::select! {
            () = tokio::time::sleep(config.refresh) => {}
            () = tx.closed() => return,
        }
    }
}

/// The last client was dropped, and the balancer with it.
struct BalancerGone;

/// Brings the balancer from `known` to `listed`.
async fn apply(
    known: &mut BTreeMap<String, String>,
    listed: &[Instance],
    config: &BalanceConfig,
    tls: Option<&ClientTls>,
    registry: &Registry,
    tx: &Sender,
) -> Result<(), BalancerGone> {
    let (gone, new) = diff(known, listed);
    for id in gone {
        tx.send(Change::Remove(id.clone()))
            .await
            .map_err(|_| BalancerGone)?;
        // After the send: once the registry says it is gone, the next
        // call's balancer has the removal in hand.
        registry.remove(&id);
        known.remove(&id);
        tracing::info!(instance = %id, "logic instance left");
    }
    for instance in new {
        // Known even if unusable, so a bad address is reported once.
        known.insert(instance.id.clone(), instance.addr.clone());
        let (service, breaker) = match instance::connect(instance, config, tls) {
            Ok(connected) => connected,
            Err(e) => {
                metrics::discovery_error();
                tracing::warn!(instance = %instance.id, addr = %instance.addr, error = %e, "logic instance has an unusable address");
                continue;
            }
        };
        tx.send(Change::Insert(instance.id.clone(), service))
            .await
            .map_err(|_| BalancerGone)?;
        registry.insert(&instance.id, breaker);
        tracing::info!(instance = %instance.id, addr = %instance.addr, "logic instance joined");
    }
    metrics::instances(registry.len());
    Ok(())
}

/// The ids to remove, and the instances to insert: new ids, and known ids
/// at a new address (a restart elsewhere; the insert replaces the old).
fn diff<'a>(
    known: &BTreeMap<String, String>,
    listed: &'a [Instance],
) -> (Vec<String>, Vec<&'a Instance>) {
    let listed_ids: BTreeMap<&str, &Instance> = listed.iter().map(|i| (i.id.as_str(), i)).collect();
    let gone = known
        .keys()
        .filter(|id| !listed_ids.contains_key(id.as_str()))
        .cloned()
        .collect();
    let new = listed_ids
        .into_values()
        .filter(|i| known.get(&i.id) != Some(&i.addr))
        .collect();
    (gone, new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logic(id: &str, addr: &str) -> Instance {
        Instance {
            role: ROLE.into(),
            id: id.into(),
            addr: addr.into(),
        }
    }

    fn known(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(id, addr)| ((*id).to_owned(), (*addr).to_owned()))
            .collect()
    }

    #[test]
    fn new_instances_are_inserted_and_missing_ones_removed() {
        let listed = [logic("b", "h:2"), logic("c", "h:3")];
        let (gone, new) = diff(&known(&[("a", "h:1"), ("b", "h:2")]), &listed);
        assert_eq!(gone, vec!["a".to_owned()]);
        assert_eq!(new, vec![&listed[1]]);
    }

    #[test]
    fn a_moved_instance_is_inserted_again() {
        let listed = [logic("a", "h:9")];
        let (gone, new) = diff(&known(&[("a", "h:1")]), &listed);
        assert!(gone.is_empty());
        assert_eq!(new, vec![&listed[0]]);
    }

    #[test]
    fn an_unchanged_set_changes_nothing_and_an_empty_one_removes_all() {
        let listed = [logic("a", "h:1")];
        let (gone, new) = diff(&known(&[("a", "h:1")]), &listed);
        assert!(gone.is_empty() && new.is_empty());
        let (gone, new) = diff(&known(&[("a", "h:1"), ("b", "h:2")]), &[]);
        assert_eq!(gone, vec!["a".to_owned(), "b".to_owned()]);
        assert!(new.is_empty());
    }
}
