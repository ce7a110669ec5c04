//! `[gateway]` configuration.

use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GatewayConfig {
    /// HTTPS and WSS on the listener: set from the top-level `[tls]`.
    #[serde(skip)]
    pub tls: Option<crate::tls::ListenerTls>,
    /// Largest accepted HTTP request body; larger gets 1008.
    pub max_body_bytes: usize,
    /// A request still running after this gets 1004 and is dropped.
    #[serde(with = "humantime_serde")]
    pub request_timeout: Duration,
    /// A connection's request head must arrive whole within this, and a
    /// keep-alive connection is closed after this long without a request:
    /// a client that sends nothing, or drips a byte at a time, holds a
    /// socket this long at most.
    #[serde(with = "humantime_serde")]
    pub header_read_timeout: Duration,
    /// A request body must arrive whole within this once its head is in;
    /// a client that stalls mid-body gets 408 (1001).
    #[serde(with = "humantime_serde")]
    pub body_read_timeout: Duration,
    /// Most TCP connections at once (WebSockets included), lowered at
    /// start to the process's file limit minus `reserved_fds`; past it a
    /// new connection is closed at accept.
    pub max_connections: usize,
    /// Descriptors kept out of `max_connections` for the store, the bus,
    /// the route table and the process's own files.
    pub reserved_fds: usize,
    /// Connections taken past `max_connections` (out of `reserved_fds`)
    /// for the operations routes only: a full server still answers
    /// `/health`, `/live`, `/ready` and `/metrics`, one request per
    /// connection, and 1009 to anything else. When all are held, the
    /// oldest is closed for the newest, so a flood of silent connections
    /// cannot keep a health check out.
    pub ops_connections: usize,
    /// Most TCP connections at once from one client address; past it a
    /// new one is closed at accept.
    pub max_connections_per_ip: usize,
    /// Origins of browser apps served elsewhere that may call the API
    /// (CORS), exactly as a browser sends them (`https://app.example.com`);
    /// none by default.
    pub cors_origins: Vec<String>,
    /// Per client IP, on register and login.
    pub auth_rate_limit: RateLimitConfig,
    /// Per account, on wrong passwords (`login_guard.rs`).
    pub login_throttle: LoginThrottleConfig,
    /// Per caller (its bearer token, or its IP without one), on every
    /// `/api` route but register and login (`auth_rate_limit`) and on the
    /// WebSocket upgrade: past it 1007 with `Retry-After`. `/health`,
    /// `/live`, `/ready`, `/metrics` and the web client's files are not
    /// counted.
    pub http_rate_limit: RateLimitConfig,
    /// Per user, on every send (WebSocket and HTTP).
    pub send_rate_limit: RateLimitConfig,
    /// Per user, on every WebSocket frame that is not a send (`read`,
    /// `typing`, `sync`, `ping`, and frames refused as bad): past it the
    /// frame is answered 1007 and does nothing. A `typing` frame reaches
    /// every online member, so an unthrottled one is an amplifier.
    pub frame_rate_limit: RateLimitConfig,
    /// Per user, on `sync` frames, beside `frame_rate_limit`: each reads up
    /// to a page of history per conversation.
    pub sync_rate_limit: RateLimitConfig,
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
    /// Attachments' limits; set by the binary from `[storage]`.
    #[serde(skip)]
    pub attachments: crate::attach::AttachmentsConfig,
}

/// `[gateway.ws]`: WebSocket limits and liveness.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WsConfig {
    /// Frames queued for one connection; a client that falls this far
    /// behind is closed with 4008 and resyncs by seq. Well above
    /// `send_window`: the answers to a full window, or one sender's full
    /// window of deliveries, can come in one downstream record, queued
    /// before the connection's writer runs (a gateway on one thread), and
    /// a client that reads at once must not be taken for a slow one.
    /// Memory stays bounded by `outbox_bytes`.
    pub outbox_frames: usize,
    /// Bytes queued for one connection, counted from the moment a frame
    /// is queued until the socket took it; past this the connection is
    /// closed with 4008 like a full `outbox_frames`. A frame finding the
    /// outbox empty is always taken, so this bounds a connection's memory
    /// at this plus one frame (the largest is a `sync` reply, bounded by
    /// `ferrochat_domain::messaging::PAGE_MAX_BYTES`).
    pub outbox_bytes: usize,
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
    /// Most WebSocket connections of one user at once; a further upgrade
    /// is refused with 1007 (429) and the open ones are kept: closing the
    /// oldest would let a stolen token push its owner off.
    pub max_per_user: usize,
    /// Sends one connection may have waiting for their answer; with that
    /// many out, the gateway reads no more of its frames until one is
    /// answered.
    pub send_window: usize,
}

impl Default for WsConfig {
    fn default() -> Self {
        Self {
            outbox_frames: 1024,
            outbox_bytes: 1024 * 1024,
            max_frame_bytes: 64 * 1024,
            ping_interval: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(90),
            max_connections: 100_000,
            max_per_user: 10,
            send_window: 256,
        }
    }
}

impl Default for GatewayConfig {
    fn default() -> Self {
        Self {
            tls: None,
            max_body_bytes: 64 * 1024,
            request_timeout: Duration::from_secs(30),
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(10),
            max_connections: 200_000,
            reserved_fds: 256,
            ops_connections: 16,
            max_connections_per_ip: 1_000,
            cors_origins: Vec::new(),
            auth_rate_limit: RateLimitConfig {
                per_second: 5,
                burst: 20,
            },
            login_throttle: LoginThrottleConfig::default(),
            http_rate_limit: RateLimitConfig {
                per_second: 50,
                burst: 200,
            },
            send_rate_limit: RateLimitConfig {
                per_second: 10,
                burst: 100,
            },
            frame_rate_limit: RateLimitConfig {
                per_second: 20,
                burst: 60,
            },
            sync_rate_limit: RateLimitConfig {
                per_second: 2,
                burst: 20,
            },
            send_timeout: Duration::from_secs(120),
            ws: WsConfig::default(),
            max_content_bytes: 16 * 1024,
            attachments: crate::attach::AttachmentsConfig::default(),
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

/// `[gateway.login_throttle]`: wrong passwords per account.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoginThrottleConfig {
    /// Wrong passwords allowed before the first lock.
    pub free_failures: u32,
    /// The first lock; each further wrong password doubles it.
    #[serde(with = "humantime_serde")]
    pub first_backoff: Duration,
    /// The longest lock; failures older than this are forgotten.
    #[serde(with = "humantime_serde")]
    pub max_backoff: Duration,
    /// An address the account logged in from counts its failures apart
    /// for this long, so strangers cannot lock the owner out there.
    #[serde(with = "humantime_serde")]
    pub trust_for: Duration,
}

impl Default for LoginThrottleConfig {
    fn default() -> Self {
        Self {
            free_failures: 5,
            first_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(15 * 60),
            trust_for: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A full send window's answers (or one sender's window of
    /// deliveries) arrive in one burst: the default outbox takes that
    /// burst several times over before it calls a client slow.
    #[test]
    fn the_default_outbox_holds_several_send_windows() {
        let ws = WsConfig::default();
        assert!(
            ws.outbox_frames >= 2 * ws.send_window,
            "{} frames for a window of {}",
            ws.outbox_frames,
            ws.send_window
        );
    }
}
