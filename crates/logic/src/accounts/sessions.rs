//! Whether an access token's session is live, without a store read per
//! request.
//!
//! Every authenticated request and WebSocket upgrade asks this. The JWT
//! proves who signed it and until when; only the session says whether it
//! was revoked since (logout, refresh-token reuse). Reading it from the
//! store each time was a round trip to the database per request (in a
//! cluster: logic to repo to MariaDB), so the session is cached among
//! the role's `Facts`, under `keys::session`:
//!
//! - one logic instance (`serve`): in this process's memory;
//! - several (`LogicDeps::cache` set: Kafka and Redis): in the shared
//!   cache, for `[cache] session_ttl`;
//! - several without a shared cache (Kafka, no Redis): not at all, since
//!   this process could not make the others forget.
//!
//! The code that revokes a session or rotates its refresh token calls
//! `forget` after the store write and before it answers, and a read that
//! began before a forget is never cached after it, so a revoked token is
//! refused from the next request on, through every gateway. When the shared cache
//! cannot be reached the store answers: never a cached "live" that might
//! be stale. Expiry needs no forget: `expires_at` is compared with the
//! clock at each check.

use std::sync::Arc;

use ferrochat_domain::{SessionId, Timestamp, UserId};
use ferrochat_ports::store::SessionRecord;
use ferrochat_ports::{Store, StoreError};
use serde::{Deserialize, Serialize};

use crate::facts::{keys, Codec, Facts};

/// Counts who answered a session check: `memory` (this process's table),
/// `shared` (the shared cache) or `store`.
fn answered_by(source: &'static str) {
    metrics::counter!("ferrochat_session_checks_total", "source" => source).increment(1);
}

pub(crate) struct Sessions {
    store: Arc<dyn Store>,
    facts: Arc<Facts>,
}

impl Sessions {
    pub(crate) fn new(store: Arc<dyn Store>, facts: Arc<Facts>) -> Self {
        Self { store, facts }
    }

    /// The session `id`, as the store last said (through a cache that
    /// every change to it forgets).
    pub(crate) async fn get(&self, id: &SessionId) -> Result<Option<SessionRecord>, StoreError> {
        let mut loaded = false;
        let load = async {
            loaded = true;
            self.store.session(id).await
        };
        let ttl = self.facts.config.session_ttl;
        let found = self
            .facts
            .read(&keys::session(id), keys::SESSION, ttl, load)
            .await?;
        answered_by(if loaded { "store" } else { self.facts.source() });
        Ok(found)
    }

    /// After `id` changed in the store (revoked, or its refresh token
    /// rotated), before answering: every instance forgets it. False if the
    /// shared cache could not be reached (logged and counted): other
    /// instances may accept the session until `[cache] session_ttl`.
    pub(crate) async fn forget(&self, id: &SessionId) -> bool {
        self.facts.forget(&[&keys::session(id)]).await
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
}
