//! A MariaDB or PostgreSQL server of a test's own, on a free port with a
//! data directory in a temp dir, that the test stops and starts again.
//! Started as `scripts/services` starts the shared ones, but durable
//! (InnoDB flushes its log at each commit; PostgreSQL keeps fsync on),
//! because these tests crash the server and then count what was acked.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tempfile::TempDir;

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
}

impl PrivateServer {
    /// Creates the data directory (seconds: MariaDB's takes about 5),
    /// starts the server and creates the `ferrochat` database.
    pub async fn start(kind: Kind) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let mut server = Self {
            kind,
            child: None,
            port,
            dir,
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

    fn init(&self) {
        let data = self.data();
        match self.kind {
            Kind::Mariadb => run(Command::new("mariadb-install-db")
                .args([
                    "--no-defaults",
                    "--user=root",
                    "--auth-root-authentication-method=socket",
                ])
                .arg("--skip-test-db")
                .arg(format!("--datadir={}", data.display()))),
            Kind::Postgres => {
                run(Command::new("chown")
                    .arg("postgres:postgres")
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
                .arg(
                    "CREATE DATABASE ferrochat CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
                     CREATE USER 'ferrochat'@'%' IDENTIFIED BY 'ferrochat';
                     GRANT ALL ON *.* TO 'ferrochat'@'%';",
                )),
            Kind::Postgres => run(Command::new("psql")
                .args([
                    "-q",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &self.port.to_string(),
                    "-U",
                    "postgres",
                ])
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

fn run(cmd: &mut Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?} ({e}): `scripts/services up` installs it"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
