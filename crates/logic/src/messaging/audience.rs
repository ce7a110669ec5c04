//! Who a conversation's events go to, cached.
//!
//! Fan-out needs a conversation's members for every message; reading them
//! from the store each time would cost more than the write. The cache is
//! bounded (cleared when full) and invalidated by every membership change
//! this role makes. Large conversations are not listed: the task role pages
//! through them.
//!
//! With several logic instances the lists live in the shared cache
//! (`crate::shared`) under the conversation's key, which
//! `AccessCache::forget_conversation` forgets on every group change.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use ferrochat_domain::{ConversationId, ConversationKind, UserId};
use ferrochat_ports::{Store, StoreError};

use crate::shared::{keys, SharedFacts};

/// Conversations remembered at most; then the cache starts over.
const CAPACITY: usize = 10_000;

#[derive(Debug, Clone)]
pub(crate) enum Audience {
    /// Every member, for conversations up to the fan-out threshold.
    Members(Arc<[UserId]>),
    /// The world room or a group over the threshold.
    Large,
}

pub(crate) struct AudienceCache {
    threshold: usize,
    /// Off: every lookup reads the store (several logic instances).
    enabled: bool,
    map: Mutex<HashMap<ConversationId, Audience>>,
    /// Bumped by every invalidation: a member list read from the store
    /// before an invalidation must not be cached after it.
    generation: AtomicU64,
    /// Set: the lists are cached there instead, whatever `enabled` says.
    shared: Option<Arc<SharedFacts>>,
}

impl AudienceCache {
    pub(crate) fn new(threshold: usize, enabled: bool, shared: Option<Arc<SharedFacts>>) -> Self {
        Self {
            threshold,
            enabled,
            shared,
            map: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
        }
    }

    pub(crate) async fn get(
        &self,
        store: &dyn Store,
        id: &ConversationId,
        kind: ConversationKind,
    ) -> Result<Audience, StoreError> {
        if kind == ConversationKind::World {
            return Ok(Audience::Large);
        }
        if let Some(shared) = &self.shared {
            let ttl = shared.config.conversation_ttl;
            let load = async { self.load(store, id).await.map(Some) };
            let audience = shared
                .read(&keys::conversation(id), keys::AUDIENCE, ttl, load)
                .await?;
            return Ok(audience.unwrap_or(Audience::Large));
        }
        if let Some(a) = self.map.lock().ok().and_then(|m| m.get(id).cloned()) {
            return Ok(a);
        }
        let generation = self.generation.load(Ordering::Acquire);
        let audience = self.load(store, id).await?;
        if !self.enabled {
            return Ok(audience);
        }
        if let Ok(mut m) = self.map.lock() {
            if self.generation.load(Ordering::Acquire) != generation {
                return Ok(audience);
            }
            if m.len() >= CAPACITY {
                m.clear();
            }
            m.insert(id.clone(), audience.clone());
        }
        Ok(audience)
    }

    async fn load(&self, store: &dyn Store, id: &ConversationId) -> Result<Audience, StoreError> {
        let limit = u32::try_from(self.threshold.saturating_add(1)).unwrap_or(u32::MAX);
        let members = store.member_ids(id, None, limit).await?;
        Ok(if members.len() > self.threshold {
            Audience::Large
        } else {
            Audience::Members(members.into())
        })
    }

    pub(crate) fn invalidate(&self, id: &ConversationId) {
        if let Ok(mut m) = self.map.lock() {
            self.generation.fetch_add(1, Ordering::AcqRel);
            m.remove(id);
        }
    }
}
