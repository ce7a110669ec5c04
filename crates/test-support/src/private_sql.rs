//! A MariaDB or PostgreSQL server of a test's own, on a free port with a
//! data directory in a temp dir, that the test stops and starts again.
//! Started as `scripts/services` starts the shared ones, but durable
//! (InnoDB flushes its log at each commit; PostgreSQL keeps fsync on),
//! because the store's outage tests crash the server and then count what
//! was acked.
//!
//! Or one that takes only TLS (`start_tls`), with a certificate of a
//! [`TestCa`] for 127.0.0.1: PostgreSQL has `hostssl` alone in
//! pg_hba.conf, MariaDB's user `REQUIRE SSL`, so a client that got
//! through spoke TLS.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::PermissionsExt as _;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tempfile::TempDir;

use crate::process::run;
use crate::test_ca::{TestCa, TlsFiles};

/// Attempts, 100 ms apart, before a server is declared hung (not a speed
/// check: a healthy start needs a few).
const ATTEMPTS: usize = 300;
const PAUSE: Duration = Duration::from_millis(100);

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Mariadb,
    Postgres,
}

/// How a test stops the server.
#[derive(Debug, Clone, Copy)]
pub enum Stop {
    /// A crash: MariaDB is SIGKILLed; PostgreSQL gets an immediate
    /// shutdown (SIGQUIT: the postmaster kills its backends, nothing is
    /// checkpointed, the next start recovers from the WAL) so that no
    /// orphaned backend holds its memory when it starts again.
    Kill,
    /// PostgreSQL's fast shutdown (SIGINT): sessions are told
    /// `admin_shutdown` (57P01) and closed; MariaDB's SIGTERM.
    Clean,
}

pub struct PrivateServer {
    kind: Kind,
    child: Option<Child>,
    port: u16,
    dir: TempDir,
    /// Its CA, certificate and key, when it takes only TLS.
    tls: Option<TlsFiles>,
}

impl PrivateServer {
    /// Creates the data directory (seconds: MariaDB's takes about 5),
    /// starts the server and creates the `ferrochat` database.
    pub async fn start(kind: Kind) -> Self {
        Self::start_with(kind, None).await
    }

    /// As `start`, taking only TLS with a certificate of `ca`.
    pub async fn start_tls(kind: Kind, ca: &TestCa) -> Self {
        Self::start_with(kind, Some(ca)).await
    }

    async fn start_with(kind: Kind, ca: Option<&TestCa>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let tls = ca.map(|ca| ca.write_server(dir.path(), "server"));
        let mut server = Self {
            kind,
            child: None,
            port: crate::free_port(),
            dir,
            tls,
        };
        server.init();
        server.spawn();
        server.wait_ready().await;
        server.create_database();
        server
    }

    /// The store's URL (user `ferrochat`, database `ferrochat`).
    pub fn url(&self) -> String {
        match self.kind {
            Kind::Mariadb => format!(
                "mysql://ferrochat:ferrochat@127.0.0.1:{}/ferrochat",
                self.port
            ),
            Kind::Postgres => format!("postgres://postgres@127.0.0.1:{}/ferrochat", self.port),
        }
    }

    /// `url` with `query` (the TLS parameters, say).
    pub fn url_with(&self, query: &str) -> String {
        format!("{}?{query}", self.url())
    }

    /// Its CA, certificate and key, when it takes only TLS.
    pub fn tls_files(&self) -> Option<&TlsFiles> {
        self.tls.as_ref()
    }

    pub fn stop(&mut self, how: Stop) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let signal = match (how, self.kind) {
            (Stop::Kill, Kind::Mariadb) => "KILL",
            (Stop::Kill, Kind::Postgres) => "QUIT",
            (Stop::Clean, Kind::Mariadb) => "TERM",
            (Stop::Clean, Kind::Postgres) => "INT",
        };
        run(Command::new("kill").args([format!("-{signal}"), child.id().to_string()]));
        child.wait().unwrap();
    }

    /// Starts the server again on its port and data (not waiting for it).
    pub fn spawn(&mut self) {
        assert!(self.child.is_none(), "already running");
        let data = self.data();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("server.log"))
            .unwrap();
        let mut cmd = match self.kind {
            Kind::Mariadb => {
                let mut c = Command::new("mariadbd");
                c.arg("--no-defaults")
                    .arg("--user=root")
                    .arg(format!("--datadir={}", data.display()))
                    .arg(format!("--socket={}", self.socket().display()))
                    .arg(format!("--tmpdir={}", self.tmp().display()))
                    .arg(format!("--port={}", self.port))
                    .args([
                        "--bind-address=127.0.0.1",
                        "--skip-name-resolve",
                        "--skip-log-bin",
                    ])
                    .args(["--innodb-buffer-pool-size=32M", "--max-connections=200"])
                    .args([
                        "--character-set-server=utf8mb4",
                        "--collation-server=utf8mb4_bin",
                    ]);
                if let Some(files) = &self.tls {
                    c.arg(format!("--ssl-ca={}", files.ca.display()))
                        .arg(format!("--ssl-cert={}", files.cert.display()))
                        .arg(format!("--ssl-key={}", files.key.display()));
                }
                c
            }
            Kind::Postgres => {
                let mut c = Command::new("setpriv");
                c.args(["--reuid=postgres", "--regid=postgres", "--init-groups"])
                    .arg(format!("{PG_BIN}/postgres"))
                    .arg("-D")
                    .arg(&data)
                    .args(["-p", &self.port.to_string()])
                    .arg("-k")
                    .arg(self.dir.path())
                    .args([
                        "-c",
                        "listen_addresses=127.0.0.1",
                        "-c",
                        "shared_buffers=16MB",
                    ])
                    .args(["-c", "max_connections=100"]);
                if let Some(files) = &self.tls {
                    c.args(["-c", "ssl=on", "-c"])
                        .arg(format!("ssl_cert_file={}", files.cert.display()))
                        .arg("-c")
                        .arg(format!("ssl_key_file={}", files.key.display()));
                }
                c
            }
        };
        let child = cmd
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {:?} ({e}): `scripts/services up` installs it",
                    self.kind
                )
            });
        self.child = Some(child);
    }

    /// Waits until the server answers.
    pub async fn wait_ready(&self) {
        for _ in 0..ATTEMPTS {
            if self.answers() {
                return;
            }
            tokio::time::sleep(PAUSE).await;
        }
        panic!(
            "{:?} on port {} never answered; its log: {}",
            self.kind,
            self.port,
            std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
        );
    }

    fn data(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    fn socket(&self) -> std::path::PathBuf {
        self.dir.path().join("sock")
    }

    /// MariaDB's temporary tables, its own: in the shared /tmp, servers
    /// bootstrapping at once have broken each other's (CI saw
    /// "Unknown table 'mysql.tmp_proxies_priv'").
    fn tmp(&self) -> std::path::PathBuf {
        self.dir.path().join("tmp")
    }

    fn init(&self) {
        let data = self.data();
        match self.kind {
            Kind::Mariadb => {
                std::fs::create_dir_all(self.tmp()).unwrap();
                // Options it does not know, such as --tmpdir, go to the
                // server it bootstraps.
                run(Command::new("mariadb-install-db")
                    .args([
                        "--no-defaults",
                        "--user=root",
                        "--auth-root-authentication-method=socket",
                    ])
                    .arg("--skip-test-db")
                    .arg(format!("--datadir={}", data.display()))
                    .arg(format!("--tmpdir={}", self.tmp().display())))
            }
            Kind::Postgres => {
                if let Some(files) = &self.tls {
                    // PostgreSQL refuses a key others can read.
                    let only_owner = std::fs::Permissions::from_mode(0o600);
                    std::fs::set_permissions(&files.key, only_owner).unwrap();
                }
                // It will not run as root: everything belongs to `postgres`.
                run(Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(self.dir.path()));
                run(Command::new("setpriv")
                    .args(["--reuid=postgres", "--regid=postgres", "--init-groups"])
                    .arg(format!("{PG_BIN}/initdb"))
                    .args([
                        "-N",
                        "-U",
                        "postgres",
                        "-A",
                        "trust",
                        "--locale=C.UTF-8",
                        "-E",
                        "UTF8",
                    ])
                    .arg("-D")
                    .arg(&data));
                if self.tls.is_some() {
                    std::fs::write(
                        data.join("pg_hba.conf"),
                        "local all all trust\nhostssl all all 127.0.0.1/32 trust\n",
                    )
                    .unwrap();
                }
            }
        }
    }

    fn answers(&self) -> bool {
        let status = match self.kind {
            Kind::Mariadb => Command::new("mariadb")
                .arg("--no-defaults")
                .arg(format!("--socket={}", self.socket().display()))
                .args(["-uroot", "-e", "SELECT 1"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status(),
            Kind::Postgres => Command::new(format!("{PG_BIN}/pg_isready"))
                .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string()])
                .status(),
        };
        status.is_ok_and(|s| s.success())
    }

    fn create_database(&self) {
        match self.kind {
            Kind::Mariadb => run(Command::new("mariadb")
                .arg("--no-defaults")
                .arg(format!("--socket={}", self.socket().display()))
                .args(["-uroot", "-e"])
                .arg(format!(
                    "CREATE DATABASE ferrochat CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
                     CREATE USER 'ferrochat'@'%' IDENTIFIED BY 'ferrochat'{};
                     GRANT ALL ON *.* TO 'ferrochat'@'%';",
                    if self.tls.is_some() {
                        " REQUIRE SSL"
                    } else {
                        ""
                    }
                ))),
            // Over its socket: a TLS-only server takes local connections
            // without TLS.
            Kind::Postgres => run(Command::new("psql")
                .args(["-q", "-h"])
                .arg(self.dir.path())
                .args(["-p", &self.port.to_string(), "-U", "postgres"])
                .args(["-c", "CREATE DATABASE ferrochat"])),
        }
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
