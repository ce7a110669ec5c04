//! Looking users up: profiles, and whether an id names a user, for rules
//! that name another user. In a cluster the profiles are cached in the
//! shared cache and forgotten by every profile change.

use std::sync::Arc;

use ferrochat_domain::{User, UserId};
use ferrochat_ports::{ApiError, Store};

use crate::error::store as store_err;
use crate::shared::{keys, SharedFacts};

pub(crate) struct Profiles {
    store: Arc<dyn Store>,
    shared: Option<Arc<SharedFacts>>,
}

impl Profiles {
    pub(crate) fn new(store: Arc<dyn Store>, shared: Option<Arc<SharedFacts>>) -> Self {
        Self { store, shared }
    }

    pub(crate) async fn get(&self, id: &UserId) -> Result<Option<User>, ApiError> {
        let load = self.store.user(id);
        let user = match &self.shared {
            Some(shared) => {
                let ttl = shared.config.profile_ttl;
                shared.read(&keys::user(id), keys::PROFILE, ttl, load).await
            }
            None => load.await,
        };
        user.map_err(|e| store_err("reading a user", e))
    }

    /// Whether `id` names a registered user.
    pub(crate) async fn exists(&self, id: &UserId) -> Result<bool, ApiError> {
        Ok(self.get(id).await?.is_some())
    }

    /// After `id`'s profile changed in the store, before answering.
    pub(crate) async fn changed(&self, id: &UserId) {
        if let Some(shared) = &self.shared {
            shared.forget(&[&keys::user(id)]).await;
        }
    }
}
