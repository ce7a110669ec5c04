//! Route tables on the test server, one key prefix per test.

use std::sync::Arc;

use ferrochat_ports::Presence;
use ferrochat_presence_redis::{RedisOptions, RedisPresence};

pub const REDIS_ENV: &str = "FERROCHAT_TEST_REDIS_URL";

/// The server URL in `var`; a missing one fails the test, naming the
/// command that starts the servers.
pub fn server_url(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!(
            "{var} is not set: start the test servers with `scripts/services up` \
             and load their addresses with `eval \"$(scripts/services env)\"` \
             (scripts/test does both)"
        )
    })
}

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
