//! What the bench loads: a running server at a loopback URL, a
//! `ferrochat serve` it spawns itself, or the in-process null relay.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context as _};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

/// Where the server is and how to watch its CPU and memory.
pub struct Target {
    pub name: &'static str,
    pub addr: SocketAddr,
    /// A local pid to read /proc from; otherwise /metrics is scraped.
    pub pid: Option<u32>,
    /// Whether `/metrics` has process metrics (not the relay's).
    pub metrics: bool,
    _child: Option<Child>,
    _dir: Option<tempfile::TempDir>,
}

/// Environment for a server the bench spawns: cheap password hashing, and
/// rate limits and the per-address connection cap out of the way (every
/// bench client comes from loopback), so the bench measures messaging.
pub const SPAWN_ENV: &[(&str, &str)] = &[
    ("FERROCHAT_GATEWAY__MAX_CONNECTIONS_PER_IP", "1000000"),
    ("FERROCHAT_GATEWAY__FRAME_RATE_LIMIT__PER_SECOND", "1000000"),
    ("FERROCHAT_GATEWAY__FRAME_RATE_LIMIT__BURST", "1000000"),
    ("FERROCHAT_GATEWAY__SYNC_RATE_LIMIT__PER_SECOND", "1000000"),
    ("FERROCHAT_GATEWAY__SYNC_RATE_LIMIT__BURST", "1000000"),
    ("FERROCHAT_GATEWAY__AUTH_RATE_LIMIT__PER_SECOND", "1000000"),
    ("FERROCHAT_GATEWAY__AUTH_RATE_LIMIT__BURST", "1000000"),
    ("FERROCHAT_GATEWAY__HTTP_RATE_LIMIT__PER_SECOND", "1000000"),
    ("FERROCHAT_GATEWAY__HTTP_RATE_LIMIT__BURST", "1000000"),
    ("FERROCHAT_GATEWAY__SEND_RATE_LIMIT__PER_SECOND", "1000000"),
    ("FERROCHAT_GATEWAY__SEND_RATE_LIMIT__BURST", "1000000"),
    ("FERROCHAT_AUTH__PASSWORD_HASH__MEMORY_KIB", "64"),
    ("FERROCHAT_AUTH__PASSWORD_HASH__ITERATIONS", "1"),
    ("FERROCHAT_GROUPS__MAX_MEMBERS", "100000"),
    // The attachments scenario stores every file it moves: no quota.
    ("FERROCHAT_STORAGE__QUOTA_BYTES", "1099511627776000"),
    ("FERROCHAT_LOG__FORMAT", "json"),
    ("FERROCHAT_LOG__LEVEL", "info"),
];

impl Target {
    /// A running server; refuses anything but 127.0.0.0/8.
    pub fn remote(url: &str, pid: Option<u32>) -> anyhow::Result<Self> {
        let rest = url
            .strip_prefix("http://")
            .context("--url must start with http://")?;
        let hostport = rest.split('/').next().unwrap_or(rest);
        let addr: SocketAddr = if let Some(port) = hostport.strip_prefix("localhost:") {
            SocketAddr::new(IpAddr::from([127, 0, 0, 1]), port.parse()?)
        } else {
            hostport
                .parse()
                .with_context(|| format!("--url {url}: want http://127.0.0.x:PORT"))?
        };
        Self::local(addr, pid, "ferrochat")
    }

    /// A server already bound at `addr` (for tests and the relay).
    pub fn local(addr: SocketAddr, pid: Option<u32>, name: &'static str) -> anyhow::Result<Self> {
        if !addr.ip().is_loopback() {
            bail!("the bench only loads loopback servers (127.0.0.0/8), not {addr}");
        }
        Ok(Self {
            name,
            addr,
            pid,
            metrics: name == "ferrochat",
            _child: None,
            _dir: None,
        })
    }

    /// Spawns `exe serve --listen 127.0.0.1:0 --data-dir <tmp>` and waits
    /// for its `listening` log line. The server dies with the `Target`.
    pub async fn spawn(exe: &Path) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir().context("temp data dir")?;
        let mut cmd = Command::new(exe);
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path())
            .envs(SPAWN_ENV.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let mut child = cmd
            .spawn()
            .with_context(|| format!("spawning {}", exe.display()))?;
        let stdout = child.stdout.take().context("server stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let addr = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await? {
                let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
                    continue;
                };
                if v.get("message").and_then(|m| m.as_str()) == Some("listening") {
                    if let Some(a) = v.get("addr").and_then(|a| a.as_str()) {
                        return Ok(a.parse::<SocketAddr>()?);
                    }
                }
            }
            bail!("the server exited before it logged `listening`")
        })
        .await
        .context("the server did not log `listening` within 30 s")??;
        // Keep draining its logs so it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let pid = child.id();
        let mut t = Self::local(addr, pid, "ferrochat")?;
        t._child = Some(child);
        t._dir = Some(dir);
        Ok(t)
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}
