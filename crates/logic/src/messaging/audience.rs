//! Who a conversation's events go to, cached.
//!
//! Fan-out needs a conversation's members for every message; reading them
//! from the store each time would cost more than the write. The list is
//! one of the role's `Facts`, under the conversation's key, which
//! `AccessCache::forget_conversation` forgets on every group change.
//! Large conversations are not listed: the task role pages through them.

use std::sync::Arc;

use ferrochat_domain::{ConversationId, ConversationKind, UserId};
use ferrochat_ports::{Store, StoreError};

use crate::facts::{keys, Facts};

#[derive(Debug, Clone)]
pub(crate) enum Audience {
    /// Every member, for conversations up to the fan-out threshold.
    Members(Arc<[UserId]>),
    /// The world room or a group over the threshold.
    Large,
}

pub(crate) struct AudienceCache {
    threshold: usize,
    facts: Arc<Facts>,
}

impl AudienceCache {
    pub(crate) fn new(threshold: usize, facts: Arc<Facts>) -> Self {
        Self { threshold, facts }
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
        let ttl = self.facts.config.conversation_ttl;
        let load = async { self.load(store, id).await.map(Some) };
        let audience = self
            .facts
            .read(&keys::conversation(id), keys::AUDIENCE, ttl, load)
            .await?;
        Ok(audience.unwrap_or(Audience::Large))
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
}
