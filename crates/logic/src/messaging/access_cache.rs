//! What every send is checked against, cached in logic.
//!
//! Without it each send read the conversation, the membership and the
//! block (and friend) relation from the store, twice (the gateway's
//! `resolve_target` and the pipeline's check), and resolved its target
//! (peer or group to conversation) too: each read a hop to the store's
//! worker thread and back, which was most of a send's cost.
//!
//! Facts that can change (a conversation closed by dissolution, a
//! membership and its mute, blocks, friendships) live in the role's
//! `Facts` (this process's memory, or the shared cache of a cluster) and
//! are forgotten by the code that changes them, right after the store
//! write and before that request is answered: `forget_conversation` on
//! every group change, `forget_pair` on every block and friendship
//! change. Mute expiry needs no forget: the cached `muted_until` is
//! compared with the clock at each check.
//!
//! Facts that never change once true (a pair's single conversation, a
//! group's conversation) are kept in this process's tables, whatever
//! `Facts` is, without invalidation.

use std::sync::{Arc, Mutex, MutexGuard};

use ferrochat_domain::{ConversationId, ConversationKind, GroupId, Sanctions, Timestamp, UserId};
use ferrochat_ports::store::ConversationRecord;
use ferrochat_ports::{Store, StoreError};

use super::bounded::Nested;
use crate::facts::{keys, Facts};

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

/// What never changes once true.
struct Tables {
    /// lower id -> higher id -> their single conversation.
    singles: Nested<UserId, UserId, ConversationId>,
    groups: Nested<GroupId, (), ConversationId>,
}

pub(crate) struct AccessCache {
    tables: Mutex<Tables>,
    /// What can change.
    facts: Arc<Facts>,
}

impl AccessCache {
    pub(crate) fn new(facts: Arc<Facts>) -> Self {
        Self {
            facts,
            tables: Mutex::new(Tables {
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

    /// A conversation and `who`'s membership of it (`None`: not a
    /// member): both fields of the conversation's key, read at once.
    pub(crate) async fn conversation_and_member(
        &self,
        store: &dyn Store,
        id: &ConversationId,
        who: &UserId,
    ) -> Result<(Option<ConvMeta>, Option<MemberState>), StoreError> {
        let field = keys::member_field(who);
        self.facts
            .read_two(
                &keys::conversation(id),
                [keys::META, &field],
                self.facts.config.conversation_ttl,
                async { Ok(store.conversation(id).await?.map(ConvMeta::from)) },
                async { Ok(store.member(id, who).await?.map(|m| m.muted_until)) },
            )
            .await
    }

    pub(crate) async fn is_blocked(
        &self,
        store: &dyn Store,
        blocker: &UserId,
        blocked: &UserId,
    ) -> Result<bool, StoreError> {
        let ttl = self.facts.config.pair_ttl;
        let load = async { store.is_blocked(blocker, blocked).await.map(Some) };
        let field = keys::blocks_field(blocker);
        let b = self
            .facts
            .read(&keys::pair(blocker, blocked), &field, ttl, load)
            .await?;
        Ok(b.unwrap_or(false))
    }

    pub(crate) async fn are_friends(
        &self,
        store: &dyn Store,
        a: &UserId,
        b: &UserId,
    ) -> Result<bool, StoreError> {
        let ttl = self.facts.config.pair_ttl;
        let load = async { store.are_friends(a, b).await.map(Some) };
        let f = self
            .facts
            .read(&keys::pair(a, b), keys::FRIENDS, ttl, load)
            .await?;
        Ok(f.unwrap_or(false))
    }

    /// `who`'s sanctions, under the user's key, which every change of a
    /// sanction forgets (`Profiles::changed`). Kept apart from the
    /// profile: a send reads a few numbers, not a whole profile.
    pub(crate) async fn sanctions(
        &self,
        store: &dyn Store,
        who: &UserId,
    ) -> Result<Sanctions, StoreError> {
        let ttl = self.facts.config.profile_ttl;
        let load = async { Ok(store.user(who).await?.map(|u| u.sanctions)) };
        let sanctions = self
            .facts
            .read(&keys::user(who), keys::SANCTIONS, ttl, load)
            .await?;
        Ok(sanctions.unwrap_or_default())
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
    /// kick, role, mute, transfer, dissolution): its meta, its members'
    /// states and its member list (`AudienceCache`) share its key.
    pub(crate) async fn forget_conversation(&self, id: &ConversationId) {
        self.facts.forget(&[&keys::conversation(id)]).await;
    }

    /// After any change to what `a` and `b` are to each other (a block
    /// either way, a friendship made or ended).
    pub(crate) async fn forget_pair(&self, a: &UserId, b: &UserId) {
        self.facts.forget(&[&keys::pair(a, b)]).await;
    }
}
