//! Looking users up: profiles, and whether an id names a user, for rules
//! that name another user. Profiles are among the role's `Facts`,
//! forgotten by every profile change.

use std::sync::Arc;

use ferrochat_domain::{User, UserId};
use ferrochat_ports::{ApiError, Store};

use crate::error::store as store_err;
use crate::facts::{keys, Facts};

pub(crate) struct Profiles {
    store: Arc<dyn Store>,
    facts: Arc<Facts>,
}

impl Profiles {
    pub(crate) fn new(store: Arc<dyn Store>, facts: Arc<Facts>) -> Self {
        Self { store, facts }
    }

    pub(crate) async fn get(&self, id: &UserId) -> Result<Option<User>, ApiError> {
        let ttl = self.facts.config.profile_ttl;
        self.facts
            .read(&keys::user(id), keys::PROFILE, ttl, self.store.user(id))
            .await
            .map_err(|e| store_err("reading a user", e))
    }

    /// Whether `id` names a user one may name in a rule (befriend, block,
    /// message, add to a group): registered, and not deleted since.
    pub(crate) async fn exists(&self, id: &UserId) -> Result<bool, ApiError> {
        Ok(self.get(id).await?.is_some_and(|u| !u.deleted))
    }

    /// After `id`'s profile changed in the store, before answering.
    pub(crate) async fn changed(&self, id: &UserId) {
        self.facts.forget(&[&keys::user(id)]).await;
    }
}
