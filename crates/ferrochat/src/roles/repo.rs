//! `ferrochat repo`: the store (MariaDB, PostgreSQL or SQLite) served over
//! gRPC to logic and task roles whose `store.url` is `repo://` (GoChat's
//! im-repo). It owns the connection pool and the migrations.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use ferrochat_ports::discovery::Discovery;
use ferrochat_ports::{Readiness, Store};
use ferrochat_rpc::{InternalTls, Listener, PeerRole, RepoServer};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::{Config, StoreKind};
use crate::open;
use crate::readiness::{self, StoreReachable};

pub(super) struct RepoRole {
    listener: Listener,
    local_addr: SocketAddr,
    store: Arc<dyn Store>,
}

impl RepoRole {
    pub(super) async fn build(config: &Config, tls: Option<InternalTls>) -> anyhow::Result<Self> {
        anyhow::ensure!(
            config.store_kind() != StoreKind::Repo,
            "store.url: the repo role serves a store; it cannot be repo:// itself"
        );
        let store = open::store(config, None).await?;
        let listener = TcpListener::bind(config.repo.grpc_listen)
            .await
            .with_context(|| format!("binding repo.grpc_listen {}", config.repo.grpc_listen))?;
        let local_addr = listener.local_addr()?;
        // Only logic and task call the repo.
        let listener = match tls {
            Some(tls) => Listener::Tls(listener, tls.server(&[PeerRole::Logic, PeerRole::Task])?),
            None => Listener::Plain(listener),
        };
        Ok(Self {
            listener,
            local_addr,
            store,
        })
    }

    pub(super) fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub(super) fn readiness(
        &self,
        config: &Config,
        discovery: &Arc<dyn Discovery>,
    ) -> Arc<dyn Readiness> {
        readiness::role(
            config,
            vec![Arc::new(StoreReachable(self.store.clone()))],
            discovery,
        )
    }

    /// Serves until `cancel`, finishes the calls in flight, then closes
    /// the store.
    pub(super) async fn run(
        self,
        cancel: CancellationToken,
        grace: Duration,
    ) -> anyhow::Result<()> {
        let server = RepoServer::new(self.store.clone());
        let serving = ferrochat_rpc::serve_repo(self.listener, server, cancel.clone());
        let served = super::until_stopped(tokio::spawn(serving), &cancel, grace, "repo").await;
        self.store.close().await;
        match served {
            Some(r) => r
                .context("repo gRPC task")?
                .context("serving the repo over gRPC"),
            None => Ok(()),
        }
    }
}
