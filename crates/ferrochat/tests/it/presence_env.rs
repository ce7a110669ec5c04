//! Which route table the spawned apps use: in memory (the default) or,
//! with `FERROCHAT_TEST_PRESENCE=redis`, the Redis that
//! `FERROCHAT_TEST_REDIS_URL` names, under a key prefix of each app's own.

use ferrochat::config::Config;

const PRESENCE_ENV: &str = "FERROCHAT_TEST_PRESENCE";

pub fn redis_url() -> String {
    std::env::var("FERROCHAT_TEST_REDIS_URL").unwrap_or_else(|_| {
        panic!(
            "FERROCHAT_TEST_REDIS_URL is not set: start the test servers with \
             `scripts/services up` and load their addresses with \
             `eval \"$(scripts/services env)\"` (scripts/test does both)"
        )
    })
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
