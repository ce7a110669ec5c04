//! A redis-server of a test's own, for tests that stop, freeze or restart
//! Redis under a running app (the shared test server must stay up for
//! the others). Or one that takes only TLS (`start_tls`) and asks
//! clients for a certificate of its CA (`tls-auth-clients yes`).

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::test_ca::{TestCa, TlsFiles};

/// Hang guard for a server that should answer at once.
const READY: Duration = Duration::from_secs(90);

/// A redis-server with no persistence, killed when dropped, so restarting
/// it loses every key.
pub struct PrivateRedis {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
    tls: Option<Tls>,
}

/// A TLS-only server's files: its own, and a client's of the same CA.
struct Tls {
    server: TlsFiles,
    client: TlsFiles,
}

impl PrivateRedis {
    /// Starts it and waits until it answers PING.
    pub async fn start() -> Self {
        Self::start_with(None).await
    }

    /// As `start`, listening only for TLS with a certificate of `ca`
    /// for 127.0.0.1 and localhost; ready once it accepts connections.
    pub async fn start_tls(ca: &TestCa) -> Self {
        Self::start_with(Some(ca)).await
    }

    async fn start_with(ca: Option<&TestCa>) -> Self {
        let port = crate::free_port();
        let dir = tempfile::tempdir().unwrap();
        let tls = ca.map(|ca| Tls {
            server: ca.write_server(dir.path(), "redis"),
            client: ca.write(dir.path(), "client", &ca.leaf("client", &["client.test"])),
        });
        let child = Self::spawn(port, &dir, tls.as_ref());
        let redis = Self {
            child,
            port,
            dir,
            tls,
        };
        redis.wait_ready().await;
        redis
    }

    fn spawn(port: u16, dir: &tempfile::TempDir, tls: Option<&Tls>) -> Child {
        let mut command = Command::new("redis-server");
        match tls {
            None => command.args(["--port", &port.to_string()]),
            Some(Tls { server, .. }) => command
                .args(["--port", "0", "--tls-port", &port.to_string()])
                .args(["--tls-auth-clients", "yes", "--tls-cert-file"])
                .arg(&server.cert)
                .arg("--tls-key-file")
                .arg(&server.key)
                .arg("--tls-ca-cert-file")
                .arg(&server.ca),
        };
        command
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
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

    /// `redis://127.0.0.1:PORT`, or `rediss://` when it takes only TLS.
    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() {
            "rediss"
        } else {
            "redis"
        };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// Its CA, certificate and key, when it takes only TLS.
    pub fn tls_files(&self) -> Option<&TlsFiles> {
        self.tls.as_ref().map(|t| &t.server)
    }

    /// A client certificate and key of its CA, when it takes only TLS.
    pub fn client_files(&self) -> Option<&TlsFiles> {
        self.tls.as_ref().map(|t| &t.client)
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

    /// Waits until it answers PING (a TLS-only one: until it accepts).
    pub async fn wait_ready(&self) {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        tokio::time::timeout(READY, async {
            loop {
                let attempt = async {
                    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                        .await
                        .ok()?;
                    if self.tls.is_some() {
                        return Some(());
                    }
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
        self.child = Self::spawn(self.port, &self.dir, self.tls.as_ref());
        self.wait_ready().await;
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
