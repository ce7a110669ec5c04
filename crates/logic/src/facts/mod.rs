//! The facts logic reads on every request (a conversation's meta and
//! members' states, its member list, blocks and friendships, profiles,
//! sessions), cached behind one interface, [`FactStore`], chosen once
//! when the role is built:
//!
//! - `InProcess` (`local.rs`): the only logic instance (`serve`) keeps
//!   them in its memory;
//! - `Shared` (`shared.rs`): several instances share Redis, so a change
//!   made through one is seen by all from the next request on;
//! - `Uncached`: several instances and no shared cache: nothing that can
//!   change is cached, since one instance could not make the others
//!   forget.
//!
//! Whichever it is, the rule is the same: facts are grouped under a key,
//! the unit a change forgets (`keys.rs`); a change forgets its keys after
//! its store write and before it answers; and a store read that began
//! before a forget is never cached after it (the ticket `get` hands out),
//! so a kicked, muted or blocked user, or a revoked session, is refused
//! from the next request on. Negative answers (`None` from the store) are
//! not cached: ids are random, so they would only let a caller fill the
//! cache.

mod codec;
mod config;
pub(crate) mod keys;
mod local;
mod shared;

use std::any::Any;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use ferrochat_ports::{SharedCache, StoreError};

pub(crate) use codec::Codec;
pub use config::CacheConfig;

/// A fact as a cache holds it: its text for a cache that keeps text
/// (Redis), the value itself for one that keeps values (this process).
pub(crate) trait Stored: Send + Sync + 'static {
    fn text(&self) -> String;
    fn as_any(&self) -> &dyn Any;
    /// `Codec::weight`: what a cache in memory counts it as.
    fn weight(&self) -> usize;
}

impl<T: Codec + Send + Sync + 'static> Stored for T {
    fn text(&self) -> String {
        self.encode()
    }

    fn weight(&self) -> usize {
        Codec::weight(self)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A cached value, in the form its cache keeps it.
pub(crate) enum Found {
    Text(String),
    Value(Arc<dyn Stored>),
}

impl Found {
    /// The fact, or `None` if it is not a `T` (text written by another
    /// version: a miss).
    fn decode<T: Codec + Clone + 'static>(&self) -> Option<T> {
        match self {
            Self::Text(text) => T::decode(text),
            Self::Value(v) => v.as_any().downcast_ref::<T>().cloned(),
        }
    }
}

/// The version of a key when `get` read it, for the `fill` after it.
pub(crate) enum Ticket {
    /// This process's count of forgets.
    Generation(u64),
    /// The shared cache's version of the key.
    Version(ferrochat_ports::cache::Ticket),
}

/// What `get` found: one value per field asked, and the ticket to fill
/// the missing ones with.
pub(crate) struct Hits {
    pub(crate) values: Vec<Option<Found>>,
    pub(crate) ticket: Ticket,
}

/// Where the facts are cached.
#[async_trait]
pub(crate) trait FactStore: Send + Sync {
    /// Who answers a hit, for metrics: `memory` or `shared`.
    fn source(&self) -> &'static str;

    /// The values of `fields` under `key`; `None` if this cache has
    /// nothing to say (unreachable, or caching nothing): the store
    /// answers and nothing is filled.
    async fn get(&self, key: &str, fields: &[&str]) -> Option<Hits>;

    /// Keeps `entries` under `key` unless `key` was forgotten since
    /// `ticket` was taken. `ttl`: how long the shared cache keeps them (a
    /// lost forget heals then); this process's memory needs none.
    async fn fill(
        &self,
        key: &str,
        ticket: Ticket,
        entries: Vec<(&str, Arc<dyn Stored>)>,
        ttl: Duration,
    );

    /// Forgets everything under `keys`, for every instance. False if that
    /// could not be done (logged and counted by the store).
    async fn forget(&self, keys: &[&str]) -> bool;
}

/// Caches nothing: several logic instances without a shared cache.
struct Uncached;

#[async_trait]
impl FactStore for Uncached {
    fn source(&self) -> &'static str {
        "store"
    }

    async fn get(&self, _: &str, _: &[&str]) -> Option<Hits> {
        None
    }

    async fn fill(&self, _: &str, _: Ticket, _: Vec<(&str, Arc<dyn Stored>)>, _: Duration) {}

    async fn forget(&self, _: &[&str]) -> bool {
        true
    }
}

fn count(result: &'static str) {
    metrics::counter!("ferrochat_cache_reads_total", "result" => result).increment(1);
}

/// The fact from its cached value, else from `load`, noting in `fill`
/// what to cache.
async fn cached_or_load<'f, T, F>(
    cached: Option<&Option<Found>>,
    field: &'f str,
    load: F,
    fill: &mut Vec<(&'f str, Arc<dyn Stored>)>,
) -> Result<Option<T>, StoreError>
where
    T: Codec + Clone + Send + Sync + 'static,
    F: Future<Output = Result<Option<T>, StoreError>>,
{
    if let Some(v) = cached.and_then(Option::as_ref).and_then(Found::decode::<T>) {
        count("hit");
        return Ok(Some(v));
    }
    count("miss");
    let value = load.await?;
    if let Some(v) = &value {
        fill.push((field, Arc::new(v.clone())));
    }
    Ok(value)
}

/// The facts of this logic instance, wherever they are cached.
pub(crate) struct Facts {
    store: Box<dyn FactStore>,
    pub(crate) config: CacheConfig,
}

impl Facts {
    /// In the shared cache if there is one, else in this process's memory
    /// if it is the only logic instance (`in_process`), else nowhere.
    pub(crate) fn new(
        shared: Option<Arc<dyn SharedCache>>,
        in_process: bool,
        config: CacheConfig,
    ) -> Self {
        let store: Box<dyn FactStore> = match shared {
            Some(cache) => Box::new(shared::SharedFacts::new(cache)),
            None if in_process => Box::new(local::InProcess::new(local::CAPACITY)),
            None => Box::new(Uncached),
        };
        Self { store, config }
    }

    /// Who answers what this cache holds, for metrics (`memory`,
    /// `shared`; `store` when it holds nothing).
    pub(crate) fn source(&self) -> &'static str {
        self.store.source()
    }

    /// The fact at (`key`, `field`), from the cache, else from `load` (and
    /// then cached, unless a change forgot `key` meanwhile).
    pub(crate) async fn read<T, F>(
        &self,
        key: &str,
        field: &str,
        ttl: Duration,
        load: F,
    ) -> Result<Option<T>, StoreError>
    where
        T: Codec + Clone + Send + Sync + 'static,
        F: Future<Output = Result<Option<T>, StoreError>>,
    {
        let Some(hits) = self.store.get(key, &[field]).await else {
            return load.await;
        };
        let mut fill = Vec::new();
        let value = cached_or_load(hits.values.first(), field, load, &mut fill).await?;
        self.fill(key, hits.ticket, fill, ttl).await;
        Ok(value)
    }

    /// Two facts under one key, as `read` reads each, in one call to the
    /// cache (and one fill for what was missing).
    pub(crate) async fn read_two<A, B, FA, FB>(
        &self,
        key: &str,
        fields: [&str; 2],
        ttl: Duration,
        load_a: FA,
        load_b: FB,
    ) -> Result<(Option<A>, Option<B>), StoreError>
    where
        A: Codec + Clone + Send + Sync + 'static,
        B: Codec + Clone + Send + Sync + 'static,
        FA: Future<Output = Result<Option<A>, StoreError>>,
        FB: Future<Output = Result<Option<B>, StoreError>>,
    {
        let Some(hits) = self.store.get(key, &fields).await else {
            return Ok((load_a.await?, load_b.await?));
        };
        let mut fill = Vec::new();
        let a = cached_or_load(hits.values.first(), fields[0], load_a, &mut fill).await?;
        let b = cached_or_load(hits.values.get(1), fields[1], load_b, &mut fill).await?;
        self.fill(key, hits.ticket, fill, ttl).await;
        Ok((a, b))
    }

    async fn fill(
        &self,
        key: &str,
        ticket: Ticket,
        entries: Vec<(&str, Arc<dyn Stored>)>,
        ttl: Duration,
    ) {
        if !entries.is_empty() {
            self.store.fill(key, ticket, entries, ttl).await;
        }
    }

    /// Forgets every fact under `keys`, for every instance; false if the
    /// shared cache could not be reached (logged and counted), for a
    /// caller that must not report success then (a logout).
    pub(crate) async fn forget(&self, keys: &[&str]) -> bool {
        self.store.forget(keys).await
    }
}
