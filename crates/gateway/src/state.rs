//! What the gateway is given (`GatewayDeps`) and shares with its handlers.

use std::net::IpAddr;
use std::sync::Arc;

use ferrochat_domain::routing::GatewayId;
use ferrochat_domain::UserId;
use ferrochat_ports::{
    AccountsApi, Attachments, AttachmentsApi, Bus, FanoutLag, GroupsApi, MessagingApi,
    ModerationApi, Presence, RateLimiter, Readiness, SocialApi,
};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::GatewayConfig;
use crate::fallback::FallbackRateLimiter;
use crate::http::{Caller, Exports};
use crate::lag::DispatchLag;
use crate::login_guard::LoginGuard;
use crate::pending::Pending;
use crate::ratelimit::{KeyedLimiter, LocalRateLimiter};
use crate::targets::Targets;
use crate::ws::{PerUser, Registry};

/// Renders the process's metrics in Prometheus text format.
pub type MetricsRender = Arc<dyn Fn() -> String + Send + Sync>;

/// The ports the gateway talks to. Embedded, these are the logic role
/// itself and in-process adapters; in a cluster, gRPC clients, Kafka and
/// Redis.
#[derive(Clone)]
pub struct GatewayDeps {
    /// This gateway's name on the bus (`downstream.{id}`).
    pub id: GatewayId,
    pub accounts: Arc<dyn AccountsApi>,
    pub messaging: Arc<dyn MessagingApi>,
    pub groups: Arc<dyn GroupsApi>,
    pub social: Arc<dyn SocialApi>,
    pub moderation: Arc<dyn ModerationApi>,
    /// Attachments' metadata and rules (logic).
    pub attachments: Arc<dyn AttachmentsApi>,
    /// Attachments' bytes (object storage), which the gateway streams
    /// itself.
    pub objects: Arc<dyn Attachments>,
    pub bus: Arc<dyn Bus>,
    pub presence: Arc<dyn Presence>,
    /// In a cluster, this gateway's routes live as long as its heartbeats:
    /// `Some(ttl)` keeps them alive (`None` embedded, where the route table
    /// lives and dies with the process).
    pub route_ttl: Option<std::time::Duration>,
    /// How often a cluster gateway beats (at most a third of `route_ttl`):
    /// also how soon it notices that the route table lost its routes and
    /// puts them back.
    pub heartbeat_interval: std::time::Duration,
    pub readiness: Arc<dyn Readiness>,
    pub metrics: MetricsRender,
    /// Per-user send buckets shared by every gateway (Redis in a cluster):
    /// `None` keeps them in this process. A shared limiter that fails is
    /// answered by a local bucket (`FallbackRateLimiter`).
    pub send_limiter: Option<Arc<dyn RateLimiter>>,
    /// Where this gateway reports how late it delivers (logic slows
    /// senders to large groups past `messaging.max_fanout_lag`); `None`
    /// reports nothing.
    pub lag: Option<Arc<dyn FanoutLag>>,
}

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) deps: GatewayDeps,
    pub(crate) config: Arc<GatewayConfig>,
    pub(crate) auth_limiter: Arc<KeyedLimiter<IpAddr>>,
    /// Per account, on wrong passwords.
    pub(crate) login_guard: Arc<LoginGuard>,
    /// Per caller, on `/api` routes and the WebSocket upgrade.
    pub(crate) http_limiter: Arc<KeyedLimiter<Caller>>,
    pub(crate) send_limiter: Arc<dyn RateLimiter>,
    /// Per user, on WebSocket frames that are not sends.
    pub(crate) frame_limiter: Arc<KeyedLimiter<UserId>>,
    /// Per user, on `sync` frames.
    pub(crate) sync_limiter: Arc<KeyedLimiter<UserId>>,
    pub(crate) registry: Arc<Registry>,
    pub(crate) pending: Arc<Pending>,
    /// The conversations of peers and groups, once known.
    pub(crate) targets: Arc<Targets>,
    /// One permit per open WebSocket.
    pub(crate) ws_permits: Arc<Semaphore>,
    /// Each user's open WebSockets (`gateway.ws.max_per_user`).
    pub(crate) user_conns: Arc<PerUser>,
    /// Cancelled when the gateway shuts down: sessions close with 1001.
    pub(crate) shutdown: CancellationToken,
    /// Every session task, so shutdown can wait for them.
    pub(crate) sessions: TaskTracker,
    /// How late the dispatcher's deliveries are (`lag.rs`).
    pub(crate) dispatch_lag: Arc<DispatchLag>,
    /// The users with an export running here.
    pub(crate) exports: Arc<Exports>,
    /// Images decoded at once for thumbnails (`storage.image_decoders`).
    pub(crate) image_permits: Arc<Semaphore>,
}

impl AppState {
    pub(crate) fn new(deps: GatewayDeps, config: GatewayConfig) -> Self {
        Self {
            auth_limiter: Arc::new(KeyedLimiter::new(config.auth_rate_limit)),
            login_guard: Arc::new(LoginGuard::new(config.login_throttle)),
            http_limiter: Arc::new(KeyedLimiter::new(config.http_rate_limit)),
            send_limiter: match &deps.send_limiter {
                Some(shared) => Arc::new(FallbackRateLimiter::new(
                    shared.clone(),
                    config.send_rate_limit,
                )),
                None => Arc::new(LocalRateLimiter::new(config.send_rate_limit)),
            },
            frame_limiter: Arc::new(KeyedLimiter::new(config.frame_rate_limit)),
            sync_limiter: Arc::new(KeyedLimiter::new(config.sync_rate_limit)),
            registry: Arc::new(Registry::new()),
            pending: Arc::new(Pending::new(config.send_timeout)),
            targets: Arc::new(Targets::default()),
            // Never more sockets than the process can hold (`edge.rs`).
            ws_permits: Arc::new(Semaphore::new(crate::edge::connection_cap(
                config.ws.max_connections,
                config.reserved_fds,
            ))),
            user_conns: Arc::new(PerUser::new(config.ws.max_per_user)),
            shutdown: CancellationToken::new(),
            sessions: TaskTracker::new(),
            dispatch_lag: Arc::new(DispatchLag::default()),
            exports: Arc::new(Exports::default()),
            image_permits: Arc::new(Semaphore::new(config.attachments.image_decoders.max(1))),
            config: Arc::new(config),
            deps,
        }
    }
}
