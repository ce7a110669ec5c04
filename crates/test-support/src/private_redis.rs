//! A redis-server of a test's own, for tests that stop, freeze or restart
//! Redis under a running app (the shared test server must stay up for
//! the others).

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Hang guard for a server that should answer at once.
const READY: Duration = Duration::from_secs(90);

/// A redis-server with no persistence, killed when dropped, so restarting
/// it loses every key.
pub struct PrivateRedis {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl PrivateRedis {
    /// Starts it and waits until it answers PING.
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let child = Self::spawn(port, &dir);
        let redis = Self { child, port, dir };
        redis.wait_ready().await;
        redis
    }

    fn spawn(port: u16, dir: &tempfile::TempDir) -> Child {
        Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot run redis-server ({e}): `scripts/services up` installs it")
            })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Freezes the server (SIGSTOP): it takes connections and commands
    /// but answers nothing until `resume`.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(signal)
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill {signal} failed");
    }

    /// Waits until it answers PING.
    pub async fn wait_ready(&self) {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        tokio::time::timeout(READY, async {
            loop {
                let attempt = async {
                    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                        .await
                        .ok()?;
                    s.write_all(b"PING\r\n").await.ok()?;
                    let mut buf = [0u8; 7];
                    s.read_exact(&mut buf).await.ok()?;
                    (&buf == b"+PONG\r\n").then_some(())
                };
                if attempt.await.is_some() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await
        .expect("redis-server answers PING");
    }

    /// SIGKILL: every connection to it breaks, and nothing answers on its
    /// port until `restart`.
    pub fn stop(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGKILL, then the same server again on the same port, empty.
    pub async fn restart(&mut self) {
        self.stop();
        self.child = Self::spawn(self.port, &self.dir);
        self.wait_ready().await;
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
