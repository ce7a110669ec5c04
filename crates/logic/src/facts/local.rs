//! The facts of the only logic instance (`serve`), in its memory: the
//! values themselves, no text, under the same keys and fields as in the
//! shared cache.
//!
//! Bounded by the count of fields held (`CAPACITY`); past it the least
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

/// Fields held at most, over all keys.
pub(super) const CAPACITY: usize = 200_000;

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
    /// Fields held under every key together.
    fields: usize,
}

impl InProcess {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            table: Mutex::new(Table {
                generation: 0,
                keys: LruCache::new_unbounded(),
                fields: 0,
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
        let mut added = 0;
        for (field, value) in entries {
            if held.insert(field.to_owned(), value).is_none() {
                added += 1;
            }
        }
        t.fields += added;
        while t.fields > self.capacity {
            match t.keys.remove_lru() {
                Some((_, gone)) => t.fields -= gone.len(),
                None => break,
            }
        }
    }

    async fn forget(&self, keys: &[&str]) -> bool {
        if let Some(mut t) = self.table() {
            t.generation = t.generation.wrapping_add(1);
            for key in keys {
                if let Some(gone) = t.keys.remove(*key) {
                    t.fields -= gone.len();
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
}
