//! `RepoClient` -> `RepoServer` on 127.0.0.1:0 -> `SqliteStore` in a temp
//! dir: the store conformance suite through gRPC, a repo that is down or
//! silent, requests the repo refuses, and calls timed on both ends.

mod bad_requests;
mod conformance;
mod down;
mod metrics;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use ferrochat_ports::conformance::Fresh;
use ferrochat_ports::Store;
use ferrochat_rpc::{serve_repo, Listener, RepoClient, RepoServer};
use ferrochat_store_sqlite::{SqliteOptions, SqliteStore};
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
    served: JoinHandle<Result<(), tonic::transport::Error>>,
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
        let cancel = CancellationToken::new();
        let served = tokio::spawn(serve_repo(
            wrap(listener),
            RepoServer::new(store.clone()),
            cancel.clone(),
        ));
        Self {
            addr,
            store,
            cancel,
            served,
            dir,
        }
    }

    pub fn client(&self, timeout: Duration) -> RepoClient {
        RepoClient::connect_lazy(self.addr, timeout).unwrap()
    }

    /// Stops serving (calls in flight finish), then closes the store.
    pub async fn stop(self) {
        self.cancel.cancel();
        self.served.await.unwrap().unwrap();
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
