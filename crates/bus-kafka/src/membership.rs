//! Whether a group reader has been given its share of the topic yet.
//!
//! A consumer group hands out partitions some time after a member
//! subscribes (the broker may first wait for more members, and every
//! member that joins makes the others give theirs back and take them
//! again). Until then the records of its topic wait: a logic instance that
//! says it is ready while its group is still forming leaves the first
//! sends unanswered for seconds. `/ready` asks [`Joined`] instead.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rdkafka::consumer::{BaseConsumer, ConsumerContext, Rebalance};
use rdkafka::ClientContext;

/// The context of every consumer of this adapter: notes the first
/// assignment the group gives it (empty or not: a group with more
/// members than partitions leaves some idle, and they are members all
/// the same).
#[derive(Default)]
pub(crate) struct Membership {
    assigned: Arc<AtomicBool>,
}

impl ClientContext for Membership {}

impl ConsumerContext for Membership {
    fn post_rebalance(&self, _: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if matches!(rebalance, Rebalance::Assign(_)) {
            self.assigned.store(true, Ordering::Release);
        }
    }
}

/// A consumer of this adapter.
pub(crate) type Reader = BaseConsumer<Membership>;

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
