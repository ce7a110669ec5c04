//! A two-level map with a cap on its total entries, for the facts that
//! never change (`AccessCache`'s tables).
//!
//! Two levels so a lookup borrows both keys (no clone per send). When
//! full it starts over: the working set refills from the store, and
//! nothing grows without bound.

use std::collections::HashMap;
use std::hash::Hash;

pub(crate) struct Nested<A, B, V> {
    map: HashMap<A, HashMap<B, V>>,
    len: usize,
    capacity: usize,
}

impl<A: Eq + Hash, B: Eq + Hash, V: Clone> Nested<A, B, V> {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            map: HashMap::new(),
            len: 0,
            capacity: capacity.max(1),
        }
    }

    pub(crate) fn get(&self, a: &A, b: &B) -> Option<V> {
        self.map.get(a).and_then(|inner| inner.get(b)).cloned()
    }

    pub(crate) fn insert(&mut self, a: A, b: B, v: V) {
        if self.len >= self.capacity {
            self.map.clear();
            self.len = 0;
        }
        if self.map.entry(a).or_default().insert(b, v).is_none() {
            self.len += 1;
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_forgets() {
        let mut n: Nested<u8, u8, bool> = Nested::new(3);
        n.insert(1, 1, true);
        n.insert(1, 2, false);
        n.insert(1, 2, true);
        n.insert(2, 1, true);
        assert_eq!(n.len(), 3);
        assert_eq!(n.get(&1, &2), Some(true));
    }

    #[test]
    fn starts_over_when_full() {
        let mut n: Nested<u8, u8, ()> = Nested::new(2);
        n.insert(1, 1, ());
        n.insert(1, 2, ());
        n.insert(2, 2, ());
        assert_eq!(n.len(), 1);
        assert_eq!(n.get(&1, &1), None);
        assert_eq!(n.get(&2, &2), Some(()));
    }
}
