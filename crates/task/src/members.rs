//! The member lists of the large groups this task instance fans out,
//! kept in memory so a message costs no store read.
//!
//! A list is read from the store once (in pages) and then follows the
//! conversation's `system` messages: every membership change (join,
//! leave, add, kick, dissolve) is announced by one, committed after the
//! change itself, and this role fans out a conversation's messages in seq
//! order. So when it meets that message the store already holds the
//! change: the user it names is looked up in the store (one read, not the
//! whole list again: adding 10,000 members is 10,000 such messages) and
//! put in or taken out; an event that does not name a user's membership
//! (created, dissolved, or one this code does not know) drops the list,
//! read again whole; roles, mutes and transfers change no membership.
//! A conversation's task records go to one instance at a time (the topic
//! is keyed by conversation), which sees all of them. Bounded by the
//! number of member ids held; past it the index starts over.

use std::collections::HashMap;
use std::sync::Arc;

use ferrochat_domain::{ConversationId, Message, UserId};

pub(crate) struct MemberIndex {
    lists: HashMap<ConversationId, Arc<Vec<UserId>>>,
    /// Member ids held over all lists.
    held: usize,
    /// The most ids held at once.
    cap: usize,
}

impl MemberIndex {
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            lists: HashMap::new(),
            held: 0,
            cap,
        }
    }

    pub(crate) fn get(&self, id: &ConversationId) -> Option<Arc<Vec<UserId>>> {
        self.lists.get(id).cloned()
    }

    /// Puts `user` in `id`'s list or takes them out, if the list is held;
    /// in place (adding 10,000 members one by one must not copy the list
    /// each time). A list that would pass the cap is dropped instead.
    pub(crate) fn set_member(&mut self, id: &ConversationId, user: &UserId, member: bool) {
        let Some(list) = self.lists.get_mut(id) else {
            return;
        };
        match (list.iter().position(|u| u == user), member) {
            (None, true) if self.held < self.cap => {
                Arc::make_mut(list).push(user.clone());
                self.held += 1;
            }
            (None, true) => self.forget(id),
            (Some(at), false) => {
                Arc::make_mut(list).swap_remove(at);
                self.held -= 1;
            }
            _ => {}
        }
    }

    pub(crate) fn forget(&mut self, id: &ConversationId) {
        if let Some(list) = self.lists.remove(id) {
            self.held -= list.len();
        }
    }

    /// Keeps `list` for `id` (replacing any), unless it alone is over the
    /// cap; other lists go first if it would not fit beside them.
    pub(crate) fn keep(&mut self, id: ConversationId, list: Arc<Vec<UserId>>) {
        self.forget(&id);
        if list.len() > self.cap {
            return;
        }
        if self.held + list.len() > self.cap {
            self.lists.clear();
            self.held = 0;
        }
        self.held += list.len();
        self.lists.insert(id, list);
        #[allow(clippy::cast_precision_loss)]
        metrics::gauge!("ferrochat_task_member_index_ids").set(self.held as f64);
    }
}

/// What a `system` message means for its conversation's member list.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Change {
    /// Not a membership change (a role, a mute, a transfer).
    None,
    /// This user's membership changed: ask the store.
    User(UserId),
    /// Read the whole list again.
    All,
}

/// Reads the event of a `system` message (`{"event": ..., "user_id": ...}`,
/// written by logic's groups).
pub(crate) fn change(message: &Message) -> Change {
    #[derive(serde::Deserialize)]
    struct Event {
        event: String,
        user_id: Option<String>,
    }
    let Ok(e) = serde_json::from_str::<Event>(message.content.as_str()) else {
        return Change::All;
    };
    match (e.event.as_str(), e.user_id) {
        ("role_changed" | "member_muted" | "member_unmuted" | "owner_transferred", _) => {
            Change::None
        }
        ("member_added" | "member_joined" | "member_left" | "member_removed", Some(u)) => {
            UserId::parse(&u).map_or(Change::All, Change::User)
        }
        _ => Change::All,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(n: usize) -> Arc<Vec<UserId>> {
        Arc::new((0..n).map(|_| UserId::generate()).collect())
    }

    #[test]
    fn bounded_by_ids_and_forgotten_on_demand() {
        let mut index = MemberIndex::new(10);
        let a = ConversationId::generate();
        let b = ConversationId::generate();
        index.keep(a.clone(), list(6));
        assert_eq!(index.get(&a).map(|l| l.len()), Some(6));
        // b does not fit beside a: a goes.
        index.keep(b.clone(), list(6));
        assert!(index.get(&a).is_none());
        assert_eq!(index.held, 6);
        index.forget(&b);
        assert_eq!(index.held, 0);
        // Over the cap alone: not kept.
        index.keep(a.clone(), list(11));
        assert!(index.get(&a).is_none());
    }

    #[test]
    fn a_member_is_put_in_and_taken_out_once() {
        let mut index = MemberIndex::new(10);
        let a = ConversationId::generate();
        let u = UserId::generate();
        // Not held: nothing to change.
        index.set_member(&a, &u, true);
        assert!(index.get(&a).is_none());
        index.keep(a.clone(), list(2));
        index.set_member(&a, &u, true);
        index.set_member(&a, &u, true);
        assert_eq!(index.get(&a).map(|l| l.len()), Some(3));
        assert_eq!(index.held, 3);
        index.set_member(&a, &u, false);
        assert_eq!(index.get(&a).map(|l| l.contains(&u)), Some(false));
        assert_eq!(index.held, 2);
        // One past the cap: the list is dropped, to be read again whole.
        index.keep(a.clone(), list(10));
        index.set_member(&a, &u, true);
        assert!(index.get(&a).is_none());
        assert_eq!(index.held, 0);
    }
}
