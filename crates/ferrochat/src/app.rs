//! `App`: everything wired, bound and opened, ready to serve.
//!
//! `build` opens the store (applying migrations) and binds the listener, so
//! a caller knows the real address before serving (port 0 works). `run`
//! serves until the token is cancelled, then shuts down in order: stop
//! accepting and drain requests, then close the store.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use async_trait::async_trait;
use ferrochat_gateway::GatewayDeps;
use ferrochat_logic::Accounts;
use ferrochat_ports::{Readiness, Store};
use ferrochat_store_sqlite::{SqliteOptions, SqliteStore};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::{secret, telemetry};

pub struct App {
    config: Config,
    listener: TcpListener,
    local_addr: SocketAddr,
    store: Arc<dyn Store>,
    gateway: GatewayDeps,
}

struct StoreReadiness(Arc<dyn Store>);

#[async_trait]
impl Readiness for StoreReadiness {
    async fn check(&self) -> Result<(), String> {
        self.0
            .ping()
            .await
            .map_err(|_| "store unreachable".to_owned())
    }
}

impl App {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating data dir {}", config.data_dir.display()))?;
        let store = open_store(&config).await?;
        let secret = secret::resolve(config.auth.jwt_secret.as_deref(), &config.data_dir)?;
        let accounts = Accounts::new(store.clone(), &config.auth, &secret)
            .map_err(|e| anyhow::anyhow!("auth setup: {e}"))?;
        let gateway = GatewayDeps {
            accounts: Arc::new(accounts),
            readiness: Arc::new(StoreReadiness(store.clone())),
            metrics: telemetry::metrics_render(),
        };
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("binding {}", config.listen))?;
        let local_addr = listener.local_addr()?;
        Ok(Self {
            config,
            listener,
            local_addr,
            store,
            gateway,
        })
    }

    /// The address the HTTP/WebSocket listener actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub async fn run(self, cancel: CancellationToken) -> anyhow::Result<()> {
        let Self {
            config,
            listener,
            store,
            gateway,
            ..
        } = self;
        let upkeep = tokio::spawn(metrics_upkeep(cancel.clone()));
        let gateway_cancel = cancel.child_token();
        let mut serving = tokio::spawn(ferrochat_gateway::run(
            listener,
            gateway,
            config.gateway.clone(),
            gateway_cancel.clone(),
        ));
        let served = tokio::select! {
            r = &mut serving => Some(r),
            _ = cancel.cancelled() => None,
        };
        let served = match served {
            Some(r) => r,
            None => {
                tracing::info!("shutting down");
                gateway_cancel.cancel();
                match tokio::time::timeout(config.shutdown.grace, &mut serving).await {
                    Ok(r) => r,
                    Err(_) => {
                        tracing::warn!(grace = ?config.shutdown.grace, "requests still running after the grace period; stopping anyway");
                        serving.abort();
                        Ok(Ok(()))
                    }
                }
            }
        };
        cancel.cancel();
        let _ = upkeep.await;
        store.close().await;
        tracing::info!("stopped");
        served.context("gateway task")?.context("serving HTTP")
    }
}

async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let path = config.sqlite_path();
    let opts = SqliteOptions {
        synchronous: config
            .store
            .synchronous
            .parse()
            .map_err(|e: String| anyhow::anyhow!(e))?,
        read_connections: config.store.read_connections,
        ..SqliteOptions::default()
    };
    let store = SqliteStore::open(&path, &opts)
        .await
        .with_context(|| format!("opening {}", path.display()))?;
    Ok(Arc::new(store))
}

async fn metrics_upkeep(cancel: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => telemetry::metrics_upkeep(),
        }
    }
}
