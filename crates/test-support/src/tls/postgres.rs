//! A PostgreSQL that takes only TLS connections (`hostssl` alone in
//! pg_hba.conf), as the superuser `postgres` without a password.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Command, Stdio};

use super::{run, succeeds, Server};
use crate::test_ca::{TestCa, TlsFiles};

/// Where Debian's PostgreSQL 15 lives (`scripts/services` installs it).
const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

pub struct TlsPostgres {
    pub port: u16,
    pub files: TlsFiles,
    _server: Server,
    _dir: tempfile::TempDir,
}

impl TlsPostgres {
    /// initdb into a temporary directory, then the server with a
    /// certificate of `ca`; ready once it answers pg_isready.
    pub fn start(ca: &TestCa) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let files = ca.write_server(d, "server");
        // PostgreSQL refuses a key others can read.
        std::fs::set_permissions(&files.key, std::fs::Permissions::from_mode(0o600)).unwrap();
        let root = is_root();
        if root {
            // It will not run as root: everything belongs to `postgres`.
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(d));
        }
        let data = d.join("data");
        run(as_postgres(root, "initdb")
            .args([
                "-N",
                "-U",
                "postgres",
                "-A",
                "trust",
                "--locale=C.UTF-8",
                "-E",
                "UTF8",
                "-D",
            ])
            .arg(&data));
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\n",
        )
        .unwrap();
        let port = crate::free_port();
        let log = d.join("postgres.log");
        let mut command = as_postgres(root, "postgres");
        command
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1"])
            .arg("-k")
            .arg(d)
            .args(["-c", "ssl=on", "-c", "fsync=off"])
            .arg("-c")
            .arg(format!("ssl_cert_file={}", files.cert.display()))
            .arg("-c")
            .arg(format!("ssl_key_file={}", files.key.display()))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        let mut server = Server::spawn(command, "-INT");
        server.wait_until(&log, || {
            succeeds(Command::new(Path::new(PG_BIN).join("pg_isready")).args([
                "-q",
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ]))
        });
        Self {
            port,
            files,
            _server: server,
            _dir: dir,
        }
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres` with `query`.
    pub fn url(&self, query: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/postgres?{query}",
            self.port
        )
    }
}

fn is_root() -> bool {
    let out = run(Command::new("id").arg("-u"));
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// `program` from PostgreSQL's bin directory, as the user `postgres`
/// when we are root (as scripts/services runs it).
fn as_postgres(root: bool, program: &str) -> Command {
    let path = Path::new(PG_BIN).join(program);
    if !root {
        return Command::new(path);
    }
    let mut command = Command::new("setpriv");
    command
        .args(["--reuid=postgres", "--regid=postgres", "--init-groups"])
        .arg(path);
    command
}
