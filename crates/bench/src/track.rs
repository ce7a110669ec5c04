//! Bookkeeping: run-wide counters, per-connection latency histograms, and
//! the per-conversation order check every receiving connection keeps.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use hdrhistogram::Histogram;

/// Latencies are kept in microseconds, up to a minute.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("bounds are valid constants")
}

pub fn record(h: &mut Histogram<u64>, micros: u64) {
    h.saturating_record(micros.max(1));
}

/// Counters shared by every connection of a run.
#[derive(Default)]
pub struct Counters {
    pub sent: AtomicU64,
    pub acked: AtomicU64,
    /// `error` frames answering a send.
    pub errors: AtomicU64,
    /// Deliveries the acked messages owe (acked x online recipients).
    pub expected: AtomicU64,
    pub delivered: AtomicU64,
    pub duplicated: AtomicU64,
    pub out_of_order: AtomicU64,
    /// Messages of this run delivered by `sync` after a reconnect.
    pub resynced: AtomicU64,
    /// Messages that are not this run's (other users of a shared server).
    pub foreign: AtomicU64,
    /// Connections the server closed on us, or that failed.
    pub dropped: AtomicU64,
    /// Nanoseconds from `start` to the last ack and the last delivery.
    pub last_ack_ns: AtomicU64,
    pub last_delivery_ns: AtomicU64,
    pub first_error: Mutex<Option<String>>,
}

impl Counters {
    pub fn note_error(&self, what: String) {
        if let Ok(mut e) = self.first_error.lock() {
            e.get_or_insert(what);
        }
    }
}

/// Latency histograms, one set per connection, merged at the end.
pub struct Latencies {
    pub ack: Histogram<u64>,
    pub deliver: Histogram<u64>,
    pub resync: Histogram<u64>,
}

impl Default for Latencies {
    fn default() -> Self {
        Self {
            ack: histogram(),
            deliver: histogram(),
            resync: histogram(),
        }
    }
}

impl Latencies {
    pub fn merge(&mut self, other: &Latencies) {
        // Same bounds everywhere, so adding cannot fail.
        let _ = self.ack.add(&other.ack);
        let _ = self.deliver.add(&other.deliver);
        let _ = self.resync.add(&other.resync);
    }
}

/// What one receiving connection knows of a conversation's seq stream.
#[derive(Default, Clone)]
pub struct Order {
    /// The highest seq seen (new-message, sync, or own ack).
    pub last: u64,
    /// Seqs skipped over, which may still arrive (out of order) or belong
    /// to this connection's own sends (acked, never delivered to it).
    holes: BTreeSet<u64>,
    /// Own acked seqs above `last`, not to be counted as holes.
    own: BTreeSet<u64>,
}

/// Gaps wider than this are not remembered one by one.
const MAX_HOLE_SPAN: u64 = 100_000;

pub enum Seen {
    InOrder,
    Duplicate,
    OutOfOrder,
}

impl Order {
    pub fn starting_at(last: u64) -> Self {
        Self {
            last,
            ..Self::default()
        }
    }

    /// A `new-message` (or a synced message) with this seq arrived.
    pub fn deliver(&mut self, seq: u64) -> Seen {
        if seq > self.last {
            let from = self.last.saturating_add(1);
            if seq - from <= MAX_HOLE_SPAN {
                for s in from..seq {
                    if !self.own.remove(&s) {
                        self.holes.insert(s);
                    }
                }
            }
            self.own.retain(|&s| s > seq);
            self.last = seq;
            Seen::InOrder
        } else if self.holes.remove(&seq) {
            Seen::OutOfOrder
        } else {
            Seen::Duplicate
        }
    }

    /// This connection's own send got `seq`: the server never delivers it
    /// back here, so it is not a hole.
    pub fn own(&mut self, seq: u64) {
        if seq > self.last {
            self.own.insert(seq);
        } else {
            self.holes.remove(&seq);
        }
    }
}

/// A receiving connection's view of every conversation.
pub type Orders = HashMap<String, Order>;

/// Content carries `run|sender|counter|unix_micros`, padded.
pub fn content(run: &str, sender: usize, counter: u64, pad_to: usize) -> String {
    let mut s = format!("{run}|{sender}|{counter}|{}|", unix_micros());
    while s.len() < pad_to {
        s.push('x');
    }
    s
}

/// The send time of one of this run's messages, or None for anyone else's.
pub fn sent_at(run: &str, content: &str) -> Option<u64> {
    let mut parts = content.split('|');
    if parts.next()? != run {
        return None;
    }
    parts.nth(2)?.parse().ok()
}

pub fn unix_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

pub fn since(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

pub fn bump_max(a: &AtomicU64, v: u64) {
    a.fetch_max(v, Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_counts_duplicates_and_late_arrivals() {
        let mut o = Order::starting_at(2);
        assert!(matches!(o.deliver(3), Seen::InOrder));
        assert!(matches!(o.deliver(5), Seen::InOrder));
        assert!(matches!(o.deliver(4), Seen::OutOfOrder));
        assert!(matches!(o.deliver(4), Seen::Duplicate));
        assert!(matches!(o.deliver(2), Seen::Duplicate));
    }

    #[test]
    fn own_acks_are_not_holes() {
        let mut o = Order::starting_at(0);
        o.own(2);
        assert!(matches!(o.deliver(1), Seen::InOrder));
        assert!(matches!(o.deliver(3), Seen::InOrder));
        assert!(matches!(o.deliver(2), Seen::Duplicate));
        // An ack that comes after later deliveries fills its hole.
        assert!(matches!(o.deliver(5), Seen::InOrder));
        o.own(4);
        assert!(matches!(o.deliver(4), Seen::Duplicate));
    }

    #[test]
    fn content_round_trips() {
        let c = content("r1", 3, 9, 64);
        assert_eq!(c.len(), 64);
        assert!(sent_at("r1", &c).is_some());
        assert!(sent_at("r2", &c).is_none());
    }
}
