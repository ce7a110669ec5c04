//! Where a send to a user or a group goes, remembered: the conversation
//! of a pair of users and of a group never changes once it exists, so
//! after the first send the gateway puts a record on the bus without
//! asking logic anything. Whether the sender may write there is checked
//! once, by logic, when it takes the record.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

use ferrochat_domain::{ConversationId, GroupId, UserId};

/// Entries per map; a full map starts over (the working set refills
/// from logic on the next sends).
const CAPACITY: usize = 100_000;

#[derive(Default)]
pub(crate) struct Targets {
    /// (sender, peer) -> their single conversation.
    singles: Bounded<(UserId, UserId)>,
    groups: Bounded<GroupId>,
}

impl Targets {
    pub(crate) fn single(&self, who: &UserId, peer: &UserId) -> Option<ConversationId> {
        self.singles.get(&(who.clone(), peer.clone()))
    }

    pub(crate) fn remember_single(&self, who: &UserId, peer: &UserId, id: &ConversationId) {
        self.singles.insert((who.clone(), peer.clone()), id.clone());
    }

    pub(crate) fn group(&self, group: &GroupId) -> Option<ConversationId> {
        self.groups.get(group)
    }

    pub(crate) fn remember_group(&self, group: &GroupId, id: &ConversationId) {
        self.groups.insert(group.clone(), id.clone());
    }
}

struct Bounded<K>(Mutex<HashMap<K, ConversationId>>);

impl<K> Default for Bounded<K> {
    fn default() -> Self {
        Self(Mutex::new(HashMap::new()))
    }
}

impl<K: Eq + Hash> Bounded<K> {
    fn get(&self, key: &K) -> Option<ConversationId> {
        self.0.lock().ok()?.get(key).cloned()
    }

    fn insert(&self, key: K, id: ConversationId) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= CAPACITY {
                map.clear();
            }
            map.insert(key, id);
        }
    }
}
