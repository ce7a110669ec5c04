//! What every send is checked against, cached in logic.
//!
//! Without it each send read the conversation, the membership and the
//! block (and friend) relation from the store, twice (the gateway's
//! `resolve_target` and the pipeline's check), and resolved its target
//! (peer or group to conversation) too: each read a hop to the store's
//! worker thread and back, which was most of a send's cost.
//!
//! Facts that can change (a conversation closed by dissolution, a
//! membership and its mute, blocks, friendships) are forgotten by the
//! code that changes them, right after the store write and before that
//! request is answered: `forget_conversation` where the audience cache is
//! invalidated (every group change), `forget_pair` on every block and
//! friendship change. A read that began before a forget is not cached
//! after it (the generation check), so a kicked, muted or blocked user is
//! refused from the next send on. Mute expiry needs no forget: the cached
//! `muted_until` is compared with the clock at each check.
//!
//! Facts that never change once true (a pair's single conversation, a
//! group's conversation) are cached without invalidation. Negative
//! answers for conversations and memberships are not cached: ids are
//! random, so they would only let a caller fill the cache.
//!
//! With several logic instances (a cluster) the facts that can change
//! live in the shared cache instead (`crate::shared`, Redis), where a
//! forget by one instance is seen by all; the in-process tables then hold
//! only what never changes.

use std::sync::{Arc, Mutex, MutexGuard};

use ferrochat_domain::{ConversationId, ConversationKind, GroupId, Timestamp, UserId};
use ferrochat_ports::store::ConversationRecord;
use ferrochat_ports::{Store, StoreError};

use super::bounded::Nested;
use crate::shared::{keys, SharedFacts};

/// Entries each table holds at most; a full table starts over.
const CAPACITY: usize = 50_000;

/// What a send's check needs of a conversation.
#[derive(Debug, Clone)]
pub(crate) struct ConvMeta {
    pub(crate) kind: ConversationKind,
    pub(crate) pair: Option<(UserId, UserId)>,
    pub(crate) closed: bool,
}

impl ConvMeta {
    pub(crate) fn peer_of(&self, me: &UserId) -> Option<&UserId> {
        let (a, b) = self.pair.as_ref()?;
        Some(if a == me { b } else { a })
    }
}

impl From<ConversationRecord> for ConvMeta {
    fn from(r: ConversationRecord) -> Self {
        Self {
            kind: r.kind,
            pair: r.pair,
            closed: r.closed,
        }
    }
}

/// A member's state as a send sees it: muted until when, if at all.
pub(crate) type MemberState = Option<Timestamp>;

struct Tables {
    /// Bumped by every forget: a store read that began before a forget
    /// must not be cached after it.
    generation: u64,
    conversations: Nested<ConversationId, (), ConvMeta>,
    members: Nested<ConversationId, UserId, MemberState>,
    /// blocker -> blocked -> is blocked.
    blocked: Nested<UserId, UserId, bool>,
    /// lower id -> higher id -> are friends.
    friends: Nested<UserId, UserId, bool>,
    /// lower id -> higher id -> their single conversation.
    singles: Nested<UserId, UserId, ConversationId>,
    groups: Nested<GroupId, (), ConversationId>,
}

pub(crate) struct AccessCache {
    tables: Mutex<Tables>,
    /// Off: what can change is not cached in this process (several logic
    /// instances); what never changes is still cached.
    mutable: bool,
    /// Set: what can change is cached there, shared with the other logic
    /// instances, whatever `mutable` says.
    shared: Option<Arc<SharedFacts>>,
}

impl Default for AccessCache {
    fn default() -> Self {
        Self::new(true, None)
    }
}

impl AccessCache {
    pub(crate) fn new(mutable: bool, shared: Option<Arc<SharedFacts>>) -> Self {
        Self {
            mutable,
            shared,
            tables: Mutex::new(Tables {
                generation: 0,
                conversations: Nested::new(CAPACITY),
                members: Nested::new(CAPACITY),
                blocked: Nested::new(CAPACITY),
                friends: Nested::new(CAPACITY),
                singles: Nested::new(CAPACITY),
                groups: Nested::new(CAPACITY),
            }),
        }
    }
}

fn ordered<'a>(a: &'a UserId, b: &'a UserId) -> (&'a UserId, &'a UserId) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

impl AccessCache {
    /// The tables, or none if a panic poisoned them: then every lookup
    /// misses and goes to the store, which is slower but never wrong.
    fn tables(&self) -> Option<MutexGuard<'_, Tables>> {
        self.tables.lock().ok()
    }

    fn generation(&self) -> Option<u64> {
        self.tables().map(|t| t.generation)
    }

    /// Runs `fill` unless a forget happened since `generation` was read,
    /// or caching what can change is off. (Only facts that can change are
    /// filled this way.)
    fn fill(&self, generation: Option<u64>, fill: impl FnOnce(&mut Tables)) {
        if !self.mutable {
            return;
        }
        if let Some(mut t) = self.tables() {
            if Some(t.generation) == generation {
                fill(&mut t);
            }
        }
    }

    /// In process only (`conversation_and_member` reads the shared cache).
    async fn conversation(
        &self,
        store: &dyn Store,
        id: &ConversationId,
    ) -> Result<Option<ConvMeta>, StoreError> {
        if let Some(m) = self.tables().and_then(|t| t.conversations.get(id, &())) {
            return Ok(Some(m));
        }
        let generation = self.generation();
        let Some(meta) = store.conversation(id).await?.map(ConvMeta::from) else {
            return Ok(None);
        };
        self.fill(generation, |t| {
            t.conversations.insert(id.clone(), (), meta.clone());
        });
        Ok(Some(meta))
    }

    /// `conversation` and `member` at once: in the shared cache both are
    /// fields of the conversation's key, read in one round trip.
    pub(crate) async fn conversation_and_member(
        &self,
        store: &dyn Store,
        id: &ConversationId,
        who: &UserId,
    ) -> Result<(Option<ConvMeta>, Option<MemberState>), StoreError> {
        let Some(shared) = &self.shared else {
            let conv = self.conversation(store, id).await?;
            let member = match conv {
                Some(_) => self.member(store, id, who).await?,
                None => None,
            };
            return Ok((conv, member));
        };
        let field = keys::member_field(who);
        shared
            .read_two(
                &keys::conversation(id),
                [keys::META, &field],
                shared.config.conversation_ttl,
                async { Ok(store.conversation(id).await?.map(ConvMeta::from)) },
                async { Ok(store.member(id, who).await?.map(|m| m.muted_until)) },
            )
            .await
    }

    /// `None` if `who` is not a member. In process only.
    async fn member(
        &self,
        store: &dyn Store,
        id: &ConversationId,
        who: &UserId,
    ) -> Result<Option<MemberState>, StoreError> {
        if let Some(m) = self.tables().and_then(|t| t.members.get(id, who)) {
            return Ok(Some(m));
        }
        let generation = self.generation();
        let Some(state) = store.member(id, who).await?.map(|m| m.muted_until) else {
            return Ok(None);
        };
        self.fill(generation, |t| {
            t.members.insert(id.clone(), who.clone(), state)
        });
        Ok(Some(state))
    }

    pub(crate) async fn is_blocked(
        &self,
        store: &dyn Store,
        blocker: &UserId,
        blocked: &UserId,
    ) -> Result<bool, StoreError> {
        if let Some(shared) = &self.shared {
            let ttl = shared.config.pair_ttl;
            let load = async { store.is_blocked(blocker, blocked).await.map(Some) };
            let field = keys::blocks_field(blocker);
            let b = shared
                .read(&keys::pair(blocker, blocked), &field, ttl, load)
                .await?;
            return Ok(b.unwrap_or(false));
        }
        if let Some(b) = self.tables().and_then(|t| t.blocked.get(blocker, blocked)) {
            return Ok(b);
        }
        let generation = self.generation();
        let b = store.is_blocked(blocker, blocked).await?;
        self.fill(generation, |t| {
            t.blocked.insert(blocker.clone(), blocked.clone(), b);
        });
        Ok(b)
    }

    pub(crate) async fn are_friends(
        &self,
        store: &dyn Store,
        a: &UserId,
        b: &UserId,
    ) -> Result<bool, StoreError> {
        if let Some(shared) = &self.shared {
            let ttl = shared.config.pair_ttl;
            let load = async { store.are_friends(a, b).await.map(Some) };
            let f = shared
                .read(&keys::pair(a, b), keys::FRIENDS, ttl, load)
                .await?;
            return Ok(f.unwrap_or(false));
        }
        let (lo, hi) = ordered(a, b);
        if let Some(f) = self.tables().and_then(|t| t.friends.get(lo, hi)) {
            return Ok(f);
        }
        let generation = self.generation();
        let f = store.are_friends(a, b).await?;
        self.fill(generation, |t| t.friends.insert(lo.clone(), hi.clone(), f));
        Ok(f)
    }

    /// The single conversation of `a` and `b`, if this process has seen it.
    pub(crate) fn single(&self, a: &UserId, b: &UserId) -> Option<ConversationId> {
        let (lo, hi) = ordered(a, b);
        self.tables().and_then(|t| t.singles.get(lo, hi))
    }

    /// A pair's single conversation never changes once opened.
    pub(crate) fn remember_single(&self, a: &UserId, b: &UserId, id: &ConversationId) {
        let (lo, hi) = ordered(a, b);
        if let Some(mut t) = self.tables() {
            t.singles.insert(lo.clone(), hi.clone(), id.clone());
        }
    }

    pub(crate) fn group_conversation(&self, group: &GroupId) -> Option<ConversationId> {
        self.tables().and_then(|t| t.groups.get(group, &()))
    }

    /// A group's conversation never changes (a dissolved group keeps it,
    /// closed, and the check refuses it by `ConvMeta::closed`).
    pub(crate) fn remember_group(&self, group: &GroupId, id: &ConversationId) {
        if let Some(mut t) = self.tables() {
            t.groups.insert(group.clone(), (), id.clone());
        }
    }

    /// After any change to a conversation or its members (join, leave,
    /// kick, role, mute, transfer, dissolution). In the shared cache this
    /// also forgets the conversation's member list (`AudienceCache`).
    pub(crate) async fn forget_conversation(&self, id: &ConversationId) {
        if let Some(mut t) = self.tables() {
            t.generation = t.generation.wrapping_add(1);
            t.conversations.remove_all(id);
            t.members.remove_all(id);
        }
        if let Some(shared) = &self.shared {
            shared.forget(&[&keys::conversation(id)]).await;
        }
    }

    /// After any change to what `a` and `b` are to each other (a block
    /// either way, a friendship made or ended).
    pub(crate) async fn forget_pair(&self, a: &UserId, b: &UserId) {
        if let Some(mut t) = self.tables() {
            t.generation = t.generation.wrapping_add(1);
            t.blocked.remove(a, b);
            t.blocked.remove(b, a);
            let (lo, hi) = ordered(a, b);
            t.friends.remove(lo, hi);
        }
        if let Some(shared) = &self.shared {
            shared.forget(&[&keys::pair(a, b)]).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(s: &str) -> UserId {
        UserId::from_stored(s.to_owned())
    }

    #[test]
    fn a_read_from_before_a_forget_is_not_kept() {
        let cache = AccessCache::default();
        let (a, b) = (user("a"), user("b"));
        let before = cache.generation();
        futures::executor::block_on(cache.forget_pair(&a, &b));
        cache.fill(before, |t| t.blocked.insert(a.clone(), b.clone(), false));
        assert_eq!(cache.tables().and_then(|t| t.blocked.get(&a, &b)), None);
        let now = cache.generation();
        cache.fill(now, |t| t.blocked.insert(a.clone(), b.clone(), false));
        assert_eq!(
            cache.tables().and_then(|t| t.blocked.get(&a, &b)),
            Some(false)
        );
    }

    #[test]
    fn forgetting_a_pair_forgets_both_directions_and_friendship() {
        let cache = AccessCache::default();
        let (a, b) = (user("a"), user("b"));
        let g = cache.generation();
        cache.fill(g, |t| {
            t.blocked.insert(a.clone(), b.clone(), false);
            t.blocked.insert(b.clone(), a.clone(), false);
            t.friends.insert(a.clone(), b.clone(), true);
        });
        futures::executor::block_on(cache.forget_pair(&b, &a));
        let t = cache.tables().unwrap();
        assert_eq!(t.blocked.get(&a, &b), None);
        assert_eq!(t.blocked.get(&b, &a), None);
        assert_eq!(t.friends.get(&a, &b), None);
    }
}
