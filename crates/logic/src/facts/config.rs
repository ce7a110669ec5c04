//! `[cache]` configuration: how long shared cache entries live. A change
//! forgets its entries at once; these bound how long an entry can outlive
//! a change whose forget was lost (the cache unreachable from the writer).

use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CacheConfig {
    /// A conversation's meta, members' mutes and member list.
    #[serde(with = "humantime_serde")]
    pub conversation_ttl: Duration,
    /// Blocks and friendship between two users.
    #[serde(with = "humantime_serde")]
    pub pair_ttl: Duration,
    /// A user's public profile.
    #[serde(with = "humantime_serde")]
    pub profile_ttl: Duration,
    /// A login session (whether its access tokens are accepted). Short,
    /// because it bounds how long a revocation whose forget was lost can
    /// go unseen by other instances.
    #[serde(with = "humantime_serde")]
    pub session_ttl: Duration,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            conversation_ttl: Duration::from_secs(60 * 60),
            pair_ttl: Duration::from_secs(60 * 60),
            profile_ttl: Duration::from_secs(30 * 60),
            session_ttl: Duration::from_secs(60),
        }
    }
}
