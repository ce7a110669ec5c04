//! Route tables on the test server, one key prefix per test.

use std::sync::Arc;

use ferrochat_ports::Presence;
use ferrochat_redis::{RedisOptions, RedisPresence};

pub use ferrochat_test_support::{service as server_url, REDIS_URL as REDIS_ENV};

/// Options with a prefix no other test uses.
pub fn unique_options() -> RedisOptions {
    RedisOptions {
        prefix: format!("ft:{}:", uuid::Uuid::new_v4().simple()),
        ..RedisOptions::default()
    }
}

pub async fn open(options: &RedisOptions) -> RedisPresence {
    let url = server_url(REDIS_ENV);
    RedisPresence::open(&url, options)
        .await
        .unwrap_or_else(|e| panic!("connecting to {REDIS_ENV} ({url}): {e}"))
}

pub async fn fresh_presence() -> Arc<dyn Presence> {
    Arc::new(open(&unique_options()).await)
}
