//! The cluster roles, one per process: `ferrochat gateway | logic | repo
//! | task` (GoChat's im-gateway, im-logic, im-repo and im-task). Each opens only the
//! adapters it needs, serves `/metrics`, `/live` and `/ready` on its own
//! port, registers itself in discovery under a lease it keeps alive, and
//! on a clean stop takes its registration out first, so peers stop
//! sending before it stops answering.
//!
//! `RoleApp::build` binds every listener (port 0 works) and opens every
//! adapter; `RoleApp::run` serves until the token is cancelled.

mod gateway;
mod logic;
mod metrics;
mod registration;
mod repo;
mod task;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use ferrochat_ports::discovery::{Discovery, Instance};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::{default_metrics_listen, Config};
use crate::open;

/// Which role a process plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Gateway,
    Logic,
    Repo,
    Task,
}

impl Role {
    /// Its name in discovery and in logs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Gateway => "gateway",
            Self::Logic => "logic",
            Self::Repo => "repo",
            Self::Task => "task",
        }
    }
}

/// What each role runs once bound.
enum Body {
    Gateway(Box<gateway::Gateway>),
    Logic(logic::LogicRole),
    Repo(repo::RepoRole),
    // Boxed: its configuration (push providers included) makes it the
    // largest by far.
    Task(Box<task::TaskRole>),
}

/// A role bound and opened, ready to run.
pub struct RoleApp {
    role: Role,
    config: Config,
    /// What peers (or, for a gateway, clients) connect to.
    served: SocketAddr,
    metrics: metrics::MetricsServer,
    discovery: Arc<dyn Discovery>,
    body: Body,
}

impl RoleApp {
    pub async fn build(role: Role, config: Config) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating data dir {}", config.data_dir.display()))?;
        let tls = crate::internal_tls::load(&config, role)?;
        let discovery = open::discovery(&config)?;
        let (body, served, readiness) = match role {
            Role::Gateway => {
                let g = gateway::Gateway::build(&config, discovery.clone(), tls).await?;
                let (served, ready) = (g.local_addr(), g.readiness());
                (Body::Gateway(Box::new(g)), served, ready)
            }
            Role::Logic => {
                let l = logic::LogicRole::build(&config, discovery.clone(), tls).await?;
                let (served, ready) = (l.local_addr(), l.readiness(&config));
                (Body::Logic(l), served, ready)
            }
            Role::Repo => {
                let r = repo::RepoRole::build(&config, tls).await?;
                let (served, ready) = (r.local_addr(), r.readiness(&config, &discovery));
                (Body::Repo(r), served, ready)
            }
            Role::Task => {
                let t = task::TaskRole::build(&config, tls).await?;
                let ready = t.readiness(&config, &discovery);
                (
                    Body::Task(Box::new(t)),
                    SocketAddr::from(([0, 0, 0, 0], 0)),
                    ready,
                )
            }
        };
        let metrics_addr = config
            .metrics_listen
            .unwrap_or_else(|| default_metrics_listen(role.name()));
        let listener = TcpListener::bind(metrics_addr)
            .await
            .with_context(|| format!("binding metrics_listen {metrics_addr}"))?;
        let metrics = metrics::MetricsServer::new(listener, readiness)?;
        // The task role serves nothing but metrics: that is its address.
        let served = if role == Role::Task {
            metrics.local_addr()
        } else {
            served
        };
        Ok(Self {
            role,
            config,
            served,
            metrics,
            discovery,
            body,
        })
    }

    /// The address this role serves on (a gateway's HTTP/WebSocket
    /// listener, logic's gRPC; the task role's metrics).
    pub fn local_addr(&self) -> SocketAddr {
        self.served
    }

    pub fn metrics_addr(&self) -> SocketAddr {
        self.metrics.local_addr()
    }

    pub async fn run(self, cancel: CancellationToken) -> anyhow::Result<()> {
        let Self {
            role,
            config,
            served,
            metrics,
            discovery,
            body,
        } = self;
        let instance = Instance {
            role: role.name().to_owned(),
            id: config.node_id.clone(),
            addr: advertised(&config, served)?,
        };
        tracing::info!(
            role = role.name(),
            addr = %served,
            metrics = %metrics.local_addr(),
            version = env!("CARGO_PKG_VERSION"),
            "listening"
        );
        let upkeep = tokio::spawn(metrics::upkeep(cancel.clone()));
        let metrics_run = tokio::spawn(metrics.serve(cancel.clone()));
        // Registered before serving: a gateway's lease exists before its
        // first route does, so a reaper never mistakes it for dead.
        let ttl = config.discovery.lease_ttl;
        let registration = match registration::Registration::start(discovery, instance, ttl).await {
            Ok(r) => r,
            Err(e) => {
                cancel.cancel();
                let _ = metrics_run.await;
                let _ = upkeep.await;
                return Err(e);
            }
        };
        // Peers learn of a clean stop before this process stops answering.
        let body_cancel = CancellationToken::new();
        let deregister = {
            let cancel = cancel.clone();
            let body_cancel = body_cancel.clone();
            let registration = registration.clone();
            async move {
                cancel.cancelled().await;
                registration.stop().await;
                body_cancel.cancel();
            }
        };
        let deregistering = tokio::spawn(deregister);
        let grace = config.shutdown.grace;
        let result = match body {
            Body::Gateway(g) => g.run(&config, body_cancel.clone(), grace).await,
            Body::Logic(l) => l.run(&config, body_cancel.clone(), grace).await,
            Body::Repo(r) => r.run(body_cancel.clone(), grace).await,
            Body::Task(t) => t.run(body_cancel.clone()).await,
        };
        // The body may end on its own (a listener failed): stop the rest.
        cancel.cancel();
        let _ = deregistering.await;
        let _ = metrics_run.await;
        let _ = upkeep.await;
        tracing::info!(role = role.name(), "stopped");
        result
    }
}

/// `host:port` peers use to reach `bound`.
fn advertised(config: &Config, bound: SocketAddr) -> anyhow::Result<String> {
    if let Some(host) = &config.discovery.advertise_host {
        return Ok(format!("{host}:{}", bound.port()));
    }
    anyhow::ensure!(
        !bound.ip().is_unspecified(),
        "bound {bound}, which peers cannot dial: set discovery.advertise_host"
    );
    Ok(bound.to_string())
}

/// Waits for `serving`, a server that stops by itself once `cancel` fires:
/// as long as it serves, then at most `grace` while it drains. `None` when
/// the grace ran out.
async fn until_stopped<T>(
    mut serving: tokio::task::JoinHandle<T>,
    cancel: &CancellationToken,
    grace: Duration,
    what: &str,
) -> Option<Result<T, tokio::task::JoinError>> {
    let early = tokio::select! {
        r = &mut serving => Some(r),
        _ = cancel.cancelled() => None,
    };
    match early {
        Some(r) => Some(r),
        None => within_grace(grace, what, serving).await,
    }
}

/// Waits at most `grace` for `stopping`, then gives up on it.
async fn within_grace<T>(
    grace: Duration,
    what: &str,
    stopping: impl std::future::Future<Output = T>,
) -> Option<T> {
    match tokio::time::timeout(grace, stopping).await {
        Ok(v) => Some(v),
        Err(_) => {
            tracing::warn!(
                ?grace,
                what,
                "still running after the grace period; stopping anyway"
            );
            None
        }
    }
}
