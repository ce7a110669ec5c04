//! A MariaDB with TLS, and a user `ferrochat` that may connect only over
//! TLS (`REQUIRE SSL`) to its database `ferrochat`.

use std::process::{Command, Stdio};

use super::{run, succeeds, Server};
use crate::test_ca::{TestCa, TlsFiles};

pub const USER: &str = "ferrochat";
const PASSWORD: &str = "ferrochat-tls";

pub struct TlsMariadb {
    pub port: u16,
    pub files: TlsFiles,
    _server: Server,
    _dir: tempfile::TempDir,
}

impl TlsMariadb {
    /// mariadb-install-db into a temporary directory, then the server
    /// with a certificate of `ca`, then the user.
    pub fn start(ca: &TestCa) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let files = ca.write_server(d, "server");
        let data = d.join("data");
        let sock = d.join("sock");
        run(Command::new("mariadb-install-db")
            .args([
                "--no-defaults",
                "--user=root",
                "--auth-root-authentication-method=socket",
            ])
            .arg("--skip-test-db")
            .arg(format!("--datadir={}", data.display())));
        let port = crate::free_port();
        let log = d.join("err");
        let mut command = Command::new("mariadbd");
        command
            .args(["--no-defaults", "--user=root", "--bind-address=127.0.0.1"])
            .arg(format!("--port={port}"))
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--socket={}", sock.display()))
            .arg(format!("--log-error={}", log.display()))
            .args([
                "--skip-name-resolve",
                "--skip-log-bin",
                "--innodb-buffer-pool-size=32M",
            ])
            .args([
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_bin",
            ])
            .arg(format!("--ssl-ca={}", files.ca.display()))
            .arg(format!("--ssl-cert={}", files.cert.display()))
            .arg(format!("--ssl-key={}", files.key.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut server = Server::spawn(command, "-TERM");
        let admin = |sql: &str| {
            let mut c = Command::new("mariadb");
            c.arg("--no-defaults")
                .arg(format!("--socket={}", sock.display()))
                .args(["-uroot", "-e", sql]);
            c
        };
        server.wait_until(&log, || succeeds(&mut admin("SELECT 1")));
        run(&mut admin(&format!(
            "CREATE DATABASE {USER} CHARACTER SET utf8mb4;
             CREATE USER '{USER}'@'%' IDENTIFIED BY '{PASSWORD}' REQUIRE SSL;
             GRANT ALL ON {USER}.* TO '{USER}'@'%';"
        )));
        Self {
            port,
            files,
            _server: server,
            _dir: dir,
        }
    }

    /// `mysql://ferrochat:...@127.0.0.1:PORT/ferrochat` with `query`.
    pub fn url(&self, query: &str) -> String {
        format!(
            "mysql://{USER}:{PASSWORD}@127.0.0.1:{}/{USER}?{query}",
            self.port
        )
    }
}
