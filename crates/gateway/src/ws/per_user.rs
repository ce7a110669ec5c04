//! Each user's open WebSockets, against `gateway.ws.max_per_user`: one
//! token must not open a thousand sockets. A place is taken before the
//! upgrade and given back when the session ends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ferrochat_domain::UserId;

pub(crate) struct PerUser {
    max: usize,
    open: Mutex<HashMap<UserId, usize>>,
}

/// One open WebSocket's place; dropping it gives the place back.
pub(crate) struct Place {
    owner: Arc<PerUser>,
    user: UserId,
}

impl PerUser {
    pub(crate) fn new(max: usize) -> Self {
        Self {
            max: max.max(1),
            open: Mutex::new(HashMap::new()),
        }
    }

    /// A place for one more socket of `user`, if they have fewer than the
    /// most.
    pub(crate) fn take(self: &Arc<Self>, user: &UserId) -> Option<Place> {
        let mut open = self.open.lock().ok()?;
        let n = open.entry(user.clone()).or_insert(0);
        if *n >= self.max {
            return None;
        }
        *n += 1;
        Some(Place {
            owner: self.clone(),
            user: user.clone(),
        })
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        if let Ok(mut open) = self.owner.open.lock() {
            if let Some(n) = open.get_mut(&self.user) {
                *n -= 1;
                if *n == 0 {
                    open.remove(&self.user);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_gets_at_most_max_places_and_a_freed_one_comes_back() {
        let per = Arc::new(PerUser::new(2));
        let (a, b) = (UserId::generate(), UserId::generate());
        let first = per.take(&a).unwrap();
        let _second = per.take(&a).unwrap();
        assert!(per.take(&a).is_none());
        assert!(per.take(&b).is_some(), "users are counted apart");
        drop(first);
        assert!(per.take(&a).is_some());
    }
}
