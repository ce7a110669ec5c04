//! Which route table the spawned apps use: in memory (the default) or,
//! with `FERROCHAT_TEST_PRESENCE=redis`, the Redis that
//! `FERROCHAT_TEST_REDIS_URL` names, under a key prefix of each app's own.

use ferrochat::config::Config;

const PRESENCE_ENV: &str = "FERROCHAT_TEST_PRESENCE";

pub fn redis_url() -> String {
    ferrochat_test_support::service(ferrochat_test_support::REDIS_URL)
}

/// Points `config` at Redis when `FERROCHAT_TEST_PRESENCE` asks for it.
pub fn apply(config: &mut Config) {
    match std::env::var(PRESENCE_ENV).unwrap_or_default().as_str() {
        "" | "memory" => {}
        "redis" => {
            config.presence.redis_url = Some(redis_url());
            config.presence.redis_prefix = format!("it{}:", uuid::Uuid::new_v4().simple());
        }
        other => panic!("{PRESENCE_ENV}={other:?}: expected memory or redis"),
    }
}
