//! A tail reader's proof, after every broker was lost, that the log it
//! reads on is the one it read before.
//!
//! A broker that comes back empty starts the reader's topic again from
//! offset 0 (a producer's first record makes it again). If logic writes
//! more records there than the reader had read before the reader's watch
//! looks (`watch.rs`: a partition end below the next expected offset, or
//! the topic gone), neither the watch nor the offsets tell: the reader
//! would fetch on from its old position and never see what was written
//! below it. So the reader remembers the last record it read (its offset
//! and a print of it), and once every broker was lost it fetches that
//! record again before anything else. The same record: the same log, read
//! on. Another one, or none there: the log is new, records meant for the
//! reader may be lost, and it reads the new log from its start.
//!
//! A reader that has read nothing yet has nothing to compare; so it starts
//! one record before its first (`first_fetch`) and reads that one only to
//! know it (`TailState`'s baseline).

use std::hash::{DefaultHasher, Hash, Hasher};

use rdkafka::message::{BorrowedMessage, Message as _};

use crate::watch::TailState;

/// The record before a tail reader's first (assigned to read from
/// `from`), read only to know the log; none if `from` is the start.
pub(crate) fn before_first(from: i64) -> Option<i64> {
    (from > 0).then(|| from - 1)
}

/// Where a tail reader assigned to read from `from` fetches first: the
/// record before, if there is one.
pub(crate) fn first_fetch(from: i64) -> i64 {
    before_first(from).unwrap_or(from)
}

/// A record as the reader knows it again.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Seen {
    offset: i64,
    print: u64,
}

/// What a record read means.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Read {
    /// A record to pass on.
    New,
    /// One read before, or read only to know the log: not passed on.
    Known,
    /// The log is not the one read before: records may be lost; read the
    /// new one from its start.
    Lost,
}

/// What the reader does once every broker was lost.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Outage {
    /// Fetch again from this offset: the last record read, to compare.
    Reread(i64),
    /// Nothing was read to compare: take the log as new.
    Lost,
    /// The last record read is fetched again already (outages come in
    /// bursts).
    Rereading,
    /// Nothing was read and nothing was before it (the topic was empty):
    /// whatever the log holds is read from its start anyway.
    Nothing,
}

/// The poller's memory of the log it reads.
#[derive(Default)]
pub(crate) struct Continuity {
    last: Option<Seen>,
    /// After an outage: the record the first one read must be.
    expect: Option<Seen>,
}

impl Continuity {
    /// Every broker was lost.
    pub(crate) fn outage(&mut self, state: &TailState) -> Outage {
        if self.expect.is_some() {
            return Outage::Rereading;
        }
        match self.last {
            Some(seen) => {
                self.expect = Some(seen);
                Outage::Reread(seen.offset)
            }
            None if state.baseline_pending() => Outage::Lost,
            None => Outage::Nothing,
        }
    }

    /// The record at `offset` with `print` was read.
    pub(crate) fn read(&mut self, offset: i64, print: u64, state: &TailState) -> Read {
        let seen = Seen { offset, print };
        if let Some(expected) = self.expect.take() {
            if expected == seen {
                return Read::Known;
            }
            self.last = None;
            return Read::Lost;
        }
        self.last = Some(seen);
        if state.take_baseline(offset) {
            Read::Known
        } else {
            Read::New
        }
    }

    /// The reader reads its topic from the start (a loss was found).
    pub(crate) fn start_over(&mut self) {
        self.last = None;
        self.expect = None;
    }
}

/// A record's print: its timestamp (set by its producer) and payload. Two
/// logs' records at one offset share it only if they are the same record.
pub(crate) fn print(m: &BorrowedMessage<'_>) -> u64 {
    let mut h = DefaultHasher::new();
    m.timestamp().to_millis().hash(&mut h);
    m.payload().hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_that_read_nothing_and_started_at_zero_has_nothing_to_lose() {
        let state = TailState::new(0);
        let mut c = Continuity::default();
        assert_eq!(c.outage(&state), Outage::Nothing);
        assert_eq!(c.read(0, 7, &state), Read::New);
    }

    #[test]
    fn the_record_before_the_first_is_read_only_to_know_the_log() {
        let state = TailState::new(5);
        assert_eq!(first_fetch(5), 4);
        let mut c = Continuity::default();
        assert_eq!(c.read(4, 1, &state), Read::Known);
        assert_eq!(c.read(5, 2, &state), Read::New);
        // Once only: a log read again from its start passes its records on.
        let state = TailState::new(5);
        let mut c = Continuity::default();
        assert_eq!(c.read(6, 1, &state), Read::New);
        assert_eq!(c.read(4, 1, &state), Read::New);
    }

    #[test]
    fn an_outage_before_the_first_record_takes_the_log_as_new() {
        let state = TailState::new(5);
        let mut c = Continuity::default();
        assert_eq!(c.outage(&state), Outage::Lost);
    }

    #[test]
    fn the_same_record_again_means_the_same_log() {
        let state = TailState::new(0);
        let mut c = Continuity::default();
        assert_eq!(c.read(0, 10, &state), Read::New);
        assert_eq!(c.read(1, 11, &state), Read::New);
        assert_eq!(c.outage(&state), Outage::Reread(1));
        assert_eq!(c.outage(&state), Outage::Rereading);
        assert_eq!(c.read(1, 11, &state), Read::Known);
        assert_eq!(c.read(2, 12, &state), Read::New);
        // A second outage compares with the last record read since.
        assert_eq!(c.outage(&state), Outage::Reread(2));
        assert_eq!(c.read(2, 12, &state), Read::Known);
    }

    #[test]
    fn another_record_or_offset_means_a_new_log() {
        let state = TailState::new(0);
        let mut c = Continuity::default();
        c.read(3, 13, &state);
        assert_eq!(c.outage(&state), Outage::Reread(3));
        assert_eq!(c.read(3, 99, &state), Read::Lost);
        c.start_over();
        assert_eq!(c.read(0, 1, &state), Read::New);
        assert_eq!(c.outage(&state), Outage::Reread(0));
        // The offset was gone: the consumer went to the log's start.
        assert_eq!(c.read(5, 1, &state), Read::Lost);
    }
}
