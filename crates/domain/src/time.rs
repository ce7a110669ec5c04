//! Instants as milliseconds since the Unix epoch.
//!
//! The domain never reads the clock; callers pass `Timestamp`s in. Storage
//! keeps the integer, and the wire layer renders RFC 3339.

/// Milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// Later than any time a clock will read: "until further notice".
    pub const FOREVER: Timestamp = Timestamp(i64::MAX);

    pub const fn from_millis(ms: i64) -> Self {
        Self(ms)
    }

    pub const fn millis(self) -> i64 {
        self.0
    }

    /// `self + ms`, saturating: expiry arithmetic must never wrap into the past.
    pub const fn plus_millis(self, ms: i64) -> Self {
        Self(self.0.saturating_add(ms))
    }

    /// `self + d`, saturating as `plus_millis`.
    pub fn plus(self, d: std::time::Duration) -> Self {
        self.plus_millis(i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }

    pub const fn seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }
}
