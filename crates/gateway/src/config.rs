//! `[gateway]` configuration.

use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GatewayConfig {
    /// Largest accepted HTTP request body; larger gets 1008.
    pub max_body_bytes: usize,
    /// A request still running after this gets 1004 and is dropped.
    #[serde(with = "humantime_serde")]
    pub request_timeout: Duration,
    /// Per client IP, on register and login.
    pub auth_rate_limit: RateLimitConfig,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 64 * 1024,
            request_timeout: Duration::from_secs(30),
            auth_rate_limit: RateLimitConfig {
                per_second: 5,
                burst: 20,
            },
        }
    }
}

/// A token bucket: `burst` requests at once, refilled at `per_second`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    pub per_second: u32,
    pub burst: u32,
}
