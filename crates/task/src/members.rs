//! The member lists of the large groups this task instance fans out,
//! kept in memory so a message costs no store read.
//!
//! A list is read from the store once (in pages) and kept until the
//! conversation's next `system` message: every membership change (join,
//! leave, add, kick, dissolve) is announced by one, committed after the
//! change itself, and this role fans out a conversation's messages in seq
//! order. So when it meets that message the store already holds the new
//! membership, and the list is read again for it and everything after.
//! A conversation's task records go to one instance at a time (the topic
//! is keyed by conversation), which sees all of them. Bounded by the
//! number of member ids held; past it the index starts over.

use std::collections::HashMap;
use std::sync::Arc;

use ferrochat_domain::{ConversationId, UserId};

pub(crate) struct MemberIndex {
    lists: HashMap<ConversationId, Arc<[UserId]>>,
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

    pub(crate) fn get(&self, id: &ConversationId) -> Option<Arc<[UserId]>> {
        self.lists.get(id).cloned()
    }

    pub(crate) fn forget(&mut self, id: &ConversationId) {
        if let Some(list) = self.lists.remove(id) {
            self.held -= list.len();
        }
    }

    /// Keeps `list` for `id` (replacing any), unless it alone is over the
    /// cap; other lists go first if it would not fit beside them.
    pub(crate) fn keep(&mut self, id: ConversationId, list: Arc<[UserId]>) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn list(n: usize) -> Arc<[UserId]> {
        (0..n).map(|_| UserId::generate()).collect()
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
}
