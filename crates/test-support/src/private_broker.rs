//! A Kafka-protocol broker of a test's own (the nisshi `scripts/services`
//! built, `FERROCHAT_TEST_NISSHI`, on the storage engine it was built
//! with, `FERROCHAT_TEST_NISSHI_STORAGE`), killed when dropped, so that
//! replacing it by an empty one loses every topic, record, offset and
//! producer id without touching the shared test broker.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

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
}

impl PrivateBroker {
    /// Starts it and waits until it listens.
    pub async fn start() -> Self {
        let port = free_port();
        let dir = tempfile::tempdir().unwrap();
        let child = Self::spawn(port, &dir);
        let broker = Self { child, port, dir };
        broker.wait_ready().await;
        broker
    }

    fn spawn(port: u16, dir: &tempfile::TempDir) -> Child {
        let listener = format!("tcp://127.0.0.1:{port}");
        // Its storage lives in the working directory (it also reads a
        // `.env` there): a fresh directory is an empty broker, whichever
        // the engine.
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        Command::new(service(NISSHI))
            .current_dir(&data)
            .args([
                "broker",
                "--listener-url",
                &listener,
                "--advertised-listener-url",
                &listener,
            ])
            .args(["--storage-engine", &service(NISSHI_STORAGE)])
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
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        std::fs::remove_dir_all(self.dir.path().join("data")).unwrap();
        self.child = Self::spawn(self.port, &self.dir);
        self.wait_ready().await;
    }
}

impl Drop for PrivateBroker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
