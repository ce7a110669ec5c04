//! Bookkeeping: run-wide counters, per-connection latency histograms, and
//! the per-conversation order check every receiving connection keeps.

use std::collections::{BTreeMap, BTreeSet, HashMap};
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
    /// Those errors by contract code.
    pub refused: Mutex<BTreeMap<u64, u64>>,
    /// A second answer (`send-ack` or `error`) to one request id.
    pub repeated_acks: AtomicU64,
    /// Deliveries the acked messages owe (acked x online recipients).
    pub expected: AtomicU64,
    pub delivered: AtomicU64,
    /// Live frames whose seq the receiver already had (dropped by it).
    pub duplicated: AtomicU64,
    /// One message (sender and request) arriving under a second seq: what
    /// the client's own drop-by-seq cannot catch.
    pub duplicated_messages: AtomicU64,
    pub out_of_order: AtomicU64,
    /// Messages of this run delivered by `sync` after a reconnect.
    pub resynced: AtomicU64,
    /// Messages that are not this run's (other users of a shared server).
    pub foreign: AtomicU64,
    /// Frames at or below a conversation's seq before the run.
    pub before_run: AtomicU64,
    /// Connections the server closed on us, or that failed.
    pub dropped: AtomicU64,
    /// Connections opened again after a drop (chaos runs).
    pub reconnects: AtomicU64,
    /// `sync` exchanges started and not yet answered in full.
    pub syncing: AtomicU64,
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

    pub fn refused(&self, code: u64) {
        if let Ok(mut r) = self.refused.lock() {
            *r.entry(code).or_default() += 1;
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
    /// The seq before the run: nothing at or below it is this run's.
    base: u64,
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
    /// At or below the seq the run started from: the setup's own messages
    /// (a large group's `member_added`, fanned out late), not the run's.
    BeforeRun,
}

impl Order {
    pub fn starting_at(last: u64) -> Self {
        Self {
            base: last,
            last,
            ..Self::default()
        }
    }

    /// A `new-message` (or a synced message) with this seq arrived.
    pub fn deliver(&mut self, seq: u64) -> Seen {
        if seq <= self.base {
            Seen::BeforeRun
        } else if seq > self.last {
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

    /// What a client sends in `sync`: the highest seq up to which nothing
    /// is missing.
    pub fn cursor(&self) -> u64 {
        self.holes
            .first()
            .map_or(self.last, |&h| h.saturating_sub(1))
    }
}

/// Which messages of each sender a receiver has, by the sender's request
/// counter: one bit each, so a message that comes again under another seq
/// is seen.
#[derive(Default, Clone)]
pub struct SeenMessages {
    bits: HashMap<u64, Vec<u64>>,
}

impl SeenMessages {
    pub fn contains(&self, sender: u64, counter: u64) -> bool {
        let word = usize::try_from(counter / 64).unwrap_or(usize::MAX);
        self.bits
            .get(&sender)
            .and_then(|w| w.get(word))
            .is_some_and(|w| w & (1 << (counter % 64)) != 0)
    }

    /// Notes `sender`'s message `counter`; false if it was already here.
    pub fn insert(&mut self, sender: u64, counter: u64) -> bool {
        let words = self.bits.entry(sender).or_default();
        let (word, bit) = (
            usize::try_from(counter / 64).unwrap_or(usize::MAX),
            counter % 64,
        );
        if words.len() <= word {
            words.resize(word.saturating_add(1), 0);
        }
        let Some(w) = words.get_mut(word) else {
            return true;
        };
        let fresh = *w & (1 << bit) == 0;
        *w |= 1 << bit;
        fresh
    }
}

/// A receiving connection's view of every conversation.
pub type Orders = HashMap<String, Order>;

/// Content carries `run|sender|counter|unix_micros|`, padded with words
/// as people write them (`WORDS`, the common ones more often), so a
/// search index gets the work real text gives it.
pub fn content(run: &str, sender: usize, counter: u64, pad_to: usize) -> String {
    let mut s = format!("{run}|{sender}|{counter}|{}|", unix_micros());
    let mut h = (sender as u64) << 40 ^ counter;
    while s.len() < pad_to {
        h = splitmix(h);
        let w = word(h);
        if s.len() + w.len() + 1 > pad_to {
            s.push_str(&"x".repeat(pad_to - s.len()));
            break;
        }
        s.push_str(w);
        s.push(' ');
    }
    s
}

/// The words of the bench's messages: English, and Chinese (written
/// without spaces, found by pairs of characters).
pub const WORDS: &[&str] = &[
    "the",
    "you",
    "and",
    "to",
    "it",
    "is",
    "we",
    "meeting",
    "tomorrow",
    "today",
    "lunch",
    "report",
    "budget",
    "project",
    "release",
    "deploy",
    "server",
    "client",
    "review",
    "draft",
    "final",
    "please",
    "thanks",
    "sorry",
    "maybe",
    "later",
    "call",
    "office",
    "home",
    "train",
    "coffee",
    "weekend",
    "monday",
    "friday",
    "invoice",
    "contract",
    "design",
    "photo",
    "video",
    "music",
    "dinner",
    "party",
    "birthday",
    "holiday",
    "flight",
    "hotel",
    "ticket",
    "movie",
    "game",
    "match",
    "score",
    "team",
    "player",
    "coach",
    "doctor",
    "school",
    "teacher",
    "exam",
    "homework",
    "garden",
    "weather",
    "rain",
    "snow",
    "summer",
    "winter",
    "spring",
    "autumn",
    "question",
    "answer",
    "problem",
    "solution",
    "idea",
    "plan",
    "schedule",
    "deadline",
    "customer",
    "support",
    "ticketing",
    "database",
    "cluster",
    "kafka",
    "gateway",
    "logic",
    "latency",
    "throughput",
    "benchmark",
    "search",
    "index",
    "message",
    "group",
    "friend",
    "会议",
    "明天",
    "今天",
    "午饭",
    "报告",
    "预算",
    "项目",
    "发布",
    "服务器",
    "客户",
    "谢谢",
    "周末",
    "生日",
    "电影",
    "天气",
    "问题",
    "方案",
    "计划",
    "朋友",
    "消息",
];

/// A word of `WORDS` for `h`: the first ones far more often (about as
/// skewed as word frequencies are).
pub fn word(h: u64) -> &'static str {
    let n = WORDS.len() as u64;
    let a = h % n;
    let b = (h >> 20) % n;
    let i = usize::try_from(a * b / n).unwrap_or(0);
    WORDS.get(i).copied().unwrap_or("the")
}

/// SplitMix64: a cheap, well-spread sequence of numbers from a seed.
pub fn splitmix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What a message of this run says about itself.
pub struct Tag {
    /// The sending user's index in the run.
    pub sender: u64,
    /// The sender's request counter (unique per sending user).
    pub counter: u64,
    /// Unix microseconds at the send.
    pub sent_us: u64,
}

/// The tag of one of this run's messages, or None for anyone else's.
pub fn tag(run: &str, content: &str) -> Option<Tag> {
    let mut parts = content.split('|');
    if parts.next()? != run {
        return None;
    }
    Some(Tag {
        sender: parts.next()?.parse().ok()?,
        counter: parts.next()?.parse().ok()?,
        sent_us: parts.next()?.parse().ok()?,
    })
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
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn order_counts_duplicates_and_late_arrivals() {
        let mut o = Order::starting_at(2);
        assert!(matches!(o.deliver(3), Seen::InOrder));
        assert!(matches!(o.deliver(5), Seen::InOrder));
        assert!(matches!(o.deliver(4), Seen::OutOfOrder));
        assert!(matches!(o.deliver(4), Seen::Duplicate));
        assert!(matches!(o.deliver(2), Seen::BeforeRun));
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
    fn cursor_stops_below_the_first_hole() {
        let mut o = Order::starting_at(10);
        assert_eq!(o.cursor(), 10);
        o.deliver(11);
        o.deliver(14);
        assert_eq!(o.cursor(), 11);
        o.deliver(12);
        o.deliver(13);
        assert_eq!(o.cursor(), 14);
    }

    #[test]
    fn a_message_seen_twice_is_caught() {
        let mut s = SeenMessages::default();
        assert!(s.insert(1, 0));
        assert!(s.insert(1, 200));
        assert!(s.insert(2, 200));
        assert!(!s.insert(1, 200));
        assert!(!s.insert(1, 0));
        assert!(s.contains(1, 200) && s.contains(2, 200) && !s.contains(2, 0) && !s.contains(3, 9));
    }

    #[test]
    fn content_round_trips() {
        let c = content("r1", 3, 9, 64);
        assert_eq!(c.len(), 64);
        let t = tag("r1", &c).unwrap();
        assert_eq!((t.sender, t.counter), (3, 9));
        assert!(tag("r2", &c).is_none());
    }
}
