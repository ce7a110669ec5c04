//! `RepoClient` -> `RepoServer` on 127.0.0.1:0 -> `SqliteStore` in a temp
//! dir: the store conformance suite through gRPC, a commit's answer (a
//! stored message by its seq), a repo that is down or silent, a repo
//! restarted under calls or going away (GOAWAY) under them, requests the repo refuses, and calls timed on
//! both ends.

mod bad_requests;
mod commit;
mod conformance;
mod down;
mod going_away;
mod metrics;
mod restart;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use ferrochat_ports::Store;
use ferrochat_rpc::{serve_repo, Listener, RepoClient, RepoServer, RetryConfig};
use ferrochat_store_sql::{SqliteOptions, SqliteStore};
use ferrochat_test_support::conformance::Fresh;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Generous: cases race a handful of tasks on 2 busy cores.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A repo serving a fresh SQLite store on 127.0.0.1:0.
pub struct Repo {
    pub addr: SocketAddr,
    pub store: Arc<SqliteStore>,
    cancel: CancellationToken,
    /// `None` while halted.
    served: Option<JoinHandle<Result<(), tonic::transport::Error>>>,
    dir: TempDir,
}

impl Repo {
    pub async fn start() -> Self {
        Self::start_on(Listener::from).await
    }

    /// `start`, on the listener `wrap` makes of a bound one (plain or TLS).
    pub async fn start_on(wrap: impl FnOnce(TcpListener) -> Listener) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("ferrochat.db"), &SqliteOptions::default())
            .await
            .unwrap();
        let store = Arc::new(store);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut repo = Self {
            addr,
            store,
            cancel: CancellationToken::new(),
            served: None,
            dir,
        };
        repo.serve(wrap(listener));
        repo
    }

    fn serve(&mut self, listener: Listener) {
        self.cancel = CancellationToken::new();
        let server = RepoServer::new(self.store.clone());
        self.served = Some(tokio::spawn(serve_repo(
            listener,
            server,
            self.cancel.clone(),
        )));
    }

    /// A client whose calls give up after `timeout`.
    pub fn client(&self, timeout: Duration) -> RepoClient {
        let retry = RetryConfig {
            deadline: timeout,
            ..RetryConfig::default()
        };
        RepoClient::connect_lazy(self.addr, timeout, retry).unwrap()
    }

    /// Stops serving (calls in flight finish; the port is closed); the
    /// store stays open.
    pub async fn halt(&mut self) {
        self.cancel.cancel();
        if let Some(served) = self.served.take() {
            served.await.unwrap().unwrap();
        }
    }

    /// Serves again, on the same port and store.
    pub async fn resume(&mut self) {
        let listener = TcpListener::bind(self.addr).await.unwrap();
        self.serve(Listener::from(listener));
    }

    /// Stops serving (calls in flight finish), then closes the store.
    pub async fn stop(mut self) {
        self.halt().await;
        self.store.close().await;
        drop(self.dir);
    }
}

/// For the conformance suite: a client of a fresh repo; the cleanup stops
/// the repo.
async fn fresh_client() -> Fresh {
    let repo = Repo::start().await;
    let client: Arc<dyn Store> = Arc::new(repo.client(TIMEOUT));
    Fresh::with_cleanup(client, repo.stop())
}
