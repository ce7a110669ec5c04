//! A redis-server that listens only for TLS and asks clients for a
//! certificate of its CA (`tls-auth-clients yes`).

use std::process::{Command, Stdio};

use super::Server;
use crate::test_ca::{TestCa, TlsFiles};

pub struct TlsRedis {
    pub port: u16,
    /// Its CA, server certificate and key.
    pub files: TlsFiles,
    /// A client certificate and key of its CA.
    pub client: TlsFiles,
    _server: Server,
    _dir: tempfile::TempDir,
}

impl TlsRedis {
    /// Starts it with a certificate of `ca`; ready once it accepts.
    pub fn start(ca: &TestCa) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let files = ca.write_server(dir.path(), "redis");
        let client = ca.write(dir.path(), "client", &ca.leaf("client", &["client.test"]));
        let port = crate::free_port();
        let log = dir.path().join("redis.log");
        let mut command = Command::new("redis-server");
        command
            .args(["--port", "0", "--tls-port", &port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--tls-auth-clients", "yes"])
            .arg("--tls-cert-file")
            .arg(&files.cert)
            .arg("--tls-key-file")
            .arg(&files.key)
            .arg("--tls-ca-cert-file")
            .arg(&files.ca)
            .arg("--dir")
            .arg(dir.path())
            .arg("--logfile")
            .arg(&log)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut server = Server::spawn(command, "-TERM");
        server.wait_until(&log, || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        Self {
            port,
            files,
            client,
            _server: server,
            _dir: dir,
        }
    }

    /// `rediss://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("rediss://127.0.0.1:{}", self.port)
    }
}
