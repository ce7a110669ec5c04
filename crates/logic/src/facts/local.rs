//! The facts of the only logic instance (`serve`), in its memory: the
//! values themselves, no text, under the same keys and fields as in the
//! shared cache.
//!
//! Bounded by the weight of what it holds (`CAPACITY`, in ids: a member
//! list weighs its members, any other fact one); past it the least
//! recently read keys go first. Nothing expires: every change to a fact
//! forgets it here, in the process that makes the change, and the facts
//! that change with time (a mute's end, a session's expiry) are compared
//! with the clock where they are used.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use hashlink::LruCache;

use super::{FactStore, Found, Hits, Stored, Ticket};

/// Weight held at most, over all keys: half a million small facts, or
/// member lists of as many ids in all.
pub(super) const CAPACITY: usize = 500_000;

pub(super) struct InProcess {
    table: Mutex<Table>,
    capacity: usize,
}

struct Table {
    /// Moved on by every forget: a store read that began before a forget
    /// must not be cached after it, or a change could be undone by a
    /// check racing it.
    generation: u64,
    keys: LruCache<String, HashMap<String, Arc<dyn Stored>>>,
    /// The weight of every value held.
    weight: usize,
}

impl InProcess {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            table: Mutex::new(Table {
                generation: 0,
                keys: LruCache::new_unbounded(),
                weight: 0,
            }),
        }
    }

    /// The table, or none if a panic poisoned it: then every read goes to
    /// the store, which is slower but never wrong.
    fn table(&self) -> Option<MutexGuard<'_, Table>> {
        self.table.lock().ok()
    }
}

#[async_trait]
impl FactStore for InProcess {
    fn source(&self) -> &'static str {
        "memory"
    }

    async fn get(&self, key: &str, fields: &[&str]) -> Option<Hits> {
        let mut t = self.table()?;
        let ticket = Ticket::Generation(t.generation);
        let values = match t.keys.get(key) {
            Some(held) => fields
                .iter()
                .map(|f| held.get(*f).map(|v| Found::Value(v.clone())))
                .collect(),
            None => fields.iter().map(|_| None).collect(),
        };
        Some(Hits { values, ticket })
    }

    async fn fill(
        &self,
        key: &str,
        ticket: Ticket,
        entries: Vec<(&str, Arc<dyn Stored>)>,
        _ttl: Duration,
    ) {
        let Some(mut t) = self.table() else {
            return;
        };
        if !matches!(ticket, Ticket::Generation(g) if g == t.generation) {
            return;
        }
        if !t.keys.contains_key(key) {
            t.keys.insert(key.to_owned(), HashMap::new());
        }
        let Some(held) = t.keys.get_mut(key) else {
            return;
        };
        let (mut added, mut replaced) = (0, 0);
        for (field, value) in entries {
            added += value.weight();
            if let Some(old) = held.insert(field.to_owned(), value) {
                replaced += old.weight();
            }
        }
        t.weight = t.weight + added - replaced;
        while t.weight > self.capacity {
            match t.keys.remove_lru() {
                Some((_, gone)) => t.weight -= weight_of(&gone),
                None => break,
            }
        }
    }

    async fn forget(&self, keys: &[&str]) -> bool {
        if let Some(mut t) = self.table() {
            t.generation = t.generation.wrapping_add(1);
            for key in keys {
                if let Some(gone) = t.keys.remove(*key) {
                    t.weight -= weight_of(&gone);
                }
            }
        }
        true
    }
}

fn weight_of(fields: &HashMap<String, Arc<dyn Stored>>) -> usize {
    fields.values().map(|v| v.weight()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messaging::Audience;
    use ferrochat_domain::UserId;
    use futures::executor::block_on;

    fn value(t: &InProcess, key: &str, field: &str) -> Option<bool> {
        let hits = block_on(t.get(key, &[field]))?;
        match hits.values.into_iter().next().flatten()? {
            Found::Value(v) => v.as_any().downcast_ref::<bool>().copied(),
            Found::Text(_) => None,
        }
    }

    fn fill(t: &InProcess, ticket: Ticket, key: &str, field: &str, v: bool) {
        block_on(t.fill(key, ticket, vec![(field, Arc::new(v))], Duration::ZERO));
    }

    fn ticket(t: &InProcess) -> Ticket {
        block_on(t.get("any", &["f"])).map_or(Ticket::Generation(u64::MAX), |h| h.ticket)
    }

    #[test]
    fn a_read_from_before_a_forget_is_not_kept() {
        let t = InProcess::new(10);
        let before = ticket(&t);
        block_on(t.forget(&["pair:a:b"]));
        fill(&t, before, "pair:a:b", "friends", true);
        assert_eq!(value(&t, "pair:a:b", "friends"), None);
        fill(&t, ticket(&t), "pair:a:b", "friends", true);
        assert_eq!(value(&t, "pair:a:b", "friends"), Some(true));
    }

    #[test]
    fn forgetting_a_key_forgets_every_field_under_it() {
        let t = InProcess::new(10);
        fill(&t, ticket(&t), "pair:a:b", "friends", true);
        fill(&t, ticket(&t), "pair:a:b", "blocks:a", false);
        fill(&t, ticket(&t), "pair:a:c", "friends", true);
        block_on(t.forget(&["pair:a:b"]));
        assert_eq!(value(&t, "pair:a:b", "friends"), None);
        assert_eq!(value(&t, "pair:a:b", "blocks:a"), None);
        assert_eq!(value(&t, "pair:a:c", "friends"), Some(true));
    }

    #[test]
    fn past_its_capacity_the_least_recently_read_keys_go() {
        let t = InProcess::new(2);
        fill(&t, ticket(&t), "a", "f", true);
        fill(&t, ticket(&t), "b", "f", true);
        assert_eq!(value(&t, "a", "f"), Some(true), "a is now the most recent");
        fill(&t, ticket(&t), "c", "f", true);
        assert_eq!(value(&t, "b", "f"), None, "b was the least recent");
        assert_eq!(value(&t, "a", "f"), Some(true));
        assert_eq!(value(&t, "c", "f"), Some(true));
    }

    #[test]
    fn a_member_list_weighs_its_members() {
        let t = InProcess::new(4);
        fill(&t, ticket(&t), "a", "f", true);
        let members: Arc<[UserId]> = ["m1", "m2", "m3"]
            .into_iter()
            .map(|m| UserId::from_stored(m.to_owned()))
            .collect();
        let list: Arc<dyn Stored> = Arc::new(Audience::Members(members));
        block_on(t.fill("conv", ticket(&t), vec![("audience", list)], Duration::ZERO));
        // 1 + 3 fit in 4; one more does not, and the least recent goes.
        fill(&t, ticket(&t), "b", "f", true);
        assert_eq!(value(&t, "a", "f"), None, "the list counted as 3");
        assert!(
            block_on(t.get("conv", &["audience"])).is_some_and(|h| h.values[0].is_some()),
            "the list stays"
        );
        assert_eq!(value(&t, "b", "f"), Some(true));
    }
}
