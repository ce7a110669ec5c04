//! Whether a group reader has been given its share of the topic yet.
//!
//! A consumer group hands out partitions some time after a member
//! subscribes (the broker may first wait for more members, and every
//! member that joins makes the others give theirs back and take them
//! again). Until then the records of its topic wait: a logic instance that
//! says it is ready while its group is still forming leaves the first
//! sends unanswered for seconds. `/ready` asks [`Joined`] instead.
//!
//! And which of its assignments a record was read in ([`Epoch`]): an
//! offset is committed only for records of the assignment in force.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rdkafka::consumer::{BaseConsumer, Consumer as _, ConsumerContext, Rebalance};
use rdkafka::ClientContext;

/// The context of every consumer of this adapter: notes the first
/// assignment the group gives it (empty or not: a group with more
/// members than partitions leaves some idle, and they are members all
/// the same).
#[derive(Default)]
pub(crate) struct Membership {
    assigned: Arc<AtomicBool>,
    epoch: Epoch,
}

impl Membership {
    pub(crate) fn epoch(&self) -> &Epoch {
        &self.epoch
    }
}

/// How many times the member's partitions were taken back or given.
///
/// Work on a record may finish after its partition was taken back and
/// given again (logic's pipeline lags its reads by seconds when the bus
/// stalls). Its offset is then no longer the member's to store: librdkafka
/// starts a partition it is given again from the group's committed offset,
/// so the record is read again anyway; and if the broker lost its data
/// meanwhile (one that came back empty), the offset belongs to the old
/// log, and committing it to the new one would skip as many of its
/// records. So each record carries the epoch it was read in, and only
/// those of the current one are stored, under the lock the rebalance
/// takes to move on (`KafkaConsumer::commit_through`).
#[derive(Clone, Default)]
pub(crate) struct Epoch(Arc<Mutex<u64>>);

impl Epoch {
    /// The epoch now, held until the guard drops: no rebalance begins
    /// meanwhile.
    pub(crate) fn hold(&self) -> MutexGuard<'_, u64> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn current(&self) -> u64 {
        *self.hold()
    }

    fn advance(&self) {
        *self.hold() += 1;
    }
}

impl ClientContext for Membership {}

impl ConsumerContext for Membership {
    /// Runs on the polling thread before librdkafka assigns or revokes
    /// (which also forgets offsets stored for the old assignment).
    fn pre_rebalance(&self, _: &BaseConsumer<Self>, _: &Rebalance<'_>) {
        self.epoch.advance();
    }

    fn post_rebalance(&self, _: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if matches!(rebalance, Rebalance::Assign(_)) {
            self.assigned.store(true, Ordering::Release);
        }
    }
}

/// A consumer of this adapter.
pub(crate) type Reader = BaseConsumer<Membership>;

/// Has the group member `inner` leave its group and join it again: its
/// partitions are given afresh, from the offsets the group committed.
/// The caller says why.
pub(crate) fn rejoin(inner: &Reader, topic: &str) {
    inner.unsubscribe();
    if let Err(e) = inner.subscribe(&[topic]) {
        tracing::warn!(%topic, error = %e, "joining the group again failed");
    }
}

/// The group readers a bus made, and whether each has been assigned.
#[derive(Default)]
pub(crate) struct Joined(Mutex<Vec<Arc<AtomicBool>>>);

impl Joined {
    /// A context for a new group reader, counted from now on.
    pub(crate) fn member(&self) -> Membership {
        let membership = Membership::default();
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(membership.assigned.clone());
        membership
    }

    /// Whether there is a group reader and each has had its first
    /// assignment. (A role asked before it made its reader is not ready.)
    pub(crate) fn all(&self) -> bool {
        let members = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        !members.is_empty() && members.iter().all(|a| a.load(Ordering::Acquire))
    }
}
