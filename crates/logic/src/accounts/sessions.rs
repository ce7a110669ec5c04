//! Whether an access token's session is live, without a store read per
//! request.
//!
//! Every authenticated request and WebSocket upgrade asks this. The JWT
//! proves who signed it and until when; only the session says whether it
//! was revoked since (logout, refresh-token reuse). Reading it from the
//! store each time was a round trip to the database per request (in a
//! cluster: logic to repo to MariaDB), so the session is cached:
//!
//! - one logic instance (`serve`): in a bounded LRU table in this
//!   process;
//! - several (`LogicDeps::cache` set: Kafka and Redis): in the shared
//!   cache, under `keys::session`, for `[cache] session_ttl`;
//! - several without a shared cache (Kafka, no Redis): not at all, since
//!   this process could not make the others forget.
//!
//! The code that revokes a session or rotates its refresh token calls
//! `forget` after the store write and before it answers, and a read that
//! began before a forget is never cached after it (the generation here,
//! the shared cache's ticket there), so a revoked token is refused from
//! the next request on, through every gateway. When the shared cache
//! cannot be reached the store answers: never a cached "live" that might
//! be stale. Expiry needs no forget: `expires_at` is compared with the
//! clock at each check.

use std::sync::{Arc, Mutex, MutexGuard};

use ferrochat_domain::{SessionId, Timestamp, UserId};
use ferrochat_ports::store::SessionRecord;
use ferrochat_ports::{Store, StoreError};
use hashlink::LruCache;
use serde::{Deserialize, Serialize};

use crate::shared::{keys, Codec, SharedFacts};

/// Sessions the in-process table holds at most; the least recently
/// checked one goes first.
const CAPACITY: usize = 100_000;

/// Counts who answered a session check: `memory` (this process's table),
/// `shared` (the shared cache) or `store`.
fn answered_by(source: &'static str) {
    metrics::counter!("ferrochat_session_checks_total", "source" => source).increment(1);
}

pub(crate) struct Sessions {
    store: Arc<dyn Store>,
    local: Option<LocalSessions>,
    shared: Option<Arc<SharedFacts>>,
}

impl Sessions {
    /// `in_process`: this is the only logic instance, so sessions may be
    /// cached in its memory; ignored when `shared` is set.
    pub(crate) fn new(
        store: Arc<dyn Store>,
        in_process: bool,
        shared: Option<Arc<SharedFacts>>,
    ) -> Self {
        let local = (in_process && shared.is_none()).then(|| LocalSessions::new(CAPACITY));
        Self {
            store,
            local,
            shared,
        }
    }

    /// The session `id`, as the store last said (through a cache that
    /// every change to it forgets).
    pub(crate) async fn get(&self, id: &SessionId) -> Result<Option<SessionRecord>, StoreError> {
        if let Some(shared) = &self.shared {
            let mut loaded = false;
            let load = async {
                loaded = true;
                self.store.session(id).await
            };
            let ttl = shared.config.session_ttl;
            let found = shared
                .read(&keys::session(id), keys::SESSION, ttl, load)
                .await?;
            answered_by(if loaded { "store" } else { "shared" });
            return Ok(found);
        }
        let Some(local) = &self.local else {
            answered_by("store");
            return self.store.session(id).await;
        };
        if let Some(found) = local.get(id) {
            answered_by("memory");
            return Ok(Some(found));
        }
        let generation = local.generation();
        let found = self.store.session(id).await?;
        answered_by("store");
        if let Some(record) = &found {
            local.fill(generation, record);
        }
        Ok(found)
    }

    /// After `id` changed in the store (revoked, or its refresh token
    /// rotated), before answering: every instance forgets it. False if the
    /// shared cache could not be reached (logged and counted): other
    /// instances may accept the session until `[cache] session_ttl`.
    pub(crate) async fn forget(&self, id: &SessionId) -> bool {
        if let Some(local) = &self.local {
            local.forget(id);
        }
        match &self.shared {
            Some(shared) => shared.forget(&[&keys::session(id)]).await,
            None => true,
        }
    }
}

/// The in-process table: an LRU map and a generation that every forget
/// moves on.
struct LocalSessions {
    inner: Mutex<Local>,
}

struct Local {
    /// A store read that began before a forget must not be cached after
    /// it, or a revocation could be undone by a check racing it.
    generation: u64,
    entries: LruCache<SessionId, SessionRecord>,
}

impl LocalSessions {
    fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Local {
                generation: 0,
                entries: LruCache::new(capacity),
            }),
        }
    }

    /// The table, or none if a panic poisoned it: then every check reads
    /// the store, which is slower but never wrong.
    fn lock(&self) -> Option<MutexGuard<'_, Local>> {
        self.inner.lock().ok()
    }

    fn get(&self, id: &SessionId) -> Option<SessionRecord> {
        self.lock()?.entries.get(id).cloned()
    }

    fn generation(&self) -> Option<u64> {
        self.lock().map(|t| t.generation)
    }

    /// Caches `record` unless a forget happened since `generation` was
    /// read.
    fn fill(&self, generation: Option<u64>, record: &SessionRecord) {
        if let Some(mut t) = self.lock() {
            if Some(t.generation) == generation {
                t.entries.insert(record.id.clone(), record.clone());
            }
        }
    }

    fn forget(&self, id: &SessionId) {
        if let Some(mut t) = self.lock() {
            t.generation += 1;
            t.entries.remove(id);
        }
    }
}

/// A session as text in the shared cache; one that does not decode is a
/// miss.
#[derive(Serialize, Deserialize)]
struct SessionText {
    id: String,
    user_id: String,
    expires_at: i64,
    revoked: bool,
}

impl Codec for SessionRecord {
    fn encode(&self) -> String {
        let text = SessionText {
            id: self.id.as_str().to_owned(),
            user_id: self.user_id.as_str().to_owned(),
            expires_at: self.expires_at.millis(),
            revoked: self.revoked,
        };
        // Strings, a number and a flag: serialising cannot fail.
        serde_json::to_string(&text).unwrap_or_default()
    }

    fn decode(raw: &str) -> Option<Self> {
        let t: SessionText = serde_json::from_str(raw).ok()?;
        Some(Self {
            id: SessionId::from_stored(t.id),
            user_id: UserId::from_stored(t.user_id),
            expires_at: Timestamp::from_millis(t.expires_at),
            revoked: t.revoked,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str) -> SessionRecord {
        SessionRecord {
            id: SessionId::from_stored(id.into()),
            user_id: UserId::from_stored("u".into()),
            expires_at: Timestamp::from_millis(1_700_000_000_000),
            revoked: false,
        }
    }

    #[test]
    fn a_session_survives_its_text_and_foreign_text_is_a_miss() {
        let mut r = record("s1");
        assert_eq!(SessionRecord::decode(&r.encode()), Some(r.clone()));
        r.revoked = true;
        assert_eq!(SessionRecord::decode(&r.encode()), Some(r));
        assert_eq!(SessionRecord::decode("{\"id\":\"s1\"}"), None);
        assert_eq!(SessionRecord::decode("live"), None);
    }

    #[test]
    fn a_read_from_before_a_forget_is_not_cached_after_it() {
        let table = LocalSessions::new(10);
        let s1 = record("s1");
        let before = table.generation();
        table.forget(&s1.id);
        table.fill(before, &s1);
        assert_eq!(table.get(&s1.id), None);

        table.fill(table.generation(), &s1);
        assert_eq!(table.get(&s1.id), Some(s1.clone()));
        table.forget(&s1.id);
        assert_eq!(table.get(&s1.id), None);
    }

    #[test]
    fn the_table_keeps_the_most_recently_checked_sessions() {
        let table = LocalSessions::new(2);
        let (a, b, c) = (record("a"), record("b"), record("c"));
        for r in [&a, &b] {
            table.fill(table.generation(), r);
        }
        assert!(table.get(&a.id).is_some(), "a is now the most recent");
        table.fill(table.generation(), &c);
        assert!(table.get(&b.id).is_none(), "b was the least recent");
        assert!(table.get(&a.id).is_some());
        assert!(table.get(&c.id).is_some());
    }
}
