//! A cache shared by every logic instance of a cluster (Redis), for the
//! facts each send is checked against and the profiles every request
//! names. One logic process caches those in its own memory instead; the
//! moment a second one shares the bus, a change made through one must be
//! seen by the others from the next request on, so the cache lives where
//! all of them read and forget it.
//!
//! Entries are grouped under a key, the unit a change forgets (one
//! conversation: its meta, its members' states, its member list), each
//! entry a field of it. Filling is guarded by a ticket so a read from
//! before a change never lands after it:
//!
//! 1. `get` answers the fields present and a ticket (the key's version);
//! 2. the caller reads what is missing from the store;
//! 3. `fill` stores it only if the key was not invalidated since the
//!    ticket was taken, so a value read before a change is dropped.
//!
//! `invalidate` deletes the key and moves its version on; a change calls
//! it after its store write and before it answers. Values are opaque text
//! to the cache; every entry expires after the time-to-live its first
//! fill gave its key, so even a lost invalidation heals.

use std::time::Duration;

use async_trait::async_trait;

#[derive(Debug, Clone, thiserror::Error)]
pub enum CacheError {
    /// The cache could not be reached or answered nonsense: callers read
    /// the store instead.
    #[error("cache unavailable: {0}")]
    Unavailable(String),
}

/// The version of a key when it was read, for a later `fill`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket(String);

impl Ticket {
    /// For adapters: whatever identifies the key's version.
    pub fn new(version: impl Into<String>) -> Self {
        Self(version.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What `get` found: one value per field asked (`None`: not cached), and
/// the ticket for filling the missing ones.
#[derive(Debug, Clone)]
pub struct Cached {
    pub values: Vec<Option<String>>,
    pub ticket: Ticket,
}

#[async_trait]
pub trait SharedCache: Send + Sync + 'static {
    /// The values of `fields` (at least one) under `key`, in one round
    /// trip.
    async fn get(&self, key: &str, fields: &[&str]) -> Result<Cached, CacheError>;

    /// Stores `entries` (field, value) under `key` unless `key` was
    /// invalidated since `ticket` was taken; true if stored. A key with no
    /// expiry yet gets `ttl`.
    async fn fill(
        &self,
        key: &str,
        ticket: &Ticket,
        entries: &[(&str, &str)],
        ttl: Duration,
    ) -> Result<bool, CacheError>;

    /// Forgets every entry under each key, and makes every ticket taken
    /// before this call stale.
    async fn invalidate(&self, keys: &[&str]) -> Result<(), CacheError>;
}
