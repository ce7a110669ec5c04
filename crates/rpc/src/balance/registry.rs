//! What the client knows of the balanced set outside the balancer (which
//! owns the services): each instance's breaker, and whether discovery has
//! answered yet, so a call with no instance to go to fails at once rather
//! than wait out its deadline in the queue.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::breaker::BreakerState;
use super::breaking::Shared;

#[derive(Default)]
pub(crate) struct Registry {
    breakers: Mutex<BTreeMap<String, Arc<Shared>>>,
    answered: AtomicBool,
}

impl Registry {
    // Inserts and removes are single map operations: a poisoned map is
    // still consistent.
    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Arc<Shared>>> {
        self.breakers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn insert(&self, id: &str, shared: Arc<Shared>) {
        self.lock().insert(id.to_owned(), shared);
    }

    pub(crate) fn remove(&self, id: &str) {
        self.lock().remove(id);
    }

    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    pub(crate) fn answered(&self) {
        self.answered.store(true, Ordering::Release);
    }

    /// Discovery answered, and every instance it listed (if any) has its
    /// breaker open and cooling down.
    pub(crate) fn none_available(&self) -> bool {
        self.answered.load(Ordering::Acquire) && self.lock().values().all(|b| b.refusing())
    }

    pub(crate) fn states(&self) -> BTreeMap<String, BreakerState> {
        self.lock()
            .iter()
            .map(|(id, shared)| (id.clone(), shared.state()))
            .collect()
    }
}
