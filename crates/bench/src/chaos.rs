//! Chaos: SIGKILL one process of a `scripts/cluster` cluster during the
//! send window and start it again. A role comes back through
//! `scripts/cluster up` (which starts whatever role is missing and waits
//! for its /ready), and Redis through `scripts/services up` (empty, as that
//! script runs it), each run with the killed process's own environment.
//! MariaDB, etcd and the broker come back on their data, with the command
//! line, environment and working directory the killed process had (read
//! from /proc before the kill): scripts/services would start them afresh.
//! With `empty`, the broker's storage is deleted first: an empty broker in
//! its place.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use tokio::process::Command;

use crate::cluster::{self, ClusterInfo};
use crate::proc_stats::{self, Seen};

/// What to kill, when, and how to bring it back.
#[derive(Debug, Clone)]
pub struct Plan {
    pub name: String,
    /// From the first send.
    pub at: Duration,
    pub down_for: Duration,
    pub empty: bool,
    pub cluster: Arc<ClusterInfo>,
}

/// What happened, in nanoseconds since the run's epoch.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub killed_ns: Option<u64>,
    /// When it was started again.
    pub restarted_ns: Option<u64>,
    /// When it answered again (a role's /ready, a service's port).
    pub ready_ns: Option<u64>,
    /// The killed process just before the kill (for its CPU).
    pub last_seen: Option<Seen>,
    pub error: Option<String>,
}

/// A process as it was started: enough to start it again.
struct Launch {
    argv: Vec<String>,
    env: HashMap<OsString, OsString>,
    cwd: PathBuf,
}

impl Plan {
    /// Refuses a plan that cannot be carried out, before the run starts.
    pub fn check(&self) -> anyhow::Result<()> {
        let c = &self.cluster;
        let Some(pid_file) = c.pid_file(&self.name) else {
            bail!(
                "--kill {}: not a role of {} ({}) nor a service ({})",
                self.name,
                c.dir.display(),
                c.roles.join(", "),
                cluster::SERVICES.join(", ")
            );
        };
        let pid = cluster::read_pid(&pid_file)
            .with_context(|| format!("--kill {}: no pid in {}", self.name, pid_file.display()))?;
        if proc_stats::gone(pid) {
            bail!("--kill {}: pid {pid} is not running", self.name);
        }
        if self.empty && self.name != "kafka" {
            bail!("--restart-empty is for the broker (--kill kafka) only");
        }
        // The cluster's own broker keeps the roles' SASL user in its
        // storage: emptied, it would refuse the roles for good.
        if self.empty && c.broker_port.is_some() {
            bail!(
                "--restart-empty: the cluster's own broker keeps its SASL users in its storage; \
                 start the cluster with FERROCHAT_CLUSTER_BROKER=shared to replace the broker \
                 by an empty one"
            );
        }
        // A memory broker comes back empty whatever we do: a run meant to
        // restart it on its data would measure the other case.
        if self.name == "kafka" && !self.empty {
            let launch = launch_of(pid)?;
            if storage_engine(&launch.argv).is_some_and(|e| e.starts_with("memory://")) {
                bail!(
                    "--kill kafka: the broker keeps its records in memory, so it cannot restart \
                     on its data; start the cluster with FERROCHAT_BROKER_ENGINE=sqlite, or pass \
                     --restart-empty"
                );
            }
        }
        Ok(())
    }

    /// Waits until `at` after `start`, kills, waits `down_for`, restarts.
    pub async fn run(self, start: Instant, epoch: Instant, quiet: bool) -> Outcome {
        tokio::time::sleep_until((start + self.at).into()).await;
        let mut out = Outcome::default();
        if let Err(e) = self.carry_out(&mut out, epoch, quiet).await {
            out.error = Some(format!("{e:#}"));
        }
        out
    }

    async fn carry_out(
        &self,
        out: &mut Outcome,
        epoch: Instant,
        quiet: bool,
    ) -> anyhow::Result<()> {
        let ns = || u64::try_from(epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
        let pid_file = self.cluster.pid_file(&self.name).context("no pid file")?;
        let pid = cluster::read_pid(&pid_file).context("no pid")?;
        let launch = launch_of(pid)?;
        out.last_seen = proc_stats::local(pid).map(|sample| Seen { pid, sample });
        let raw = i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw);
        rustix::process::kill_process(raw.context("bad pid")?, rustix::process::Signal::KILL)
            .with_context(|| format!("SIGKILL {} (pid {pid})", self.name))?;
        out.killed_ns = Some(ns());
        say(quiet, &format!("SIGKILLed {} (pid {pid})", self.name));
        let deadline = Instant::now() + Duration::from_secs(10);
        while !proc_stats::gone(pid) {
            if Instant::now() > deadline {
                bail!("{} (pid {pid}) still runs 10 s after SIGKILL", self.name);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(self.down_for).await;
        if self.cluster.is_role(&self.name) {
            out.restarted_ns = Some(ns());
            self.script_up("cluster", &launch).await?;
            out.ready_ns = Some(ns());
        } else if self.name == "redis" {
            // Redis rewrites its command line and environment in place
            // (/proc shows "redis-server 127.0.0.1:PORT"), and runs without
            // persistence anyway: scripts/services starts it as it did,
            // with this process's environment and the services' settings.
            out.restarted_ns = Some(ns());
            let env = Launch {
                argv: Vec::new(),
                env: std::env::vars_os().collect(),
                cwd: launch.cwd.clone(),
            };
            self.script_up("services", &env).await?;
            out.ready_ns = Some(ns());
        } else {
            if self.empty {
                delete_storage(&launch)?;
            }
            self.start_service(&launch, &pid_file)?;
            out.restarted_ns = Some(ns());
            self.wait_for_port().await?;
            out.ready_ns = Some(ns());
        }
        say(quiet, &format!("{} is back", self.name));
        Ok(())
    }

    /// `scripts/<script> up` with the killed process's environment: it
    /// starts what is missing and waits until it answers.
    async fn script_up(&self, script: &str, launch: &Launch) -> anyhow::Result<()> {
        let c = &self.cluster;
        let script = c.root.join("scripts").join(script);
        let output = Command::new(&script)
            .arg("up")
            .env_clear()
            .envs(&launch.env)
            .env("FERROCHAT_CLUSTER_DIR", &c.dir)
            .env("FERROCHAT_CLUSTER_PORT_BASE", &c.port_base)
            .env("FERROCHAT_SERVICES_DIR", &c.services_dir)
            .envs(c.services_env.iter().map(|(k, v)| (k, v)))
            .current_dir(&c.root)
            .stdin(Stdio::null())
            .output()
            .await
            .with_context(|| format!("running {}", script.display()))?;
        if !output.status.success() {
            bail!(
                "{} up failed: {}",
                script.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(())
    }

    /// The service's own command line again, in its own session (as
    /// scripts/services and scripts/cluster start it), logging beside its
    /// pid file as they do; its pid goes into that file so the script's
    /// `down` stops it.
    fn start_service(&self, launch: &Launch, pid_file: &Path) -> anyhow::Result<()> {
        let log_path = pid_file.with_extension("log");
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .with_context(|| format!("opening {}", log_path.display()))?;
        let child = std::process::Command::new("setsid")
            .args(&launch.argv)
            .env_clear()
            .envs(&launch.env)
            .current_dir(&launch.cwd)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {} again", self.name))?;
        std::fs::write(pid_file, format!("{}\n", child.id()))
            .with_context(|| format!("writing {}", pid_file.display()))?;
        Ok(())
    }

    async fn wait_for_port(&self) -> anyhow::Result<()> {
        let Some(port) = self.cluster.service_port(&self.name) else {
            return Ok(());
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            if Instant::now() > deadline {
                bail!(
                    "{} did not listen on {port} within 60 s of its restart",
                    self.name
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }
}

fn launch_of(pid: u32) -> anyhow::Result<Launch> {
    let p = procfs::process::Process::new(i32::try_from(pid)?)
        .with_context(|| format!("reading /proc/{pid}"))?;
    Ok(Launch {
        argv: p
            .cmdline()
            .with_context(|| format!("/proc/{pid}/cmdline"))?,
        env: p
            .environ()
            .with_context(|| format!("/proc/{pid}/environ"))?,
        cwd: p.cwd().with_context(|| format!("/proc/{pid}/cwd"))?,
    })
}

/// The broker's `--storage-engine` URL, as its command line gives it.
fn storage_engine(argv: &[String]) -> Option<&str> {
    argv.iter()
        .position(|a| a == "--storage-engine")
        .and_then(|i| argv.get(i + 1))
        .map(String::as_str)
}

/// Deletes the broker's SQLite storage (`--storage-engine sqlite://FILE`,
/// relative to its working directory); a memory engine has none to delete.
fn delete_storage(launch: &Launch) -> anyhow::Result<()> {
    let engine = storage_engine(&launch.argv)
        .context("the broker's command line has no --storage-engine")?;
    if engine.starts_with("memory://") {
        return Ok(());
    }
    let file = engine
        .strip_prefix("sqlite://")
        .with_context(|| format!("cannot empty a broker stored in {engine}"))?;
    let path = launch.cwd.join(file);
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("deleting {}", path.display())),
        }
    }
    Ok(())
}

fn say(quiet: bool, what: &str) {
    if !quiet {
        eprintln!("[chaos] {what}");
    }
}

#[cfg(test)]
mod tests {
    use super::storage_engine;

    #[test]
    fn the_storage_engine_is_read_from_the_command_line() {
        let argv = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let broker = argv(&["nisshi", "broker", "--storage-engine", "memory://nisshi/"]);
        assert_eq!(storage_engine(&broker), Some("memory://nisshi/"));
        assert_eq!(storage_engine(&argv(&["nisshi", "broker"])), None);
        assert_eq!(storage_engine(&argv(&["nisshi", "--storage-engine"])), None);
    }
}
