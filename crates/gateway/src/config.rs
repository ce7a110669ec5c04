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
    /// Per user, on every send (WebSocket and HTTP).
    pub send_rate_limit: RateLimitConfig,
    /// How long a WebSocket send waits for its answer before it is told
    /// 1009 (resend with the same client_msg_id) and its place in the
    /// connection's window is freed. Answers are lost only if the broker
    /// loses records (a crashed logic's sends are answered by the next),
    /// so this is long: a deep queue under load must not time out. An HTTP
    /// send waits at most nine tenths of `request_timeout`.
    #[serde(with = "humantime_serde")]
    pub send_timeout: Duration,
    pub ws: WsConfig,
    /// Largest message content; set by the binary from
    /// `messaging.max_content_bytes` so the edge and logic agree.
    #[serde(skip)]
    pub max_content_bytes: usize,
}

/// `[gateway.ws]`: WebSocket limits and liveness.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WsConfig {
    /// Frames queued for one connection; a client that falls this far
    /// behind is closed with 4008 and resyncs by seq.
    pub outbox_frames: usize,
    /// Largest frame accepted from a client; larger closes with 1009.
    pub max_frame_bytes: usize,
    /// The server pings this often.
    #[serde(with = "humantime_serde")]
    pub ping_interval: Duration,
    /// A connection silent this long is closed.
    #[serde(with = "humantime_serde")]
    pub idle_timeout: Duration,
    /// Most WebSocket connections at once; more get 503.
    pub max_connections: usize,
    /// Sends one connection may have waiting for their answer; with that
    /// many out, the gateway reads no more of its frames until one is
    /// answered.
    pub send_window: usize,
}

impl Default for WsConfig {
    fn default() -> Self {
        Self {
            outbox_frames: 256,
            max_frame_bytes: 64 * 1024,
            ping_interval: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(90),
            max_connections: 100_000,
            send_window: 256,
        }
    }
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
            send_rate_limit: RateLimitConfig {
                per_second: 10,
                burst: 100,
            },
            send_timeout: Duration::from_secs(120),
            ws: WsConfig::default(),
            max_content_bytes: 16 * 1024,
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
