//! A Kafka-protocol broker of a test's own (the nisshi `scripts/services`
//! built, `FERROCHAT_TEST_NISSHI`, on the storage engine it was built
//! with, `FERROCHAT_TEST_NISSHI_STORAGE`), killed when dropped, so that
//! replacing it by an empty one loses every topic, record, offset and
//! producer id without touching the shared test broker. Or one that
//! takes only TLS (`start_tls`), with a certificate of a [`TestCa`], or
//! one that keeps its records across a restart (`start_keeping_data`).
//!
//! [`TestCa`]: crate::TestCa

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::test_ca::{TestCa, TlsFiles};
use crate::{free_port, service};

/// The nisshi binary `scripts/services` built.
pub const NISSHI: &str = "FERROCHAT_TEST_NISSHI";
/// The storage engine it was built with (`memory://` or `sqlite://`).
pub const NISSHI_STORAGE: &str = "FERROCHAT_TEST_NISSHI_STORAGE";

/// Hang guard for a broker that should listen at once.
const READY: Duration = Duration::from_secs(90);

pub struct PrivateBroker {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
    /// Its certificate chain and key (PEM), when it takes only TLS.
    tls: Option<TlsFiles>,
    /// Its `--storage-engine`.
    storage: String,
}

/// The engine that keeps a broker's records across a restart.
const KEEPING: &str = "sqlite://nisshi.db";

impl PrivateBroker {
    /// Starts it and waits until it listens.
    pub async fn start() -> Self {
        Self::start_with(None, service(NISSHI_STORAGE)).await
    }

    /// As `start`, on the engine that keeps its records across `restart`
    /// (SQLite, whatever the shared broker's).
    pub async fn start_keeping_data() -> Self {
        Self::start_with(None, KEEPING.into()).await
    }

    /// As `start`, taking only TLS with a certificate of `ca` for
    /// 127.0.0.1 and localhost (its files: `tls_files`).
    pub async fn start_tls(ca: &TestCa) -> Self {
        Self::start_with(Some(ca), service(NISSHI_STORAGE)).await
    }

    async fn start_with(ca: Option<&TestCa>, storage: String) -> Self {
        let port = free_port();
        let dir = tempfile::tempdir().unwrap();
        let tls = ca.map(|ca| ca.write_server(dir.path(), "broker"));
        let child = Self::spawn(port, &dir, tls.as_ref(), &storage);
        let broker = Self {
            child,
            port,
            dir,
            tls,
            storage,
        };
        broker.wait_ready().await;
        broker
    }

    /// Its CA, certificate and key, when it takes only TLS.
    pub fn tls_files(&self) -> Option<&TlsFiles> {
        self.tls.as_ref()
    }

    fn spawn(port: u16, dir: &tempfile::TempDir, tls: Option<&TlsFiles>, storage: &str) -> Child {
        let listener = format!("tcp://127.0.0.1:{port}");
        // Its storage lives in the working directory (it also reads a
        // `.env` there): a fresh directory is an empty broker, whichever
        // the engine.
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let mut command = Command::new(service(NISSHI));
        command
            .current_dir(&data)
            .args([
                "broker",
                "--listener-url",
                &listener,
                "--advertised-listener-url",
                &listener,
            ])
            .args(["--storage-engine", storage]);
        if let Some(files) = tls {
            command
                .arg("--cert")
                .arg(&files.cert)
                .arg("--key")
                .arg(&files.key);
        }
        command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the broker starts")
    }

    /// `host:port`, as `bus.kafka.brokers` takes it.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    async fn wait_ready(&self) {
        tokio::time::timeout(READY, async {
            while tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_err()
            {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await
        .expect("the broker listens");
    }

    /// SIGKILL, then an empty broker on the same port.
    pub async fn replace_with_empty(&mut self) {
        self.kill();
        self.start_empty().await;
    }

    /// SIGKILL (`start_empty` brings a broker back).
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// After `kill`: an empty broker on the same port.
    pub async fn start_empty(&mut self) {
        std::fs::remove_dir_all(self.dir.path().join("data")).unwrap();
        self.respawn().await;
    }

    /// SIGKILL, then the broker again on its data (all of it only with
    /// `start_keeping_data`).
    pub async fn restart(&mut self) {
        self.kill();
        self.respawn().await;
    }

    async fn respawn(&mut self) {
        self.child = Self::spawn(self.port, &self.dir, self.tls.as_ref(), &self.storage);
        self.wait_ready().await;
    }
}

impl Drop for PrivateBroker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
